"""Redis goes down in the middle of a session: the database is the truth, nothing is lost.

Uses a private redis-server on a free port (the shared one is never touched).
"""

import json
import subprocess
import sys
import time

import pytest

from .client import Client, chromium_page, receive, version_of
from .conftest import ROOT

pytestmark = pytest.mark.live

UNAVAILABLE = "channel layer unavailable"


@pytest.fixture(scope="module")
def stack(start_redis, start_daphne):
    redis = start_redis()
    web = start_daphne(REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    return redis, web


def container_healthcheck(web):
    """deploy/healthcheck.py, as the web container runs it (Host from ALLOWED_HOSTS)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "healthcheck.py")],
        env={**web.env, "PORT": str(web.port)}, capture_output=True, timeout=30,
    )
    return result.returncode


def wait_for(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_clicks_succeed_while_redis_is_down_and_everyone_catches_up(stack, seeded):
    redis, web = stack
    port = web.port
    sid = seeded["session"]
    lucie = Client(port).sign_in(seeded["links"]["Lucie"])
    juliette = Client(port).sign_in(seeded["links"]["Juliette"])
    dragos = Client(port).sign_in(seeded["links"]["Dragos"])
    juliette.open(sid)
    dragos.open(sid)

    with juliette.websocket(sid) as open_socket:
        v0 = receive(open_socket, 5)["version"]
        redis.kill()

        # The facilitator's click still succeeds, and so does the next one.
        t = time.monotonic()
        first = lucie.command(sid, type="start", version=v0)
        assert first.status == 200, first.text[:300]
        second = juliette.command(
            sid, type="propose", keyword="équilibre", version=version_of(first.text)
        )
        assert second.status == 200, second.text[:300]
        print(f"two POSTs with Redis down: {(time.monotonic() - t) * 1000:.0f} ms")
        now = version_of(second.text)

        # Logged once for the outage, not once per click.
        assert web.log().count(UNAVAILABLE) == 1, web.log()[-3000:]

        # The load balancer learns that this process has lost its channel layer.
        health = Client(port).get("/healthz")
        assert health.status == 503
        assert json.loads(health.text) == {
            "status": "error", "database": "ok", "channel_layer": "error"
        }
        assert container_healthcheck(web) == 1  # docker compose marks the replica unhealthy

        # Participants catch up by polling (live.js polls while its socket is down, and
        # slowly even while it is up).
        caught_up = dragos.get(f"/s/{sid}/live/?v={v0}")
        assert caught_up.status == 200
        assert version_of(caught_up.text) == now and "équilibre" in caught_up.text
        assert dragos.get(f"/s/{sid}/live/?v={now}").status == 204

        redis.start()
        assert wait_for(lambda: Client(port).get("/healthz").status == 200, 15)
        assert container_healthcheck(web) == 0

        # A (re)connecting page gets the current state first.
        with dragos.websocket(sid) as fresh:
            assert receive(fresh, 5)["version"] == now
            # Live updates flow again, to new sockets and to the one open all along.
            third = lucie.command(sid, type="propose", keyword="confiance", version=now)
            assert third.status == 200, third.text[:300]
            assert receive(fresh, 2)["version"] == now + 1
        latest = None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            latest = receive(open_socket, 5)["version"]
            if latest == now + 1:
                break
        assert latest == now + 1
    assert "channel layer available again" in web.log()


@pytest.mark.browser
def test_open_page_catches_up_while_redis_is_still_down(stack, seeded):
    """The page's socket stays open but hears nothing while Redis is down: live.js asks
    the server every 12-15 s anyway, so the page shows the step without a reload."""
    from playwright.sync_api import expect

    redis, web = stack
    port = web.port
    sid = seeded["session"]
    lucie = Client(port).sign_in(seeded["links"]["Lucie"])
    juliette = Client(port).sign_in(seeded["links"]["Juliette"])
    juliette.open(sid)
    with chromium_page(juliette) as page:
        page.goto(f"http://127.0.0.1:{port}/s/{sid}/")
        expect(page.locator("#connection")).to_have_text("En direct", timeout=10_000)
        shown = page.locator("#live").get_attribute("data-version")

        redis.kill()
        try:
            step = lucie.command(sid, type="start", version=shown)
            assert step.status == 200
            new = version_of(step.text)
            expect(page.locator("#live")).to_have_attribute(
                "data-version", str(new), timeout=20_000
            )
            expect(page.locator("body")).to_have_class("my-turn")
        finally:
            redis.start()
