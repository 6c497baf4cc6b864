"""The live harness itself: every process it starts is gone afterwards, whatever happened,
and it never takes another program's server for its own.

These run a small stand-in server (no PostgreSQL, Redis or daphne needed): it may listen
on the port it is given, answers /healthz, and starts a child of its own, as a server with
workers would; it writes its pid and its child's to a file so that we can look for them.
"""

import http.server
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from .conftest import ROOT, Process, free_port, http_ready

STAND_IN = textwrap.dedent(
    """
    import http.server, os, subprocess, sys, time
    port, pids, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]  # listen, silent, alone
    mine = [os.getpid()]
    if mode != "alone":
        mine.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"]).pid)
    with open(pids, "a") as f:
        f.write(" ".join(map(str, mine)) + "\\n")
    if mode == "silent":
        time.sleep(600)

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

    http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
    """
)


def alive(pid):
    """Whether ``pid`` is a live process (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def gone(pids, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def pids_in(path):
    return [int(pid) for pid in path.read_text().split()]


def run_pytest(tmp_path, sources):
    """Run ``sources`` (file name -> text) as test modules under pytest in another process,
    with the live harness (tests/live/conftest.py) loaded as a plugin: its very fixtures,
    not a copy of them."""
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for name, source in sources.items():
        (tmp_path / name).write_text(textwrap.dedent(COMMON + source))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django",
         "-c", str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
         "-p", "tests.live.conftest", *(str(tmp_path / name) for name in sources)],
        cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=120,
    )


COMMON = """
    import sys
    from pathlib import Path

    import pytest

    from tests.live.conftest import http_ready
    from tests.live.test_harness import gone, pids_in

    HERE = Path(__file__).parent


    def stand_in(mode, pids):
        return lambda port: [
            sys.executable, str(HERE / "stand_in.py"), str(port), str(HERE / pids), mode
        ]


    def never_ready(port):
        return lambda: False
"""

FIRST_MODULE = """

    def test_a_server_that_never_listens_is_stopped_when_its_start_fails(start_server):
        with pytest.raises(RuntimeError, match="not ready after"):
            start_server("silent", stand_in("silent", "pids-silent"), None, never_ready, timeout=3)
        assert gone(pids_in(HERE / "pids-silent"))  # at once, not at the end of the run


    def test_a_test_that_fails_with_its_server_running(start_server):
        server = start_server("up", stand_in("listen", "pids-failed"), None, http_ready)
        assert server.running()
        assert False, "this test fails on purpose"
"""

SECOND_MODULE = """

    def test_the_failed_tests_server_is_gone_once_its_module_is_over():
        assert gone(pids_in(HERE / "pids-failed"))


    def test_a_run_interrupted_with_a_server_running(start_server):
        start_server("up-too", stand_in("listen", "pids-interrupted"), None, http_ready)
        raise KeyboardInterrupt  # pytest stops the whole run here
"""


def test_no_process_outlives_a_failed_start_a_failed_test_or_an_interrupted_run(tmp_path):
    run = run_pytest(tmp_path, {"test_first.py": FIRST_MODULE, "test_second.py": SECOND_MODULE})
    output = run.stdout + run.stderr
    assert "1 failed, 2 passed" in output, output
    assert "this test fails on purpose" in output
    assert "KeyboardInterrupt" in output  # the last test ran and interrupted the run
    pids = [pid for name in ("silent", "failed", "interrupted")
            for pid in pids_in(tmp_path / f"pids-{name}")]
    assert len(pids) == 6, pids  # three servers, each with a child of its own
    assert gone(pids), [pid for pid in pids if alive(pid)]


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed")
def test_a_server_is_stopped_even_when_pytest_itself_is_killed(tmp_path):
    """SIGKILL to the test runner: no teardown, no atexit; the server dies with it."""
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    runner = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from tests.live.conftest import Process, free_port, http_ready
            port = free_port()
            Process(
                "stand-in",
                [sys.executable, {str(tmp_path / "stand_in.py")!r}, str(port),
                 {str(tmp_path / "pids")!r}, "alone"],
                None, {str(tmp_path)!r}, http_ready(port), (port,),
            )
            print("ready", flush=True)
            time.sleep(600)
        """)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert runner.stdout.readline().strip() == "ready"
        [server] = pids_in(tmp_path / "pids")
        assert alive(server)
        runner.send_signal(signal.SIGKILL)
        runner.wait(10)
        assert gone([server]), "the server outlived the test runner"
    finally:
        runner.kill()
        runner.wait(10)


class Foreign(http.server.BaseHTTPRequestHandler):
    """Another program on the machine, answering /healthz as our servers do."""

    requests = 0

    def do_GET(self):
        type(self).requests += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_port_held_by_another_program_is_refused_and_never_talked_to(tmp_path):
    (tmp_path / "stand_in.py").write_text(STAND_IN)
    foreign = http.server.HTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    port = foreign.server_address[1]
    assert http_ready(port)()  # the foreign program answers /healthz with 200
    Foreign.requests = 0
    try:
        with pytest.raises(RuntimeError, match="exited at start|not listening on"):
            # As if free_port() had given a port that another program took right after.
            Process(
                "stand-in",
                [sys.executable, str(tmp_path / "stand_in.py"), str(port),
                 str(tmp_path / "pids"), "listen"],
                None, tmp_path, http_ready(port), (port,), timeout=3,
            )
        assert Foreign.requests == 0
        assert gone(pids_in(tmp_path / "pids"))
    finally:
        foreign.shutdown()
        foreign.server_close()


def test_free_port_gives_a_port_nobody_listens_on():
    port = free_port()
    with pytest.raises(ConnectionRefusedError):
        import socket

        socket.create_connection(("127.0.0.1", port), 1).close()
