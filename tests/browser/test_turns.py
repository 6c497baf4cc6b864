"""A participant acts on their own turn, from their own page; the others see it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def has_turn(person):
    return "my-turn" in (person.page.locator("body").get_attribute("class") or "").split()


def test_participant_acts_on_their_own_turn_and_everyone_sees_it(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    everyone = [lucie, juliette, dragos, amina]
    table.start_keyword_round(lucie)

    # Juliette's page says it is her turn, out loud for a screen reader too, and puts the
    # cursor in the keyword field; nobody else's page does.
    expect(juliette.page.locator(".your-turn")).to_be_visible()
    expect(juliette.page.locator("#announce")).to_have_text("C’est votre tour.")
    expect(juliette.page.locator("#keyword")).to_be_focused()
    for other in (dragos, amina):
        assert not has_turn(other)
        expect(other.page.locator(".your-turn")).to_be_hidden()
        expect(other.page.locator("#keyword")).to_be_hidden()
        expect(other.page.get_by_role("button", name="Je passe")).to_be_hidden()
        expect(other.page.locator("#announce")).to_have_text("")
        expect(other.page.locator("#live .speaker-name")).to_have_text("Juliette")

    # Each page marks its own person's name, « (vous) » after it, from the same HTML for all.
    mine = juliette.page.locator("#live .queue [data-person].me")
    expect(mine).to_have_text("Juliette")
    assert mine.evaluate("e => getComputedStyle(e, '::after').content") == '"\u00a0(vous)"'
    expect(juliette.page.locator("#live .speaker-name")).to_have_class(re.compile(r"\bme\b"))
    expect(dragos.page.locator("#live .queue .me")).to_have_text("Dragos")
    expect(lucie.page.locator("#live .me")).to_have_count(0)  # not at the table

    # She types her keyword and presses Enter: the facilitator's and the others' pages show it.
    juliette.page.keyboard.type("équilibre")
    table.act(
        juliette,
        "Juliette proposes from her page",
        lambda: juliette.page.keyboard.press("Enter"),
        expect="« équilibre »",
    )
    for person in everyone:
        expect(person.page.locator("#live .queue li", has_text="Juliette")).to_contain_text(
            "a proposé"
        )
        expect(person.page.locator("#live .speaker-name")).to_have_text("Dragos")
        expect(person.page.locator("#live .subjects")).to_contain_text("Juliette")

    # The turn moved on: Dragos' page now says so, Juliette's no longer does.
    expect(juliette.page.locator(".your-turn")).to_be_hidden()
    expect(juliette.page.locator("#announce")).to_have_text("")
    expect(dragos.page.locator(".your-turn")).to_be_visible()
    expect(dragos.page.locator("#announce")).to_have_text("C’est votre tour.")

    # Dragos passes from his page.
    table.click(dragos, dragos.page.get_by_role("button", name="Je passe"), expect="Amina")
    for person in everyone:
        expect(person.page.locator("#live .queue li", has_text="Dragos")).to_contain_text("a passé")

    # Amina proposes hers with the button; only the keyword she typed reaches the others.
    amina.page.locator("#keyword").fill("  recrutement   difficile ")
    table.click(
        amina, amina.page.get_by_role("button", name="Proposer"), expect="« recrutement difficile »"
    )

    # Round 2 for everyone: Juliette may withdraw her own subject from her page, through its
    # menu, named after it for a screen reader; Dragos has no menu on her subject.
    hers = juliette.page.locator("#live .subjects li", has_text="équilibre")
    theirs = dragos.page.locator("#live .subjects li", has_text="équilibre")
    expect(theirs.locator("summary")).to_be_hidden()
    expect(theirs.get_by_role("button", name="Retirer le sujet")).to_have_count(0)
    hers.get_by_label("Gérer « équilibre »", exact=True).click()
    # A step made by someone else meanwhile leaves her menu open.
    table.click(lucie, lucie.page.get_by_role("button", name="Juliette passe"), expect="Dragos")
    withdraw = hers.get_by_role("button", name="Retirer le sujet « équilibre »", exact=True)
    expect(withdraw).to_be_visible()
    table.click(juliette, withdraw, label="Juliette withdraws her subject")
    for person in everyone:
        expect(person.page.locator("#live .subjects")).not_to_contain_text("équilibre")
