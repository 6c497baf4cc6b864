"""The benchmark's quick mode runs end to end: real daphne, real sockets, real clicks."""

import json
import subprocess
import sys
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
