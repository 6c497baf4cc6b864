"""Live-server harness: real daphne processes on PostgreSQL and Redis, as in production.

Each test run creates its own database (``intervision_live_<pid>``), migrates it, collects
the static files, and starts daphne with the arguments of ``deploy/Dockerfile``'s CMD
(only the bind address and port change) and production settings (DEBUG off). Clients talk
to it over real HTTP and websockets. Everything is skipped, with the reason, when
PostgreSQL or Redis cannot be reached.

Services: ``LIVE_PG_URL`` (else ``PG_URL``, else a postgres ``DATABASE_URL``, else
postgres://postgres@127.0.0.1:5432/test) names a database to connect to for CREATE
DATABASE; ``LIVE_REDIS_URL`` (else ``REDIS_TEST_URL``, ``REDIS_URL``,
redis://127.0.0.1:6379/0) the shared Redis. Every server takes a free port (no fixed port),
and every process started is stopped whatever happens (see "processes" below).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.servers import Process, free_port, http_ready, stop_all, stop_running

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET = "live-tests-secret-key-that-is-long-enough-for-check-deploy-0123456789"
RUN_ID = f"{os.getpid()}"


def _pg_url():
    for name in ("LIVE_PG_URL", "PG_URL", "DATABASE_URL"):
        value = os.environ.get(name, "")
        if value.startswith(("postgres://", "postgresql://")):
            return value
    return "postgres://postgres@127.0.0.1:5432/test"


def _redis_url():
    for name in ("LIVE_REDIS_URL", "REDIS_TEST_URL", "REDIS_URL"):
        if os.environ.get(name):
            return os.environ[name]
    return "redis://127.0.0.1:6379/0"


PG_URL = _pg_url()
REDIS_URL = _redis_url()


def reachable(url, default_port):
    parts = urllib.parse.urlparse(url)
    try:
        address = (parts.hostname or "127.0.0.1", parts.port or default_port)
        with socket.create_connection(address, 2):
            return True
    except OSError:
        return False


def daphne_args(port, access_log=False):
    """The Dockerfile's CMD, bound to 127.0.0.1:<port>: the configuration compose runs.

    ``access_log`` sends daphne's access log (off in production: link paths carry tokens)
    to the process output, for a test that must see which process served a request."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1))
    assert cmd[0] == "daphne"
    args = cmd[1:]
    args[args.index("-b") + 1] = "127.0.0.1"
    args[args.index("-p") + 1] = str(port)
    if access_log:
        args[args.index("--access-log") + 1] = "-"
    return [PYTHON, "-m", "daphne", *args]


# --- services and the database -----------------------------------------------------------


def where(url, default_port):
    parts = urllib.parse.urlparse(url)  # host and port only: the URL may hold a password
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or default_port}"


@pytest.fixture(scope="session")
def services():
    if not reachable(PG_URL, 5432):
        pytest.skip(f"PostgreSQL is not reachable at {where(PG_URL, 5432)}")
    if not reachable(REDIS_URL, 6379):
        pytest.skip(f"Redis is not reachable at {where(REDIS_URL, 6379)}")
    return {"pg": PG_URL, "redis": REDIS_URL}


@pytest.fixture(scope="session")
def live_env(services, tmp_path_factory):
    """Environment of a production process: own database, own Redis prefix, DEBUG off."""
    import psycopg

    name = f"intervision_live_{RUN_ID}"
    admin = psycopg.connect(services["pg"], autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlparse(services["pg"])
    database_url = urllib.parse.urlunparse(parts._replace(path=f"/{name}"))
    static_root = tmp_path_factory.mktemp("static")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # no TLS here: the reverse proxy would terminate it
        DATABASE_URL=database_url,
        DB_POOL_MIN="1",
        DB_POOL_MAX="4",
        REDIS_URL=services["redis"],
        REDIS_PREFIX=f"helperB-live-{RUN_ID}",
        STATIC_ROOT=str(static_root),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
        # A test server: any mail goes to the process output, said so by name.
        ALLOW_CONSOLE_EMAIL="1",
    )
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [PYTHON, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True, timeout=180
        )
    yield env
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def django_run(env, code):
    """Run ``code`` with Django set up in a fresh process on the live database; return its
    JSON output (the last line printed)."""
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "intervision.settings"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED = """
from participants.models import Group, LoginLink, Membership, User
from sessions_app.models import Session
tag = {tag!r}
group = Group.objects.create(name=f"Groupe {{tag}}", format="intervision")
people = {{}}
roles = [("Lucie", "facilitator")] + [(n, "member") for n in ("Juliette", "Dragos", "Amina")]
for name, role in roles:
    user = User.objects.create_user(f"{{name.lower()}}-{{tag}}@example.org", display_name=name)
    Membership.objects.create(group=group, user=user, role=role)
    people[name] = user
session = Session.objects.create(group=group, format="intervision", title=f"Séance {{tag}}")
session.facilitators.add(people["Lucie"])
links = {{name: LoginLink.issue(user) for name, user in people.items()}}
ids = {{name: user.pk for name, user in people.items()}}
print(json.dumps({{"session": session.pk, "links": links, "ids": ids}}))
"""


@pytest.fixture
def seeded(live_env, request):
    """A group with a facilitator (Lucie) and three members, a session, and one single-use
    sign-in link each."""
    tag = re.sub(r"\W", "", request.node.name)[-40:] + str(time.monotonic_ns())[-6:]
    return django_run(live_env, SEED.format(tag=tag))


# --- processes ---------------------------------------------------------------------------
#
# Free ports, readiness checked by pid, process groups killed whatever happens, a net at
# the end of the run: see tests/servers.py, shared with the browser tests.


def pytest_sessionfinish(session, exitstatus):
    stop_running()


@pytest.fixture(scope="module")
def start_server(tmp_path_factory):
    """start_server(name, argv_of(port), env, ready_of(port)) -> Process on a free port,
    stopped at the end of the test module whatever happened."""
    started = []
    tmp_path = tmp_path_factory.mktemp("servers")

    def start(name, argv_of, env, ready_of, timeout=30):
        port = free_port()
        process = Process(
            f"{name}-{port}", argv_of(port), env, tmp_path, ready_of(port), (port,), timeout
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        stop_all(started)


@pytest.fixture(scope="module")
def start_daphne(live_env, start_server):
    """start_daphne(name=..., **env) -> Process on a free port (``.port``), stopped at the
    end of the test module."""

    def start(name="daphne", access_log=False, **extra_env):
        return start_server(
            name, lambda port: daphne_args(port, access_log), {**live_env, **extra_env},
            http_ready,
        )

    return start


@pytest.fixture(scope="module")
def start_redis(start_server, tmp_path_factory):
    """start_redis() -> Process: a private redis-server we may stop, never the shared one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    tmp_path = tmp_path_factory.mktemp("redis")

    def ready_of(port):
        def ready():
            try:
                with socket.create_connection(("127.0.0.1", port), 1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        return ready

    def argv_of(port):
        return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(tmp_path)]

    def start():
        return start_server("redis", argv_of, dict(os.environ), ready_of)

    return start
