"""Seed 000's story, clicked through by five people in five browsers.

Every step must reach every page of the session within one second of the click (timed inside
the pages, see harness.Table.act) and show what changed.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def propose(table, person, keyword):
    person.page.locator("#keyword").fill(keyword)
    return table.click(
        person,
        button(person, "Proposer"),
        expect=f"« {keyword} »",
        label=f"{person.name} proposes {keyword}",
    )


def own_pass(table, person, expect=None):
    return table.click(
        person,
        button(person, "Je passe"),
        expect=expect,
        label=f"{person.name} passes from their page",
    )


def recorded_pass(table, facilitator, name, expect=None):
    return table.click(
        facilitator,
        button(facilitator, f"{name} passe"),
        expect=expect,
        label=f"facilitator records that {name} passes",
    )


def speak(table, person, text, done_label, expect=None):
    person.page.locator("#speak-text").fill(text)
    return table.click(
        person, button(person, done_label), expect=expect or text, label=f"{person.name} speaks"
    )


def subject_titles(person):
    # Spaces of any kind as one (French puts non-breaking ones inside « »).
    texts = person.page.locator("#live .subjects li .kw").all_inner_texts()
    return [" ".join(t.split()) for t in texts]


def test_seed_000_story_reaches_every_page_within_a_second(table_for):
    table = table_for(sessions=2)
    lucie = table.open("Lucie")
    juliette, dragos, amina, paul = (
        table.open(name) for name in ("Juliette", "Dragos", "Amina", "Paul")
    )
    everyone = [lucie, juliette, dragos, amina, paul]
    # Arrival order is the order of the table.
    expect(lucie.page.locator("#live .seating li")).to_have_count(4)
    assert [
        t.split("\n")[0]
        for t in lucie.page.locator("#live .seating li > span:first-child").all_inner_texts()
    ] == ["Juliette", "Dragos", "Amina", "Paul"]

    # --- The keyword round: one keyword per turn, or a pass; it ends when a whole round passes.
    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Tour de mots-clés")
    for person in everyone:
        expect(person.page.locator("#live .speaker-name")).to_have_text("Juliette")
    own_pass(table, juliette, expect="Dragos")
    propose(table, dragos, "roadmap")
    propose(table, amina, "recrutement")
    recorded_pass(table, lucie, "Paul", expect="tour 2")
    propose(table, juliette, "équilibre")
    recorded_pass(table, lucie, "Dragos")
    own_pass(table, amina)
    own_pass(table, paul, expect="tour 3")
    own_pass(table, juliette)
    recorded_pass(table, lucie, "Dragos")
    recorded_pass(table, lucie, "Amina")
    recorded_pass(table, lucie, "Paul", expect="Ordre des sujets")
    for person in everyone:
        assert subject_titles(person) == ["« roadmap »", "« recrutement »", "« équilibre »"]

    # --- Is any subject urgent? Juliette's is: it goes first.
    row = lucie.page.locator("#live .subjects li", has_text="équilibre")
    row.get_by_label("Gérer « équilibre »", exact=True).click()
    urgent = row.get_by_role("button", name="Marquer « équilibre » urgent", exact=True)
    table.click(lucie, urgent, expect="urgent", label="équilibre marked urgent")
    for person in everyone:
        assert subject_titles(person) == ["« équilibre »", "« roadmap »", "« recrutement »"]
        expect(
            person.page.locator("#live .subjects li").first.locator(".tag.urgent")
        ).to_be_visible()

    # --- Juliette's subject: exposé, two clarification rounds (the second all passes),
    # one réaction round, panier.
    table.click(
        lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « équilibre » (Juliette)"
    )
    for person in everyone:
        expect(person.page.locator("#live .steps [aria-current=step]")).to_have_text("Exposé")
    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")
    for person in everyone:
        expect(person.page.locator("#live .speaker-name")).to_have_text("Dragos")
    speak(table, dragos, "Qu’entends-tu par équilibre ?", "J’ai posé ma question")
    own_pass(table, amina)
    speak(table, paul, "Depuis quand est-ce difficile ?", "J’ai posé ma question", expect="tour 2")
    recorded_pass(table, lucie, "Dragos")
    recorded_pass(table, lucie, "Amina")
    own_pass(table, paul, expect="Réaction")
    for person in everyone:
        expect(person.page.locator("#live .steps [aria-current=step]")).to_have_text("Réaction")
    speak(table, dragos, "Bloquer des créneaux sans réunion.", "J’ai terminé")
    speak(table, amina, "Je vis la même chose.", "J’ai terminé")
    recorded_pass(table, lucie, "Paul", expect="Panier")
    basket = juliette.page.locator("#live .panier li", has_text="Bloquer des créneaux")
    basket.locator("input[name=note]").fill("Essayer dès lundi")
    table.click(
        juliette,
        basket.get_by_role("button", name="Je prends"),
        expect="Dans le panier — Essayer dès lundi",
        label="Juliette takes a reaction",
    )
    table.click(juliette, button(juliette, "Panier terminé"), expect="Ordre des sujets")
    for person in everyone:
        expect(person.page.locator("#live .handled")).to_contain_text("équilibre")
        assert subject_titles(person) == ["« roadmap »", "« recrutement »"]

    # --- A second subject, in arrival order: Dragos' roadmap.
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « roadmap » (Dragos)")
    table.click(lucie, button(lucie, "Exposé terminé"), expect="Clarification")
    recorded_pass(table, lucie, "Amina")
    recorded_pass(table, lucie, "Paul")
    recorded_pass(table, lucie, "Juliette", expect="Réaction")
    speak(table, amina, "Partager la roadmap plus tôt.", "J’ai terminé")
    own_pass(table, paul)
    speak(table, juliette, "Une roadmap par objectifs.", "J’ai terminé", expect="Panier")
    table.click(dragos, button(dragos, "Panier terminé"), expect="Ordre des sujets")

    # --- The end: what is left stays in the backlog.
    table.click(lucie, button(lucie, "Terminer la séance"), expect="Séance terminée")
    for person in everyone:
        expect(person.live()).to_contain_text(
            "1 sujet reste en attente pour la prochaine séance."
        )
        expect(person.live()).to_contain_text("Sujets traités : « équilibre », « roadmap ».")
        assert subject_titles(person) == ["« recrutement »"]

    # --- The next session's keyword round shows it, from the previous session.
    for person in everyone:
        table.open(person.name, index=1)
    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Tour de mots-clés")
    for person in everyone:
        carried = person.page.locator("#live .subjects li", has_text="recrutement")
        expect(carried).to_contain_text("Amina")
        expect(carried.locator(".tag.carried")).to_have_text("séance précédente")
    # Every step above was timed on every page open on the session at that moment.
    assert all(len(step.latencies) == 5 for step in table.steps)
