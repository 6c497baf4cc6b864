"""A codéveloppement subject through its six steps, seen by everyone (seeds 002 and 003)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STEPS = (
    "Exposé",
    "Clarification",
    "Contrat",
    "Consultation",
    "Synthèse et plan d’action",
    "Apprentissages",
)


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def test_codev_subject_goes_through_its_six_steps(table_for):
    table = table_for(format="codev")
    lucie = table.open("Lucie")
    juliette, dragos, amina, paul = (table.open(n) for n in ("Juliette", "Dragos", "Amina", "Paul"))
    everyone = [lucie, juliette, dragos, amina, paul]

    def at_step(name):
        for person in everyone:
            current = person.page.locator("#live .steps [aria-current=step]")
            expect(current).to_have_text(name)
            done = person.page.locator("#live .steps li.done")
            expect(done).to_have_count(STEPS.index(name))

    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Tour de mots-clés")
    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, button(juliette, "Proposer"), expect="« délégation »")
    # The facilitator closes the keyword round early (after confirming).
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Ordre des sujets")
    table.click(
        lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « délégation » (Juliette)"
    )
    at_step("Exposé")
    for person in everyone:
        expect(person.page.locator("#live .steps li")).to_have_text(list(STEPS))

    # 1 → 2. The client ends the exposé from her page.
    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")
    at_step("Clarification")
    dragos.page.locator("#speak-text").fill("Que délègues-tu aujourd’hui ?")
    table.click(dragos, button(dragos, "J’ai posé ma question"), expect="Que délègues-tu")
    # The facilitator ends the clarification phase early (after confirming).
    table.click(lucie, button(lucie, "Terminer la phase"), expect="Contrat")

    # 3. Contrat: the consultants reformulate in turn, then the client says what help she
    # expects.
    at_step("Contrat")
    dragos.page.locator("#speak-text").fill("Tu veux déléguer sans tout contrôler ?")
    table.click(dragos, button(dragos, "J’ai reformulé"), expect="Tu veux déléguer")
    table.click(amina, button(amina, "Je passe"))
    table.click(paul, button(paul, "Je passe"))
    for other in (dragos, amina, paul):
        expect(button(other, "Valider le contrat")).to_be_hidden()
    juliette.page.locator("#request").fill("Des idées pour déléguer sans perdre le fil.")
    table.click(juliette, button(juliette, "Valider le contrat"), expect="Consultation")

    # 4. Consultation: one round of the consultants, not the client.
    at_step("Consultation")
    for person in everyone:
        expect(person.page.locator("#live .queue li")).to_have_count(3)
        expect(person.live()).to_contain_text("Des idées pour déléguer sans perdre le fil.")
    dragos.page.locator("#speak-text").fill("Commencer par un seul domaine.")
    table.click(dragos, button(dragos, "J’ai terminé"), expect="Commencer par un seul domaine.")
    amina.page.locator("#speak-text").fill("Un point hebdomadaire court.")
    table.click(amina, button(amina, "J’ai terminé"), expect="Un point hebdomadaire court.")
    table.click(paul, button(paul, "Je passe"), expect="Synthèse et plan d’action")

    # 5. Synthèse: the client writes her action plan; at least one action is needed.
    at_step("Synthèse et plan d’action")
    expect(button(juliette, "Plan terminé")).to_be_disabled()
    juliette.page.locator("#action-text").fill("Déléguer le suivi des tickets à Marc")
    table.click(
        juliette, button(juliette, "Ajouter l’action"),
        expect="Déléguer le suivi des tickets à Marc",
    )
    table.click(juliette, button(juliette, "Plan terminé"), expect="Apprentissages")

    # 6. Apprentissages: one round for everyone, the client included, last.
    at_step("Apprentissages")
    for person in everyone:
        expect(person.page.locator("#live .queue li > span:first-child")).to_have_text(
            ["Dragos", "Amina", "Paul", "Juliette"]
        )
    table.click(dragos, button(dragos, "Je passe"))
    amina.page.locator("#speak-text").fill("Je repars avec une idée.")
    table.click(amina, button(amina, "J’ai terminé"), expect="Je repars avec une idée.")
    table.click(lucie, button(lucie, "Paul passe"))
    juliette.page.locator("#speak-text").fill("Je me sens plus légère.")
    table.click(juliette, button(juliette, "J’ai terminé"), expect="Ordre des sujets")

    # The subject is handled, with its action plan kept.
    for person in everyone:
        expect(person.page.locator("#live .handled")).to_contain_text("délégation")
    expect(lucie.live()).to_contain_text("Tous les sujets ont été traités.")
