"""A whole codéveloppement session as its practitioners run it (002, 003), in five browsers:
the group chooses its subject by secret votes, the consultants reformulate and the client
states the contract, a secrétaire writes the consultation's ideas while the client keeps
three of five, the client's synthèse and a plan with due dates and signs of success, the
animateur's learnings; then the next session's report back says what was said last time."""

import pytest
from playwright.sync_api import expect

from .test_a11y import violations

pytestmark = pytest.mark.browser

NB = "\u00a0"


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def ballot_field(person, keyword):
    row = person.page.locator("#live form.ballot li", has_text=keyword)
    return row.locator("input[type=number]")


def no_axe_violation(*people):
    """axe-core finds nothing on these pages as they stand (labels, names, contrast…)."""
    for person in people:
        assert violations(person.page) == [], person.name


def idea(person, text):
    return person.page.locator("#live .ideas li", has_text=text)


def test_a_whole_codev_session_chosen_by_votes_with_contract_harvest_and_dated_plan(table_for):
    table = table_for(format="codev", sessions=2)
    # The group chooses its subjects by votes, two each (its settings, as organisers set them).
    table.server.shell(
        "from participants.models import Group;"
        f"Group.objects.filter(pk={table.data['group']})"
        ".update(subject_choice='votes', votes_per_person=2)"
    )
    lucie = table.open("Lucie")
    juliette, dragos, amina, paul = (table.open(n) for n in ("Juliette", "Dragos", "Amina", "Paul"))
    everyone = [lucie, juliette, dragos, amina, paul]
    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Tour de mots-clés")
    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, button(juliette, "Proposer"), expect="« délégation »")
    dragos.page.locator("#keyword").fill("recrutement")
    table.click(dragos, button(dragos, "Proposer"), expect="« recrutement »")
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Choix du sujet")

    # --- The choice: each at the table gives two votes, secret until everyone voted. --------
    expect(lucie.page.locator("#live form.ballot")).to_be_hidden()  # she is not at the table
    for person in (juliette, dragos, amina, paul):
        expect(person.page.locator("#live form.ballot")).to_be_visible()
    ballot_field(juliette, "délégation").fill("1")
    ballot_field(juliette, "recrutement").fill("1")
    expect(juliette.page.locator("#live .ballot-given")).to_have_text("2")
    table.click(juliette, button(juliette, "Voter"), expect="1 personne sur 4 a voté.")
    expect(juliette.live()).to_contain_text("Vous avez voté.")
    expect(dragos.page.get_by_text("Vous avez voté.")).to_be_hidden()
    no_axe_violation(juliette, dragos, lucie)
    # Three votes are more than two: the page says so before the rules would.
    ballot_field(dragos, "délégation").fill("3")
    expect(button(dragos, "Voter")).to_be_disabled()
    ballot_field(dragos, "délégation").fill("2")
    table.click(dragos, button(dragos, "Voter"), expect="2 personnes sur 4 ont voté.")
    # Juliette's own ballot stays on her page, through updates and a reload; nobody's counts
    # are shown yet.
    for keyword in ("délégation", "recrutement"):
        expect(ballot_field(juliette, keyword)).to_have_value("1")
    table.open("Juliette")
    for keyword in ("délégation", "recrutement"):
        expect(ballot_field(juliette, keyword)).to_have_value("1")
    for person in everyone:
        expect(person.page.locator("#live .votes-list")).to_have_count(0)
    ballot_field(amina, "délégation").fill("1")
    table.click(amina, button(amina, "Voter"), expect="3 personnes sur 4 ont voté.")
    ballot_field(paul, "recrutement").fill("1")
    table.click(paul, button(paul, "Voter"), expect="Tout le monde a voté")
    for person in everyone:
        votes = person.page.locator("#live .votes-list li")
        expect(votes.filter(has_text="délégation")).to_contain_text(f"4{NB}voix")
        expect(votes.filter(has_text="recrutement")).to_contain_text(f"2{NB}voix")
    no_axe_violation(paul, lucie)  # the counts
    table.click(lucie, button(lucie, "Clore le choix"), expect="Ordre des sujets")
    expect(lucie.live()).to_contain_text("Prochain sujet : « délégation » (Juliette).")

    # After the choice, passing over it takes a reason, shown to everyone.
    lucie.page.locator("#override-menu summary").click()
    lucie.page.locator("#override-subject").select_option(label="délégation (Juliette)")
    lucie.page.locator("#override-reason").fill("Juliette part en congé demain")
    table.click(
        lucie, button(lucie, "Passer outre"),
        expect="La personne qui anime a placé « délégation » en premier : Juliette part en congé",
    )

    # --- Roles: a gardien du temps for the session, then a secrétaire for the subject. ------
    lucie.page.locator("#role-gardien").select_option(label="Paul")
    gardien = lucie.page.locator("form.role-form").filter(has=lucie.page.locator("#role-gardien"))
    table.click(lucie, gardien.get_by_role("button"), expect="Gardien·ne du temps : Paul")
    no_axe_violation(lucie)  # the order, the override, the roles
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « délégation »")
    lucie.page.locator("#role-secretaire").select_option(label="Amina")
    secretaire = lucie.page.locator("form.role-form").filter(
        has=lucie.page.locator("#role-secretaire")
    )
    secretaire.get_by_label("Pour ce sujet seulement").check()
    table.click(lucie, secretaire.get_by_role("button"), expect="Secrétaire : Amina")
    # The gardien has the overrun's « +2 min » (shown when the phase runs over), nobody else.
    for person, mine in ((paul, 1), (amina, 0), (dragos, 0)):
        expect(person.page.locator("#live [data-only-for].mine button", has_text="+2 min")
               ).to_have_count(mine)

    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")
    dragos.page.locator("#speak-text").fill("Que délègues-tu aujourd’hui ?")
    table.click(dragos, button(dragos, "J’ai posé ma question"), expect="Que délègues-tu")
    table.click(lucie, button(lucie, "Terminer la phase"), expect="Contrat")

    # --- The contract: the consultants reformulate, then the client's « Aidez-moi à… ». ----
    expect(dragos.page.locator("label[for=speak-text]")).to_contain_text(
        "Ce que j’ai compris de ta demande…"
    )
    dragos.page.locator("#speak-text").fill("Tu veux déléguer sans perdre le fil.")
    table.click(dragos, button(dragos, "J’ai reformulé"), expect="Tu veux déléguer")
    table.click(amina, button(amina, "Je passe"))
    table.click(paul, button(paul, "Je passe"))
    expect(juliette.page.locator("#request")).to_have_attribute("required", "")
    no_axe_violation(juliette)
    juliette.page.locator("#request").fill("Aidez-moi à déléguer le suivi sans perdre le fil")
    table.click(juliette, button(juliette, "Valider le contrat"), expect="Consultation")
    for person in everyone:
        expect(person.page.locator("#live .contract")).to_contain_text(
            "Aidez-moi à déléguer le suivi sans perdre le fil"
        )

    # --- The consultation: five ideas, the secrétaire writes, the client keeps three. ------
    dragos.page.locator("#speak-text").fill("Commencer par un seul domaine")
    table.click(dragos, button(dragos, "J’ai terminé"), expect="Commencer par un seul domaine")
    idea(juliette, "un seul domaine").locator("input[name=note]").fill("dès lundi")
    table.click(juliette, idea(juliette, "un seul domaine").get_by_role("button"),
                expect="Retenue par le client — dès lundi")
    # Amina, secrétaire, writes two ideas said out of turn, then her own on her turn.
    for text, by in (("Un binôme avec Marc", "Paul"), ("Déléguer ce qui est documenté", "Dragos")):
        amina.page.locator("#idea-text").fill(text)
        amina.page.locator("#idea-person").select_option(label=by)
        table.click(amina, button(amina, "Ajouter l’idée"), expect=text)
    table.click(juliette, idea(juliette, "binôme").get_by_role("button"),
                expect="Retenue par le client")
    no_axe_violation(amina, juliette, lucie)
    amina.page.locator("#speak-text").fill("Un point hebdomadaire court")
    table.click(amina, button(amina, "J’ai terminé"), expect="Un point hebdomadaire court")
    table.click(juliette, idea(juliette, "hebdomadaire").get_by_role("button"))
    # Paul's turn: the secrétaire writes what he says, which ends his turn and the round.
    expect(amina.page.locator("label[for=secretaire-text]")).to_have_text("Ce que propose Paul")
    amina.page.locator("#secretaire-text").fill("Un tableau de délégation")
    table.click(amina, button(amina, "Noter l’idée de Paul"), expect="Synthèse et plan d’action")
    for person in everyone:
        ideas = person.page.locator("#live .ideas li")
        expect(ideas).to_have_count(5)
        expect(ideas.filter(has_text="Retenue par le client")).to_have_count(3)
        expect(ideas.filter(has_text="Un binôme avec Marc")).to_contain_text("Paul")

    # --- The synthèse and a dated plan, one action at least by the next session. ----------
    synthesis = "Je délègue le suivi à Marc, un domaine à la fois."
    juliette.page.locator("#synthesis-text").fill(synthesis)
    table.click(juliette, button(juliette, "Enregistrer la synthèse"), expect=synthesis)
    juliette.page.locator("#action-text").fill("Choisir le premier domaine")
    juliette.page.locator("#action-due").fill("2030-01-31")
    juliette.page.locator("#action-sign").fill("Marc suit les tickets de ce domaine")
    table.click(juliette, button(juliette, "Ajouter l’action"),
                expect="Choisir le premier domaine · pour le 31 janvier 2030")
    # Due long after the next session: not achievable by then, said in French.
    button(juliette, "Plan terminé").click()
    expect(juliette.page.locator("#flash")).to_contain_text(
        "Il faut au moins une action réalisable d’ici la prochaine séance"
    )
    juliette.page.locator("#action-text").fill("Parler à Marc")
    juliette.page.locator("#action-sign").fill("Marc a dit oui")
    table.click(juliette, button(juliette, "Ajouter l’action"),
                expect="Parler à Marc · d’ici la prochaine séance")
    for person in everyone:
        expect(person.live()).to_contain_text("Signe de réussite : Marc suit les tickets")
    no_axe_violation(juliette, dragos, lucie)
    table.click(juliette, button(juliette, "Plan terminé"), expect="Apprentissages")
    no_axe_violation(lucie)

    # --- Apprentissages: the animateur, not at the table, shares hers too. -----------------
    lucie.page.locator("#learn-text").fill("Laisser plus de silence après les questions")
    table.click(lucie, button(lucie, "Partager mes apprentissages"),
                expect="Laisser plus de silence")
    expect(lucie.page.locator("#learn-text")).to_have_count(0)  # once
    for person in (dragos, amina, paul):
        table.click(person, button(person, "Je passe"))
    juliette.page.locator("#speak-text").fill("Je repars avec un plan.")
    table.click(juliette, button(juliette, "J’ai terminé"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Terminer la séance"), expect="Séance terminée")

    # --- Between sessions, then the report back of the next one. --------------------------
    juliette.page.goto("/actions/")
    action = juliette.page.locator(".action-list > li", has_text="Parler à Marc")
    action.get_by_label("Note (facultative)").fill("Marc a dit oui, on commence lundi")
    action.get_by_role("button", name="Enregistrer", exact=True).click()
    juliette.page.get_by_text("Marc a dit oui, on commence lundi").first.wait_for()
    lucie = table.open("Lucie", index=1)
    juliette = table.open("Juliette", index=1)
    for name in ("Dragos", "Amina", "Paul"):
        table.open(name, index=1)
    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"),
                expect="Retour sur les actions")
    for person in (lucie, juliette):
        item = person.page.locator("#live .reports li", has_text="Parler à Marc")
        expect(item).to_contain_text("La dernière fois : Marc a dit oui, on commence lundi")
