#!/usr/bin/env python3
"""Set up and run Intervision with nothing but Python 3.11.

    python3 dev.py run     # install, migrate, create the demo group, serve on :8000
                           # (and run the periodic jobs beside the server)
    python3 dev.py test    # install, run the test suite (pytest arguments may follow)
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("INTERVISION_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"


def sh(*args, **kwargs):
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def install(extras: str) -> None:
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".[{extras}]")
    stamp.touch()


def run(args):
    install("test")
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://127.0.0.1:{port}")}
    sh(PY, "manage.py", "migrate", "--no-input", env=env)
    sh(PY, "manage.py", "demo", env=env)
    # The periodic jobs (reminders before sessions) run beside the server, as in production;
    # the reminders the demo's next session gets appear here, on the console.
    periodic = subprocess.Popen(
        [str(PY), "manage.py", "periodic", "--every", "60"], cwd=ROOT, env=env
    )
    print(f"\nIntervision runs on http://127.0.0.1:{port}/ (Ctrl+C to stop)\n", flush=True)
    try:
        server = subprocess.run(
            [str(PY), "-m", "daphne", "-b", "127.0.0.1", "-p", port,
             "--websocket-max-message-size", "65536", "--websocket_connect_timeout", "30",
             # No access log: the paths of sign-in and invitation links carry their tokens.
             "--access-log", "/dev/null", "intervision.asgi:application"],
            cwd=ROOT,
            env=env,
        )
    except KeyboardInterrupt:
        server = None
    finally:
        periodic.terminate()
        periodic.wait()
    sys.exit(server.returncode if server else 0)


def test(args):
    install("test,browser")
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        sys.exit(2)
    {"run": run, "test": test}[sys.argv[1]](sys.argv[2:])
