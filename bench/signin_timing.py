#!/usr/bin/env python3
"""Does the sign-in-link form answer a known address as fast as an unknown one?

    .venv/bin/python bench/signin_timing.py                 # 60 requests of each kind
    .venv/bin/python bench/signin_timing.py -n 200 --json bench/results/signin.json
    BENCH_TREE=/tmp/old .venv/bin/python bench/signin_timing.py   # another tree (git archive)

It starts the app's real daphne (the Dockerfile's arguments, production settings: DEBUG off,
a fresh SQLite file, collected static files, console e-mail written to the server's log),
creates one account, then sends from one keep-alive connection, in a shuffled order:

- ``known``: ``POST /login/`` with the account's address (a link is issued and mailed);
- ``unknown``: the same POST with an address no account has (a fresh one each time);
- ``floor``: the same POST with a malformed address, refused by the form's validation: the
  same middleware, CSRF check and session, no lookup at all. Its spread is this run's noise.

Each POST is timed from the first byte sent to the last byte of the answer read. A browser
then follows the redirect at once: that ``GET /login/`` is timed too (and the same GET after
the floor's answer, for reference), since work left running after an answer could slow the
next request. Then a pause (``--pause``, 150 ms: longer than the app waits before that work)
before the next POST.

Target: the known and unknown medians are the same within this run's noise: their difference
is within what two medians of n requests of the *same* kind differ by on this machine, now
(the 95 % bootstrap interval of the difference between the medians of two resamples of the
floor, half its width).
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("BENCH_TREE") or BENCH.parent).resolve()
PY = sys.executable
KNOWN = "connue@example.org"
KINDS = ("known", "unknown", "floor")


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "",
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(tmp: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "EMAIL_BACKEND")
        and not k.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="bench-" + secrets.token_hex(24),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SQLITE_PATH=str(tmp / "bench.sqlite3"),
        STATIC_ROOT=str(tmp / "static"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # The links go to the server's log: a benchmark, not a deployment.
        ALLOW_CONSOLE_EMAIL="1",
        # Hundreds of requests from one address: far above the per-address limit.
        LOGIN_LINK_RATE_LIMIT="100000/1m",
    )
    return env


def manage(env, *args, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )


class Daphne:
    def __init__(self, env: dict, tmp: Path):
        self.port = free_port()
        self.log_path = tmp / "daphne.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (open while daphne runs)
        # deploy/Dockerfile's CMD, bound to 127.0.0.1 on a free port.
        self.proc = subprocess.Popen(
            [PY, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "--websocket-max-message-size", "65536", "--websocket_connect_timeout", "30",
             "--proxy-headers", "--access-log", "/dev/null", "intervision.asgi:application"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"daphne exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not answer /healthz within 60 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Browser:
    """One keep-alive connection with the CSRF cookie and token a browser would hold."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, headers, body = self.request("GET", "/login/")
        assert status == 200, status
        cookie = next(v for k, v in headers if k.lower() == "set-cookie" and "csrftoken" in v)
        self.cookie = cookie.split(";", 1)[0]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert found, "no CSRF token on the sign-in page"
        self.token = found.group(1)

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()

    def post_login(self, email: str) -> tuple[float, int]:
        body = urlencode({"csrfmiddlewaretoken": self.token, "email": email})
        headers = {
            "Cookie": self.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{self.conn.port}",
            "Referer": f"http://127.0.0.1:{self.conn.port}/login/",
        }
        started = time.perf_counter()
        status, _headers, _body = self.request("POST", "/login/", body, headers)
        return (time.perf_counter() - started) * 1000, status

    def follow(self) -> float:
        started = time.perf_counter()
        status, _headers, _body = self.request("GET", "/login/", headers={"Cookie": self.cookie})
        assert status == 200, status
        return (time.perf_counter() - started) * 1000


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def noise(values, rounds=4000, seed=7) -> float:
    """What two medians of ``len(values)`` requests of one kind differ by: half the width of
    the 95 % bootstrap interval of the difference between the medians of two resamples."""
    rng = random.Random(seed)
    n = len(values)
    differences = sorted(
        statistics.median(rng.choices(values, k=n)) - statistics.median(rng.choices(values, k=n))
        for _ in range(rounds)
    )
    return (differences[int(0.975 * rounds)] - differences[int(0.025 * rounds)]) / 2


