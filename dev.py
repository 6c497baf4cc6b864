#!/usr/bin/env python3
"""Set up and run Intervision with nothing but Python 3.11.

    python3 dev.py run     # install, migrate, create the demo group, serve on :8000
                           # (and run the periodic jobs beside the server); the set-up is
                           # quiet, the demo's sign-in links come last
    python3 dev.py test    # install, run the test suite (pytest arguments may follow)
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("INTERVISION_VENV", ROOT / ".venv"))
PY = VENV / "bin" / "python"


def sh(*args, **kwargs):
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def install(extras: str) -> None:
    if not PY.exists():
        print(f"Création d’un environnement virtuel dans {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".[{extras}]")
    stamp.touch()


def step(*args, env, capture=False) -> str:
    """A set-up step in a subprocess, its output returned when ``capture``: quiet when it
    works; when it fails, its errors are on the terminal and dev.py stops there."""
    result = subprocess.run(
        [str(a) for a in args], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    if result.returncode:
        print(result.stdout or "", end="", flush=True)
        sys.exit(f"dev.py : « {' '.join(str(a) for a in args[1:3])} » a échoué "
                 f"(code {result.returncode}).")
    return result.stdout or ""


def port_free(port: str) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            sock.bind(("127.0.0.1", int(port)))
        except OSError:
            return False
    return True


def wait_until_served(server: subprocess.Popen, url: str, timeout: float = 30) -> bool:
    """Until the server answers (it, not another one: the port was free)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return server.poll() is None
        except OSError:
            time.sleep(0.2)
    return False


def _stop(signum, frame):
    raise KeyboardInterrupt  # SIGTERM (kill, timeout) stops the server and the jobs too


def run(args):
    install("test")
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://127.0.0.1:{port}")}
    # The periodic jobs log each pass at INFO: quiet unless LOG_LEVEL says otherwise. What they
    # send (e-mails, printed on the console in development) still shows, and so do errors.
    quiet = {**env, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
    if not port_free(port):
        sys.exit(f"dev.py : le port {port} est déjà pris (une autre instance ?). "
                 "Un autre port : PORT=8001 python3 dev.py run")
    signal.signal(signal.SIGTERM, _stop)
    periodic = server = None
    code = 0
    try:
        print("Préparation de la base de données et du groupe de démo…", flush=True)
        step(PY, "manage.py", "migrate", "--no-input", "-v", "0", env=env)
        color = ["--force-color"] if sys.stdout.isatty() else []
        demo = step(PY, "manage.py", "demo", *color, env=env, capture=True)
        # The periodic jobs (reminders before sessions) run beside the server, as in
        # production. Their first pass runs now, so that the reminders the demo's next session
        # gets come before the sign-in links, not after them.
        sent = step(PY, "manage.py", "periodic", env=quiet, capture=True)
        if sent:
            # In development each e-mail is one line here, and whole on the outbox page.
            print("\nE-mails envoyés par les tâches périodiques (une ligne chacun ; en entier "
                  f"sur http://127.0.0.1:{port}/dev/outbox/) :\n")
            print(sent, end="", flush=True)
        periodic = subprocess.Popen(
            [str(PY), "manage.py", "periodic", "--every", "60"], cwd=ROOT, env=quiet
        )
        server = subprocess.Popen(
            [str(PY), "-m", "daphne", "-b", "127.0.0.1", "-p", port,
             "--websocket-max-message-size", "65536", "--websocket_connect_timeout", "30",
             # No access log: the paths of sign-in and invitation links carry their tokens.
             "--access-log", "/dev/null", "intervision.asgi:application"],
            cwd=ROOT,
            env=env,
        )
        if not wait_until_served(server, f"http://127.0.0.1:{port}/healthz"):
            sys.exit(f"dev.py : le serveur n’a pas démarré sur le port {port} (voir ci-dessus). "
                     "Un autre port : PORT=8001 python3 dev.py run")
        # Last, so that they stay on the screen: where to go, and the sign-in links.
        print(f"\nIntervision tourne sur http://127.0.0.1:{port}/ (Ctrl+C pour arrêter).")
        print(f"Les e-mails envoyés : http://127.0.0.1:{port}/dev/outbox/\n")
        print(demo, end="", flush=True)
        code = server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in (server, periodic):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
    sys.exit(code)


def test(args):
    install("test,browser")
    result = subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT)
    sys.exit(result.returncode)


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        sys.exit(2)
    {"run": run, "test": test}[sys.argv[1]](sys.argv[2:])
