"""A live update swaps only the regions it changed: what is typed elsewhere and the keyboard's
focus stay where they were."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_text_typed_in_one_region_survives_another_persons_click_elsewhere(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.open("Dragos")
    table.open("Amina")
    table.start_keyword_round(lucie)

    # Juliette starts typing her keyword, then looks elsewhere on the page.
    field = juliette.page.locator("#keyword")
    expect(field).to_be_focused()
    field.type("équilibre de vie")
    field.evaluate("node => { node.dataset.typedHere = 'yes'; }")
    juliette.page.locator("h1").click()
    expect(field).not_to_be_focused()

    # Meanwhile Lucie marks Amina absent: the turn order and the presence change, not
    # Juliette's keyword field.
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Marquer Amina absent·e"),
        expect="absent·e",
    )
    expect(juliette.page.locator("#live .queue li", has_text="Amina")).to_contain_text("absent·e")
    expect(field).to_have_value("équilibre de vie")
    # The very field she typed in: not a copy put back.
    assert field.evaluate("node => node.dataset.typedHere") == "yes"


def test_the_keyboards_focus_stays_on_the_control_after_a_live_action(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    for name in ("Juliette", "Dragos", "Amina"):
        table.open(name)
    table.start_keyword_round(lucie)

    # Lucie types Juliette's keyword and presses Enter: the field is hers again for Dragos's.
    keyword = lucie.page.locator("#keyword")
    keyword.focus()
    keyword.type("équilibre")
    table.act(
        lucie,
        "Lucie proposes Juliette's keyword",
        lambda: keyword.press("Enter"),
        expect="« équilibre »",
    )
    expect(lucie.page.get_by_label("Mot-clé de Dragos")).to_be_focused()

    # From the keyboard, « Dragos passe »: the focus stays on the same button, now Amina's.
    lucie.page.get_by_role("button", name="Dragos passe").focus()
    table.act(
        lucie,
        "Lucie says Dragos passes",
        lambda: lucie.page.keyboard.press("Enter"),
        expect="Amina",
    )
    expect(lucie.page.get_by_role("button", name="Amina passe")).to_be_focused()
    # The next Tab goes on from there, not from the top of the page.
    lucie.page.keyboard.press("Tab")
    focused = lucie.page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Absent·e\u00a0: tour suivant"
