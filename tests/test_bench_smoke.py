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
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    result = json.loads(out.read_text())
    app, channels, websockets = result["backends"][0]["points"]
    assert (app["server"], channels["server"], websockets["server"]) == ("app", "channels", "websockets")
    for point in (app, channels, websockets):
        assert point["sockets"] == 6 * 8
        assert point["steps"] > 0
        assert point["lost"] == 0, point
        assert point["non_200"] == 0, point
        assert point["p95_ms"] is not None
    # The app's clicks went through the real POST: the same size of page fragment as the floors.
    assert app["message_bytes"] == channels["message_bytes"] > 1000
    assert result["backends"][0]["ratio_p95_app_over_channels"] > 0
