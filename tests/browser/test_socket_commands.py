"""Commands travel over the page's open websocket; a socket that drops in the middle of a
click loses nothing and applies nothing twice."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Run in the page: the next command frame is sent, then the socket is closed at once, before
# the server's answer can arrive (``sent``: whether the frame left at all).
DROP_AFTER_NEXT_COMMAND = """sent => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!String(data).includes('"command"')) return send.call(this, data);
    WebSocket.prototype.send = send;
    window.__commandFrames = (window.__commandFrames || 0) + 1;
    if (sent) send.call(this, data);
    this.close();
  };
}"""


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def posts_to_command(person) -> list:
    seen = []
    person.page.on("request", lambda r: seen.append(r) if r.url.endswith("/do/") else None)
    return seen


def test_clicks_go_over_the_socket_not_through_a_request(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    lucie_posts, juliette_posts = posts_to_command(lucie), posts_to_command(juliette)
    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("recrutement")
    table.click(juliette, button(juliette, "Proposer"), expect="« recrutement »")
    assert lucie_posts == juliette_posts == []


def test_a_socket_dropped_mid_click_applies_the_command_exactly_once(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    dragos = table.open("Dragos")
    table.start_keyword_round(lucie)
    table.allowed.append("WebSocket")  # the dropped socket and its reconnect are logged

    # The frame reaches the server, the answer is lost with the socket: the page sends the
    # same command again through the POST, which acknowledges it without applying it again.
    posted = posts_to_command(juliette)
    juliette.page.evaluate(DROP_AFTER_NEXT_COMMAND, True)
    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, button(juliette, "Proposer"), expect="« délégation »")
    assert juliette.page.evaluate("() => window.__commandFrames") == 1
    dragos.page.wait_for_timeout(500)  # time for a second application to show, if any
    version = lucie.version()
    for person in (lucie, juliette, dragos):
        expect(person.page.locator("#live .subjects .kw", has_text="délégation")).to_have_count(1)
        assert person.version() == version
    assert len(posted) == 1, "the unanswered command is sent again through the POST"
    expect(dragos.page.locator("#live .speaker-name")).to_have_text("Dragos")
    table.wait_connected(juliette)  # and the page is live again

    # The frame never left: the POST applies it, once.
    table.allowed.append("WebSocket")
    dragos.page.evaluate(DROP_AFTER_NEXT_COMMAND, False)
    dragos.page.locator("#keyword").fill("feedback")
    table.click(dragos, button(dragos, "Proposer"), expect="« feedback »")
    for person in (lucie, juliette, dragos):
        expect(person.page.locator("#live .subjects .kw", has_text="feedback")).to_have_count(1)
    assert lucie.version() == version + 1


def test_a_refused_command_keeps_what_was_typed(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.start_keyword_round(lucie)
    # The facilitator types Juliette's keyword, but Juliette passes first: the facilitator's
    # command comes on a version that is gone.
    lucie.page.locator("#keyword").fill("un mot-clé tapé")
    lucie.page.evaluate(
        "() => { document.getElementById('live').setAttribute('hx-vals', '{\"version\": 0}') }"
    )
    lucie.page.get_by_role("button", name="Proposer").click()
    expect(lucie.page.locator("#flash")).to_contain_text("Quelqu’un d’autre vient d’agir")
    expect(lucie.page.locator("#keyword")).to_have_value("un mot-clé tapé")
    expect(juliette.page.locator("#live .subjects .kw")).to_have_count(0)
