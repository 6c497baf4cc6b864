"""The browser tests' server itself (no Chromium needed): it never takes another program's
server for its own, and a start that fails leaves no process behind.

Each test starts the real ``Server`` (migrate, then daphne), on one SQLite database migrated
once for the module (or, with DATABASE_URL, a PostgreSQL database of its own).
"""

import http.server
import socket
import threading
from pathlib import Path

import pytest

from .harness import Server


class Foreign(http.server.BaseHTTPRequestHandler):
    """Another program on the machine, answering /healthz with 200 as our servers do."""

    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args):
        pass


def daphnes_on(port):
    """Pids of live daphne processes started for ``port`` (read from /proc: whatever the
    harness keeps or forgets about them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z" or b"daphne" not in argv:
            continue
        if b"-p" in argv and argv[argv.index(b"-p") + 1] == str(port).encode():
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("e2e"))


@pytest.fixture
def foreign():
    server = http.server.HTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Foreign.requests = 0
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_port_held_by_another_program_is_never_talked_to(foreign, workdir):
    # As if the free port the harness was given had been taken by another program since.
    server = Server(port=foreign, workdir=workdir)
    try:
        with pytest.raises(RuntimeError, match="exited at start|not listening on"):
            server.start()
        assert Foreign.requests == 0, "the harness took another program for its daphne"
        assert daphnes_on(foreign) == []
    finally:
        server.stop()


def test_a_server_that_never_gets_healthy_is_stopped_as_its_start_fails(workdir):
    # A channel layer nobody answers: daphne listens, but /healthz says 503.
    dead = socket.socket()  # bound, never listening: connections to it are refused
    dead.bind(("127.0.0.1", 0))
    server = Server(workdir=workdir)
    server.env["REDIS_URL"] = f"redis://127.0.0.1:{dead.getsockname()[1]}/0"
    server.start_timeout = 15
    try:
        with pytest.raises(RuntimeError, match="not ready|did not answer"):
            server.start()
        assert "channel layer check failed" in server.log_path.read_text(), (
            "daphne never answered: the test did not test a server that was up"
        )
        # Gone as the start fails, not only once the test run is over.
        assert daphnes_on(server.port) == []
    finally:
        server.stop()
        dead.close()


def test_stop_leaves_none_of_the_servers_daphnes_running(workdir):
    server = Server(workdir=workdir)
    try:
        server.start()
        other = server.another_process()
        ports = (server.port, int(other.base_url.rsplit(":", 1)[1]))
        assert ports[0] != ports[1]
        assert all(len(daphnes_on(port)) == 1 for port in ports)
    finally:
        server.stop()
    assert daphnes_on(ports[0]) == daphnes_on(ports[1]) == []
