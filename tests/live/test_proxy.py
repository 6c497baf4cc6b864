"""deploy/Caddyfile, run natively in front of two daphne processes, as compose runs it."""

import shutil
import time

import pytest

from .client import Client, receive, version_of
from .conftest import ROOT, Process, free_port

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def behind_proxy(start_daphne, tmp_path_factory):
    """Caddy on a free port (and its admin endpoint on another) before daphne A and B: the
    proxy's address first, then the three processes."""
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (Debian package `caddy`)")
    # Access logs on, to see which process served each request.
    a = start_daphne(name="daphne-A", access_log=True)
    b = start_daphne(name="daphne-B", access_log=True)
    proxy_port, admin_port = free_port(), free_port()
    home = tmp_path_factory.mktemp("caddy")
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PATH": "/usr/bin:/bin",
        "SITE_ADDRESS": f"http://127.0.0.1:{proxy_port}",
        # compose says "dynamic a web 8000": every replica of the web service.
        "WEB_UPSTREAMS": f"to 127.0.0.1:{a.port} 127.0.0.1:{b.port}",
        "CADDY_ADMIN": f"127.0.0.1:{admin_port}",
    }

    def ready():
        try:
            return Client(proxy_port).get("/healthz").status == 200
        except OSError:
            return False

    proxy = Process(
        "caddy",
        [caddy, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env, home, ready, ports=(proxy_port, admin_port),
    )
    try:
        yield proxy, a, b
    finally:
        proxy.stop()


def test_proxy_spreads_requests_over_both_processes(behind_proxy):
    proxy, a, b = behind_proxy
    before = a.log().count("GET /healthz"), b.log().count("GET /healthz")
    for _ in range(6):
        assert Client(proxy.port).get("/healthz").status == 200
    time.sleep(0.3)
    after = a.log().count("GET /healthz"), b.log().count("GET /healthz")
    assert after[0] - before[0] >= 2 and after[1] - before[1] >= 2, (before, after)


def test_a_client_cannot_pick_its_address_to_escape_the_sign_in_link_limit(behind_proxy):
    """Each request claims another X-Forwarded-For: Caddy replaces it with the address it
    saw, daphne takes that one, and both processes count it in the same Redis."""
    browser = Client(behind_proxy[0].port)
    token = browser.csrf_from(browser.get("/login/"))
    answers = []
    for i in range(6):
        response = browser.post(
            "/login/",
            {"csrfmiddlewaretoken": token, "email": f"personne-{i}@example.org"},
            headers={"X-Forwarded-For": f"203.0.113.{i}, 198.51.100.{i}"},
        )
        answers.append(response)
    assert [r.status for r in answers] == [302] * 5 + [429]
    assert "Trop de demandes de lien depuis votre connexion" in answers[-1].text
    assert "personne-5@example.org" in answers[-1].text  # kept in the form


def test_websockets_pass_through_the_proxy_and_survive_a_replica_dying(behind_proxy, seeded):
    proxy, a, b = behind_proxy
    sid = seeded["session"]
    lucie = Client(proxy.port).sign_in(seeded["links"]["Lucie"])
    juliette = Client(proxy.port).sign_in(seeded["links"]["Juliette"])
    assert juliette.open(sid).status == 200
    with juliette.websocket(sid) as ws:
        first = receive(ws, 5)
        step = lucie.command(sid, type="start", version=first["version"])
        assert step.status == 200
        assert receive(ws, 1.0)["version"] == version_of(step.text)

    b.kill()  # the last test of the module: the fixture's teardown does not mind
    # Every request still succeeds: the proxy retries on the replica that is up.
    for _ in range(4):
        assert Client(proxy.port).get("/healthz").status == 200
    with juliette.websocket(sid) as ws:
        assert receive(ws, 5)["version"] == version_of(step.text)
