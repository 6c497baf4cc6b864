"""The benchmark's quick mode runs end to end: real daphne, real sockets, real clicks; and
it only ever measures the servers it started."""

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.live
def test_benchmark_quick_mode_delivers_every_click_to_every_socket(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--backend", "embedded", "--only-main",
         "--workers", "1", "--no-write", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=150,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    backend = result["backends"][0]
    points = {p["server"]: p for p in backend["points"]}
    assert sorted(points) == ["app", "channels", "click", "websockets"]
    for point in points.values():
        assert point["sockets"] == 6 * 8
        assert point["steps"] > 0
        assert point["lost"] == 0, point
        assert point["failed_clicks"] == 0, point
        assert point["p95_ms"] is not None
        assert point["cpu_ms_per_click"] > 0
    app = points["app"]
    # The facilitator clicked over the page's websocket: every click acked, none applied
    # twice, and each click sent again with its id was acked as a duplicate.
    assert app["click"] == "socket"
    assert app["statuses"] == {"ack": app["clicks"]}, app
    assert app["applied_twice"] == 0 and app["acked_not_applied"] == 0, app
    assert app["resend"]["resent"] > 0
    assert app["resend"] == {"resent": app["resend"]["resent"],
                             "duplicate": app["resend"]["resent"]}, app
    assert app["resend_moved_versions"] == 0
    # The floors broadcast a frame the size of the app's.
    for kind in ("channels", "websockets", "click"):
        size = points[kind]["message_bytes"]
        assert abs(size - app["message_bytes"]) < 0.05 * app["message_bytes"], (kind, size)
    assert app["message_bytes"] > 1000
    assert backend["main_p95_app_over_channels"] > 0
    assert backend["main_cpu_app_over_click"] > 0


class Foreign:
    """Another program listening on the machine: it counts who connects to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.close()


def test_the_benchmark_refuses_a_port_another_program_holds_and_never_talks_to_it(monkeypatch):
    """As if the port the kernel gave as free were taken by another program before the
    server bound it: the load point stops, loudly, before a single client connects."""
    from bench import run

    foreign = Foreign()
    monkeypatch.setattr(run, "free_port", lambda: foreign.port)
    started = []
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(run.subprocess, "Popen", popen)
    try:
        with pytest.raises(RuntimeError, match=f"server (exited|did not listen on {foreign.port})"):
            run.load_point("main", "websockets", dict(os.environ), [{"id": 1}], [(1, 1.0)], 1)
        assert foreign.connections == 0
        assert started and all(proc.poll() is not None for proc in started)  # none left
    finally:
        foreign.close()


def test_a_server_the_benchmark_starts_listens_on_a_free_port_of_its_own():
    from bench import run

    port = run.free_port()
    assert not run.listening_inodes(port)
    server = run.Server("websockets", dict(os.environ), port)
    try:
        assert server.ours()
        assert run.listening_inodes(port) <= run.socket_inodes(server.proc.pid)
    finally:
        server.close()
    assert server.proc.poll() is not None
