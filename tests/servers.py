"""Processes the tests start: servers on free ports, stopped whatever happens.

Shared by the live tests (tests/live/conftest.py) and the browser tests
(tests/browser/harness.py); no pytest here, so that scripts may use it too.

Every process a test starts is stopped, whatever happens: a start that fails stops what it
started before raising; the fixtures stop what they started in a ``finally``; each process
leads its own process group, and the whole group is killed; whatever is still running when
pytest finishes (``stop_running`` from a ``pytest_sessionfinish`` hook) or its interpreter
exits (atexit) is killed then; and each server is started under ``setpriv --pdeathsig KILL``
where that exists, so that even a pytest killed with SIGKILL takes its servers with it.

No fixed port: each server gets a port the kernel gave as free (bind to port 0), and is
ready only once the process we started is itself listening on it (its own socket, read in
/proc), so a client never talks to another program that took the port meanwhile.
"""

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.servers import free_port as free_port  # the servers here take their ports so too
from bench.servers import listening_inodes, socket_inodes

ROOT = Path(__file__).resolve().parents[1]

_RUNNING = set()


def listens_on(pid, port):
    """Whether process ``pid`` itself holds a listening socket on ``port``."""
    return bool(listening_inodes(port) & socket_inodes(pid))


def _kill_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)  # the process leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


_SETPRIV = shutil.which("setpriv")
_PDEATHSIG = [_SETPRIV, "--pdeathsig", "KILL"] if _SETPRIV else []


class Process:
    """A server process we started: its log, its ports, and stopping it (its whole process
    group) by its own pid only.

    ``ports`` are the ports it must itself listen on before it counts as started; ``ready``
    then says whether it answers. ``start=False`` leaves the starting to the caller
    (``.start(timeout)``), which may then keep it in a list before it is even started."""

    def __init__(self, name, argv, env, log_dir, ready, ports=(), timeout=30, start=True):
        self.name, self.argv, self.env, self.ready = name, argv, env, ready
        self.ports = tuple(ports)
        self.port = self.ports[0] if self.ports else None
        self.log_path = Path(log_dir) / f"{name}.log"
        self.proc = None
        if start:
            self.start(timeout)

    def start(self, timeout=30):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*_PDEATHSIG, *self.argv],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _RUNNING.add(self)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.kill()  # a start that fails leaves nothing behind
            raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log()}")
            if all(listens_on(self.proc.pid, port) for port in self.ports) and self.ready():
                return
            time.sleep(0.1)
        held = [port for port in self.ports if not listens_on(self.proc.pid, port)]
        raise RuntimeError(
            f"{self.name} not ready after {timeout}s"
            + (f" (not listening on {held}: another program may hold them)" if held else "")
            + f":\n{self.log()}"
        )

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL to the whole group: no clean shutdown, as a crash or an OOM kill."""
        if self.proc is None:
            return
        _kill_group(self.proc, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        _RUNNING.discard(self)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            _kill_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # the rest of its group, and itself if SIGTERM was not enough

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def http_ready(port):
    """``ready`` of a server of ours: its /healthz answers 200 (database and channel layer
    reachable)."""

    def ready():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return r.status == 200
        except (OSError, urllib.error.HTTPError):
            return False

    return ready


def stop_all(processes):
    """Stop each of ``processes``, even when stopping one of them fails."""
    errors = []
    for process in processes:
        try:
            process.stop()
        except BaseException as error:  # noqa: BLE001 - the others are stopped all the same
            errors.append(error)
    if errors:
        raise errors[0]


def stop_running():
    """Stop every process started here that is still running (for pytest_sessionfinish)."""
    stop_all(list(_RUNNING))


atexit.register(stop_running)
