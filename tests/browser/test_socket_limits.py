"""A command too long for the socket's frame: the page never sends it there, and if a frame
is refused as too long all the same, the page says why and reconnects without sending it
over a socket again (sessions_app/consumers.py MAX_FRAME, static/js/live.js maxFrame)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAX_FRAME = 16384

# Run in the page: the length of every frame the page sends over its sockets; with ``pad``,
# the next command frame is made longer than the server reads (spaces after the JSON: the
# same command, as a page whose limit differed from the server's would send it).
WATCH_FRAMES = """pad => {
  window.__frames = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (pad && String(data).includes('"command"')) { pad = 0; data = data + " ".repeat(20000); }
    window.__frames.push(String(data).length);
    return send.call(this, data);
  };
}"""


def posts_to_command(person) -> list:
    seen = []
    person.page.on("request", lambda r: seen.append(r) if r.url.endswith("/do/") else None)
    return seen


def test_a_command_too_long_for_a_frame_goes_through_the_post_which_says_what_is_too_long(
    table_for,
):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.start_keyword_round(lucie)
    table.allowed.append("status of 400")  # the POST's refusal, logged by the browser
    posted = posts_to_command(juliette)
    juliette.page.evaluate(WATCH_FRAMES, 0)
    long_keyword = "x" * 20000  # past the field's maxlength, as a script could set it
    juliette.page.evaluate("v => { document.getElementById('keyword').value = v; }", long_keyword)
    juliette.page.get_by_role("button", name="Proposer").click()
    expect(juliette.page.locator("#flash")).to_contain_text("Texte trop long (60 caractères")
    expect(juliette.page.locator("#keyword")).to_have_value(long_keyword)  # given back
    assert len(posted) == 1
    assert max(juliette.page.evaluate("() => window.__frames"), default=0) <= MAX_FRAME
    table.wait_connected(juliette)  # the socket was never closed over it
    expect(lucie.page.locator("#live .subjects .kw")).to_have_count(0)


def test_a_frame_refused_as_too_long_is_said_and_the_page_reconnects_without_resending_it(
    table_for,
):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.start_keyword_round(lucie)
    table.allowed.append("WebSocket")  # the closed socket and its reconnect may be logged
    posted = posts_to_command(juliette)
    juliette.page.evaluate(WATCH_FRAMES, 1)
    juliette.page.locator("#keyword").fill("recrutement")
    juliette.page.get_by_role("button", name="Proposer").click()
    # The server said why before closing (1009): the page shows it, in its language.
    expect(juliette.page.locator("#flash")).to_contain_text(
        "Envoi trop long pour la connexion en direct."
    )
    # The command went once through the POST, which applied it; the page is live again.
    for person in (lucie, juliette):
        expect(person.page.locator("#live .subjects .kw", has_text="recrutement")).to_have_count(1)
    table.wait_connected(juliette)
    assert len(posted) == 1
    frames = juliette.page.evaluate("() => window.__frames")
    assert [n for n in frames if n > MAX_FRAME] == [frames[0]]  # sent over a socket once
