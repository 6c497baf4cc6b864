"""A daphne process killed in the middle of a session, then started again."""

import pytest
from websockets.exceptions import ConnectionClosed

from .client import Client, chromium_page, receive, version_of

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def pair(start_daphne):
    return start_daphne(name="daphne-A"), start_daphne(name="daphne-B")


def test_killed_process_comes_back_with_the_state_intact_and_clients_resync(pair, seeded):
    a, b = pair
    port_a, port_b = a.port, b.port
    sid = seeded["session"]
    lucie = Client(port_a).sign_in(seeded["links"]["Lucie"])
    juliette = Client(port_b).sign_in(seeded["links"]["Juliette"])
    dragos = Client(port_b).sign_in(seeded["links"]["Dragos"])
    juliette.open(sid)
    dragos.open(sid)
    started = lucie.command(sid, type="start")
    assert started.status == 200
    proposed = juliette.command(
        sid, type="propose", keyword="équilibre", version=version_of(started.text)
    )
    assert proposed.status == 200
    before = version_of(proposed.text)

    with dragos.websocket(sid) as ws:
        assert receive(ws, 5)["version"] == before
        b.kill()  # SIGKILL: no goodbye to anyone
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)

    # The session goes on through A while B is down: Lucie proposes for Dragos.
    during = lucie.command(sid, type="propose", keyword="confiance", version=before)
    assert during.status == 200, during.text[:300]
    now = version_of(during.text)
    assert now == before + 1

    b.start()
    # A browser reconnecting to B gets the true current state as its very first message.
    with dragos.websocket(sid) as ws:
        first = receive(ws, 5)
        assert first["version"] == now
        assert "équilibre" in first["html"] and "confiance" in first["html"]
    # And the polling fallback on B agrees.
    polled = dragos.get(f"/s/{sid}/live/?v={before}")
    assert polled.status == 200 and version_of(polled.text) == now
    assert dragos.get(f"/s/{sid}/live/?v={now}").status == 204
    # The session state on A is the same: nothing was lost or doubled.
    assert version_of(juliette.on(port_a).get(f"/s/{sid}/live/").text) == now
    assert a.proc.poll() is None


@pytest.mark.browser
def test_open_page_reconnects_by_itself_after_its_process_restarts(pair, seeded):
    """static/js/live.js: the socket closes, the page retries with backoff, and shows the
    state made meanwhile through another process without a reload."""
    from playwright.sync_api import expect

    a, b = pair
    port_a, port_b = a.port, b.port
    sid = seeded["session"]
    lucie = Client(port_a).sign_in(seeded["links"]["Lucie"])
    juliette = Client(port_b).sign_in(seeded["links"]["Juliette"])
    juliette.open(sid)
    Client(port_b).sign_in(seeded["links"]["Dragos"]).open(sid)

    with chromium_page(juliette) as page:
        console, script_errors = [], []
        page.on("console", lambda m: console.append(m.text))
        page.on("pageerror", lambda e: script_errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{port_b}/s/{sid}/")
        expect(page.locator("#connection")).not_to_have_class("connection offline", timeout=10_000)
        expect(page.locator("#connection")).to_have_text("En direct", timeout=10_000)
        shown = int(page.locator("#live").get_attribute("data-version"))

        b.kill()
        expect(page.locator("#connection")).to_have_class("connection offline", timeout=10_000)
        step = lucie.command(sid, type="start", version=shown)
        assert step.status == 200
        new = version_of(step.text)
        b.start()

        expect(page.locator("#live")).to_have_attribute("data-version", str(new), timeout=20_000)
        expect(page.locator("#connection")).to_have_text("En direct", timeout=20_000)
        expect(page.locator("body")).to_have_class("my-turn", timeout=5_000)
        # No script error and nothing blocked by the Content Security Policy.
        assert script_errors == []
        assert [m for m in console if "Content Security Policy" in m] == []
