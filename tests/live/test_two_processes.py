"""Two daphne processes behind one load balancer share PostgreSQL and Redis."""

import re
import time

import pytest
from websockets.exceptions import ConnectionClosed

from .client import Client, receive, version_of
from .conftest import ROOT

pytestmark = pytest.mark.live


def shown(frame: dict) -> str:
    """What a frame shows: every region (a connect's), or those a step changed."""
    return frame["html"] if "html" in frame else frame["open"] + "".join(frame["regions"].values())


@pytest.fixture(scope="module")
def two(start_daphne):
    """The ports of two daphne processes (A, B) sharing the database and Redis."""
    a, b = start_daphne(name="daphne-A"), start_daphne(name="daphne-B")
    return a.port, b.port


def test_step_made_through_process_a_reaches_a_participant_on_process_b_within_a_second(
    two, seeded
):
    port_a, port_b = two
    sid = seeded["session"]
    # Each person signs in through whichever process the balancer picked.
    lucie = Client(port_a).sign_in(seeded["links"]["Lucie"])
    juliette = Client(port_b).sign_in(seeded["links"]["Juliette"])
    assert juliette.open(sid).status == 200  # first seat: first to speak
    for name in ("Dragos", "Amina"):
        Client(port_b).sign_in(seeded["links"][name]).open(sid)

    with juliette.websocket(sid) as ws:
        first = receive(ws, 5)
        assert first["version"] == version_of(first["html"])
        assert "Juliette" in first["html"]

        page = lucie.get(f"/s/{sid}/")  # the facilitator's page, with its CSRF token
        sent = time.monotonic()
        response = lucie.post(
            f"/s/{sid}/do/", {"type": "start", "version": first["version"]},
            headers={"X-CSRFToken": lucie.csrf_from(page), "HX-Request": "true"},
        )
        answered = time.monotonic() - sent
        assert response.status == 200, response.text[:500]
        update = receive(ws, 1.0)  # raises TimeoutError past one second
        elapsed = time.monotonic() - sent
        assert update["version"] == first["version"] + 1
        assert "stage-triage" in shown(update)
        assert elapsed < 1.0
        print(
            f"click through A: answered in {answered * 1000:.0f} ms, "
            f"on the socket on B after {elapsed * 1000:.0f} ms"
        )

        # And the other way round: a participant's own step, made through B, reaches the
        # facilitator's socket on A.
        with lucie.websocket(sid) as ws_a:
            assert receive(ws_a, 5)["version"] == update["version"]
            response = juliette.command(
                sid, type="propose", keyword="équilibre", version=update["version"]
            )
            assert response.status == 200, response.text[:500]
            on_a = receive(ws_a, 1.0)
            assert on_a["version"] == update["version"] + 1
            assert "équilibre" in shown(on_a)
        assert receive(ws, 1.0)["version"] == update["version"] + 1


def test_websocket_frame_larger_than_the_limit_is_refused_by_daphne(two, seeded):
    port_a, port_b = two
    sid = seeded["session"]
    juliette = Client(port_a).sign_in(seeded["links"]["Juliette"])
    with juliette.websocket(sid) as ws:
        receive(ws, 5)
        ws.send('{"type": "resync"}')
        assert "version" in receive(ws, 5)  # a small frame is served
        ws.send("x" * 60_000)  # under daphne's --websocket-max-message-size 65536
        assert "error" in receive(ws, 5)  # read by the consumer, answered, connection open
        ws.send("x" * 70_000)  # over the limit: daphne drops the connection
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(5):
                ws.recv(timeout=5)
        # Either a 1009 "message too big" close frame or the TCP connection cut.
        assert closed.value.rcvd is None or closed.value.rcvd.code == 1009
    # The process is unharmed.
    assert Client(port_a).get("/healthz").status == 200


def test_outsider_websocket_is_refused_on_every_process(two, seeded):
    from websockets.exceptions import InvalidStatus

    port_a, port_b = two

    anonymous = Client(port_b)
    with pytest.raises(InvalidStatus) as refused:
        with anonymous.websocket(seeded["session"]):
            pass
    assert refused.value.response.status_code == 403


def test_production_response_headers_and_static_files(two, seeded):
    port_a, port_b = two
    sid = seeded["session"]
    juliette = Client(port_a).sign_in(seeded["links"]["Juliette"])
    # As behind the proxy, which terminates TLS and says so in X-Forwarded-Proto.
    page = juliette.get(f"/s/{sid}/", headers={"X-Forwarded-Proto": "https"})
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    cache = page.headers["Cache-Control"]
    assert "no-store" in cache and "private" in cache
    # No inline script or style anywhere on the page: the CSP would block it.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert "<style" not in page.text and " style=" not in page.text
    assert not re.search(r"\son[a-z]+=", page.text)

    # Session and CSRF cookies were set Secure and the session one HttpOnly.
    login = Client(port_a).get(f"/login/link/{seeded['links']['Dragos']}/")
    cookies = " | ".join(login.headers.get_all("Set-Cookie"))
    assert "csrftoken=" in cookies and "Secure" in cookies

    # Static files: hashed names in the page, served by whitenoise from daphne itself,
    # cacheable for ever.
    scripts = re.findall(r'src="(/static/[^"]+)"', page.text)
    styles = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    assert scripts and styles
    for path in scripts + styles:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css)$", path), path
        asset = Client(port_b).get(path)
        assert asset.status == 200, path
        assert "immutable" in asset.headers["Cache-Control"]
        source = re.sub(r"\.[0-9a-f]{12}\.", ".", path.removeprefix("/static/"))
        if path.endswith(".js"):  # CSS gets its url()s rewritten to hashed names
            assert asset.body == (ROOT / "static" / source).read_bytes()


def test_health_endpoint_on_each_process(two):
    port_a, port_b = two
    for port in (port_a, port_b):
        response = Client(port).get("/healthz")
        assert response.status == 200
        assert response.text == '{"status": "ok", "database": "ok", "channel_layer": "ok"}'