def summary(values) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 2),
        "p10_ms": round(pct(values, 10), 2),
        "p90_ms": round(pct(values, 90), 2),
    }


def run(n: int, pause: float, warmup: int, seed: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-signin-"))
    env = environment(tmp)
    log("tree", ROOT)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    manage(
        env, "shell", "-c",
        "from participants.models import User; "
        f"User.objects.create_user({KNOWN!r}, display_name='Connue')",
        capture=True,
    )
    server = Daphne(env, tmp)
    log("daphne on port", server.port)
    try:
        browser = Browser(server.port)
        rng = random.Random(seed)
        fresh = iter(range(10**9))

        def address(kind):
            if kind == "known":
                return KNOWN
            if kind == "unknown":
                return f"inconnue-{next(fresh)}-{secrets.token_hex(3)}@example.org"
            return "pas-une-adresse"

        expected = {"known": 302, "unknown": 302, "floor": 200}
        for kind in [k for k in KINDS for _ in range(warmup)]:
            browser.post_login(address(kind))
            if kind != "floor":
                browser.follow()
        order = [k for k in KINDS for _ in range(n)]
        rng.shuffle(order)
        times: dict[str, list[float]] = {k: [] for k in KINDS}
        after: dict[str, list[float]] = {k: [] for k in KINDS}
        for kind in order:
            ms, status = browser.post_login(address(kind))
            assert status == expected[kind], (kind, status)
            times[kind].append(ms)
            after[kind].append(browser.follow())
            time.sleep(pause)
        time.sleep(0.5)
        mails = server.log_path.read_text().count("Subject:")
    finally:
        server.stop()
    result = {
        "tree": str(ROOT),
        "machine": machine(),
        "n": n,
        "pause_s": pause,
        "mails_in_server_log": mails,
        "post": {k: summary(v) for k, v in times.items()},
        "follow": {k: summary(v) for k, v in after.items()},
    }
    post_noise = noise(times["floor"])
    delta = statistics.median(times["known"]) - statistics.median(times["unknown"])
    follow_noise = noise(after["floor"])
    follow_delta = statistics.median(after["known"]) - statistics.median(after["unknown"])
    result["verdict"] = {
        "known_minus_unknown_ms": round(delta, 2),
        "noise_ms": round(post_noise, 2),
        "met": abs(delta) <= post_noise,
        "follow_known_minus_unknown_ms": round(follow_delta, 2),
        "follow_noise_ms": round(follow_noise, 2),
        "follow_met": abs(follow_delta) <= follow_noise,
    }
    return result


def markdown(result: dict) -> str:
    m, v = result["machine"], result["verdict"]
    lines = [
        f"- machine: {m['nproc']} cores ({m['cpu']}), Linux {m['kernel']}, Python {m['python']}; "
        f"load average at start {', '.join(map(str, m['load_average_at_start']))}",
        f"- {result['n']} POSTs of each kind, shuffled, one keep-alive connection, "
        f"{result['pause_s'] * 1000:.0f} ms pause after each redirect followed; "
        f"{result['mails_in_server_log']} mails in the server's log",
        "",
        "| request | median ms | p10 ms | p90 ms |",
        "|---|---|---|---|",
    ]
    for label, key in (("POST", "post"), ("GET that follows", "follow")):
        for kind in KINDS:
            s = result[key][kind]
            lines.append(
                f"| {label}, {kind} | {s['median_ms']} | {s['p10_ms']} | {s['p90_ms']} |"
            )
    lines += [
        "",
        f"- POST: known − unknown median = {v['known_minus_unknown_ms']} ms; noise (two "
        f"floor medians, 95 %) = ±{v['noise_ms']} ms: "
        f"**{'met' if v['met'] else 'missed'}**",
        f"- GET that follows: known − unknown median = {v['follow_known_minus_unknown_ms']} ms;"
        f" noise = ±{v['follow_noise_ms']} ms: "
        f"**{'within' if v['follow_met'] else 'outside'} noise**",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=60, help="POSTs of each kind (default 60)")
    parser.add_argument(
        "--pause", type=float, default=0.15,
        help="seconds after each redirect followed (longer than the delay before the work)",
    )
    parser.add_argument("--warmup", type=int, default=10, help="unrecorded POSTs of each kind")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    result = run(args.n, args.pause, args.warmup, args.seed)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))


if __name__ == "__main__":
    main()
