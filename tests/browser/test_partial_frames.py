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


def test_a_page_that_missed_a_frame_asks_again_and_catches_up(table_for):
    """A frame is relative to the version the page showed before it: one lost on the way
    (here dropped by a proxy) and the next does not apply; the page asks for every region
    again over its socket and shows the current state."""
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.person("Juliette")
    dropping = {"next": False}
    to_server: list = []

    def proxy(ws):
        server = ws.connect_to_server()

        def from_page(message):
            to_server.append(str(message))
            server.send(message)

        def from_server(message):
            if dropping["next"] and '"regions"' in str(message):
                dropping["next"] = False
                return  # lost on the way
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    juliette.page.route_web_socket("**/ws/session/**", proxy)
    table.open("Juliette")  # first at the table: her turn comes first
    table.open("Dragos")
    expect(juliette.page.locator("#live .queue", has_text="Dragos")).to_be_visible()
    before = juliette.version()

    dropping["next"] = True
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Commencer le tour de mots-clés"),
        watchers=[lucie],
    )
    table.click(lucie, lucie.page.get_by_role("button", name="Juliette passe"), watchers=[lucie])
    juliette.page.wait_for_function(
        "v => +document.getElementById('live').dataset.version >= v", arg=before + 2
    )
    expect(juliette.page.locator("#live .speaker-name")).to_have_text("Dragos")
    expect(juliette.page.locator("#live .queue li", has_text="Juliette")).to_contain_text(
        "a passé"
    )
    assert not dropping["next"]  # the keyword round's frame was lost on the way
    assert any('"resync"' in message for message in to_server)
