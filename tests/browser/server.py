"""A really started daphne on its own database, for the browser tests and
scripts/screenshots.py; no pytest here.

``Server`` migrates a database of its own (a temporary SQLite file, or with DATABASE_URL set a
PostgreSQL database created for the run and dropped after), starts
``python -m daphne intervision.asgi:application`` in a subprocess on a port the kernel gave
as free, and seeds people through ``manage.py e2e_seed`` in a subprocess with the same
environment. Its processes are those of tests/servers.py: ready only when the daphne we
started listens (by pid) and answers, stopped with their process group whatever happens.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from tests.servers import Process, free_port, http_ready, stop_all

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """daphne serving the app on 127.0.0.1, on a database nobody else uses.

    Its port is one the kernel gave as free (``free_port``); it counts as started once the
    daphne we started is itself listening there (by its pid) and its /healthz answers, so a
    program that took the port meanwhile is never taken for it. A start that fails stops
    what it started; ``stop`` stops every process, even if one of them resists, then drops
    the database (see tests/servers.py)."""

    start_timeout = 30  # seconds for daphne to listen and answer /healthz

    def __init__(self, port: int | None = None, workdir: str | None = None):
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="intervision-e2e-") if not workdir else None
        self.workdir = Path(workdir or self._tmp.name)
        self.log_path = self.workdir / "daphne.log"
        self.process: Process | None = None
        self._created_db = False
        self._others: list[DaphneProcess] = []
        self.dbname: str | None = None
        self.admin_url = os.environ.get("DATABASE_URL", "")
        self.env = self._environment()

    # -- set-up -------------------------------------------------------------------------

    def _environment(self) -> dict:
        env = {
            k: v for k, v in os.environ.items() if k not in ("SQLITE_PATH", "TEST_DATABASE_NAME")
        }
        tag = f"e2e{os.getpid()}p{self.port}"
        env.update(
            DJANGO_SETTINGS_MODULE="intervision.settings",
            # The seed command signs people in by cookie and static files come from the app
            # folders: a test server, never a production one. Cookies stay plain http.
            DEBUG="1",
            SITE_URL=self.base_url,
            LOG_LEVEL=os.environ.get("E2E_LOG_LEVEL", "WARNING"),
            PYTHONUNBUFFERED="1",
            AXES_FAILURE_LIMIT="1000",
        )
        # The tests read the messages sent from the server's log, whole (not the one-line
        # summaries of development's outbox).
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
        if self.admin_url:
            self.dbname = f"intervision_{tag}"
            env["DATABASE_URL"] = _with_path(self.admin_url, self.dbname)
        else:
            env["SQLITE_PATH"] = str(self.workdir / "e2e.sqlite3")
        if env.get("REDIS_URL"):
            env["REDIS_PREFIX"] = tag
        return env

    def _create_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
            conn.execute(f'CREATE DATABASE "{self.dbname}"')
        self._created_db = True

    def _drop_database(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            check=False,
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self) -> Server:
        if self.dbname:
            self._create_database()
        self.manage("migrate", "--no-input")
        self.process = self._daphne("daphne", self.port)
        self.process.start(self.start_timeout)
        return self

    def another_process(self) -> DaphneProcess:
        """A second daphne on the same database and channel layer, as behind a load balancer.
        Live updates cross from one process to the other only through Redis (REDIS_URL)."""
        port = free_port()
        other = DaphneProcess(f"http://127.0.0.1:{port}", self._daphne(f"daphne-{port}", port))
        self._others.append(other)  # stopped by ``stop`` even if its start fails
        other.process.start(self.start_timeout)
        return other

    def _daphne(self, name: str, port: int) -> Process:
        """daphne on ``port``, not started yet: kept by the caller before it starts."""
        argv = [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--websocket-max-message-size",
            "65536",
            "intervision.asgi:application",
        ]
        return Process(name, argv, self.env, self.workdir, http_ready(port), (port,), start=False)

    def stop(self) -> None:
        try:
            processes = [other.process for other in self._others]
            stop_all([*processes, *([self.process] if self.process else [])])
        finally:
            try:
                if self._created_db:
                    self._drop_database()
            finally:
                if self._tmp:
                    self._tmp.cleanup()

    def log_tail(self, chars: int = 4000) -> str:
        return _tail(self.log_path, chars)

    def full_log(self) -> str:
        """Everything daphne wrote so far: the e-mails the console backend sent included."""
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process is not None and self.process.running()

    # -- data -----------------------------------------------------------------------------

    def seed(
        self,
        tag: str,
        *,
        format: str = "intervision",
        sessions: int = 1,
        extra: tuple[str, ...] = (),
        outsider: bool = False,
        organiser: bool = False,
        links: bool = False,
    ) -> dict:
        args = ["e2e_seed", "--tag", tag, "--format", format, "--sessions", str(sessions)]
        for name in extra:
            args += ["--extra", name]
        if outsider:
            args.append("--outsider")
        if organiser:
            args.append("--organiser")
        if links:
            args.append("--links")
        return json.loads(self.manage(*args).strip().splitlines()[-1])

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)


@dataclass
class DaphneProcess:
    """Another daphne of the same deployment (``Server.another_process``)."""

    base_url: str
    process: Process

    def stop(self) -> None:
        self.process.stop()


def _tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _with_path(url: str, dbname: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + dbname))

