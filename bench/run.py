#!/usr/bin/env python3
"""Benchmark of the live session, end to end, against the floor of our own stack.

    .venv/bin/python bench/run.py            # full run: embedded default, then PostgreSQL + Redis
    .venv/bin/python bench/run.py --quick    # a few sessions for a few seconds (CI smoke)
    .venv/bin/python bench/run.py --backend embedded

It starts the app's real daphne, seeds S sessions of 8 people, opens S×8 websocket clients
with their cookies (bench/clients.py, in several processes), and has each session's
facilitator click on an open-loop schedule: by default a command sent over the facilitator's
open websocket (acked or nacked by the server), with ``--click post`` through the page's
HTTP POST fallback. Latency of a step runs from its *scheduled* send to its arrival at the
last of the 8 clients. The same run measures the floors: bare websockets, a bare Channels
broadcast, and the stock stack's minimal click (bench/floor_click.py). See bench/README.md
for the load points and what each figure means.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
# The tree whose app is measured: this checkout, or another one (e.g. an exported commit).
ROOT = Path(os.environ.get("BENCH_TREE") or BENCH.parent).resolve()
PY = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
CLK = os.sysconf("SC_CLK_TCK")
# Seconds to let a server settle before its RSS is read, and after the sockets opened
# (shorter in --quick mode, whose memory figures are not kept).
SETTLE = [1.0, 2.0]
STORM_WAIT = [180.0]  # seconds the restart storm waits for every client (--storm-wait)
sys.path.insert(0, str(BENCH.parent))  # run as a script: the checkout, for the bench package
from bench import clients, report  # noqa: E402


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# --- machine and servers -------------------------------------------------------------------


def free_port() -> int:
    """A port the kernel says is free now (bind to port 0). Another program may take it
    before our server binds it: ``Server`` checks that the listener is its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_inodes(port) -> set[str]:
    """The sockets (inodes) listening on ``port``, whoever holds them (/proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid) -> set[str]:
    """The sockets (inodes) process ``pid`` holds."""
    out: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        # Other work on the machine skews every figure: recorded, not hidden.
        "load_average_at_start": list(os.getloadavg()),
    }


def versions() -> dict:
    from importlib.metadata import version

    names = ["django", "channels", "daphne", "twisted", "websockets", "channels-redis", "redis",
             "psycopg", "psycopg-pool"]
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except Exception:
            out[name] = None
    try:
        out["sqlite"] = __import__("sqlite3").sqlite_version
    except Exception:
        pass
    for cmd, key in ((["psql", "--version"], "postgresql-client"),
                     (["redis-server", "--version"], "redis-server")):
        try:
            out[key] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            pass
    return out


class Server:
    """The server processes we started: their RSS and CPU (summed) come from /proc.

    ``processes`` > 1 (app only, with Redis): that many daphne processes, each on its own
    listening socket bound to the same port with SO_REUSEPORT (``daphne --fd``), the kernel
    spreading new connections evenly among them, as N replicas behind a load balancer would,
    without the balancer's own cost.
    """

    def __init__(self, kind, env, port, payload=0, processes=1):
        self.kind, self.port, self.processes = kind, port, processes
        self.socks = []
        daphne = [PY, "-m", "daphne", "--websocket-max-message-size", "65536",
                  "--websocket_connect_timeout", "30"]
        if kind == "app" and processes > 1:
            for _ in range(processes):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                sock.bind(("127.0.0.1", port))
                sock.listen(4096)
                self.socks.append(sock)
            cmd = [*daphne, "--fd", "{fd}", "intervision.asgi:application"]
        elif kind == "app":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "intervision.asgi:application"]
        elif kind == "channels":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "bench.floor_channels:application"]
        elif kind == "click":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "bench.floor_click:application"]
            env = {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_click_settings"}
        else:
            cmd = [PY, str(BENCH / "floor_websockets.py"), str(port), str(payload)]
        self.cmd, self.env = cmd, {**env, "BENCH_PAYLOAD_BYTES": str(payload)}
        self.start()

    def start(self):
        self.log = open(tempfile.mktemp(prefix=f"bench-{self.kind}-", suffix=".log"), "w")
        self.procs = []
        try:
            self._start()
        except BaseException:
            self.stop(signal.SIGKILL)  # a server that failed to start is not left running
            raise

    def ours(self) -> bool:
        """Whether every socket listening on our port is one of ours: the one our process
        bound, or those we bound and handed over. Anything else (another program on the
        port) and the clients would measure that program."""
        listening = listening_inodes(self.port)
        if self.socks:
            mine = {str(os.fstat(sock.fileno()).st_ino) for sock in self.socks}
        else:
            mine = set().union(*(socket_inodes(proc.pid) for proc in self.procs))
        return bool(listening) and listening <= mine

    def _start(self):
        for i in range(self.processes):
            fds = [self.socks[i].fileno()] if self.socks else []
            cmd = [a.format(fd=fds[0]) if a == "{fd}" else a for a in self.cmd]
            self.procs.append(subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                preexec_fn=_lift_fd_limit, pass_fds=fds))
        self.proc = self.procs[0]
        self.started = time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"{self.kind} server exited: see {self.log.name}")
            if self.socks:
                if not self.ours():
                    break
                # The sockets accept before any daphne runs: wait for an answer, then
                # give the other processes the time one took to start.
                if self._answers():
                    time.sleep(time.monotonic() - self.started)
                    self.ready = time.monotonic()
                    return
                time.sleep(0.1)
                continue
            if self.ours():
                self.ready = time.monotonic()
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.kind} server did not listen on {self.port}"
            + (" (another program is listening there)" if listening_inodes(self.port) else "")
            + f": see {self.log.name}"
        )

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Connection: close\r\n\r\n")
                return conn.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(sig)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.log.close()

    def close(self):
        self.stop()
        for sock in self.socks:
            sock.close()

    def rss_kb(self) -> int:
        total = 0
        for proc in self.procs:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def cpu_s(self) -> float:
        total = 0
        for proc in self.procs:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / CLK


def _lift_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- backends: where the app keeps its data --------------------------------------------------


class Backend:
    def __init__(self, name):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="bench-")
        self.env = {
            k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "REDIS_PREFIX")
        }
        self.env.update(
            DEBUG="0",
            SECRET_KEY="bench-" + os.urandom(16).hex(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            LOG_LEVEL="WARNING",
            ALLOW_CONSOLE_EMAIL="1",  # a benchmark sends no mail; the setting says so
        )
        if name == "embedded":
            self.env["SQLITE_PATH"] = str(Path(self.tmp) / "bench.sqlite3")
        else:
            self.db = f"intervision_bench_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.db}"')
            self._admin(f'CREATE DATABASE "{self.db}"')
            base = PG_ADMIN.rsplit("/", 1)[0]
            self.env.update(DATABASE_URL=f"{base}/{self.db}", REDIS_URL=REDIS, REDIS_PREFIX="bench")
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT,
                       env=self.env, check=True)

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(sql)

    def seed(self, count) -> list[dict]:
        out = subprocess.run(
            [PY, "manage.py", "shell", "-c", f"from bench import seed; seed.main({count})"],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True,
        ).stdout
        line = next(line for line in out.splitlines() if line.startswith("BENCH-SEED "))
        return json.loads(line[len("BENCH-SEED "):])["sessions"]

    def close(self):
        if self.name != "embedded":
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            except Exception as exc:
                log("could not drop", self.db, exc)
            try:
                import redis

                r = redis.Redis.from_url(REDIS)
                keys = list(r.scan_iter("bench*"))
                if keys:
                    r.delete(*keys)
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- client processes ---------------------------------------------------------------------


class Pool:
    def __init__(self, workers):
        ctx = multiprocessing.get_context("spawn")
        self.conns, self.procs = [], []
        for _ in range(workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=clients.serve, args=(child,), daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)

    def ask(self, command, args=None):
        for i, conn in enumerate(self.conns):
            conn.send((command, args[i] if isinstance(args, list) else args))
        return [conn.recv() for conn in self.conns]

    def worker_of(self, session_index: int) -> int:
        """Each worker holds whole sessions (the 8 clients of session i are on worker i % n),
        so the worker holding a facilitator's socket is the one that clicks for it."""
        return session_index % len(self.conns)

    def open(self, specs, origin, reconnect=True):
        n = len(self.conns)
        parts = [[spec for i, spec in enumerate(specs) if self.worker_of(i // 8) == w]
                 for w in range(n)]
        replies = self.ask("open", [(p, origin, reconnect) for p in parts])
        return {"ok": sum(r["ok"] for r in replies), "failed": sum(r["failed"] for r in replies),
                "seconds": max(r["seconds"] for r in replies)}

    def close(self):
        try:
            self.ask("close")
        except (EOFError, OSError):
            pass
        for proc in self.procs:
            proc.join(5)
            if proc.is_alive():
                proc.kill()


# --- drivers: who clicks ------------------------------------------------------------------


class Http:
    """A browser tab's keep-alive HTTP/1.1 connection, just enough for the page's POST."""

    def __init__(self, port):
        self.port = port
        self.reader: Any = None
        self.writer: Any = None

    async def connect(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path, body: bytes, headers: dict):
        for attempt in (0, 1):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
                head += f"Content-Length: {len(body)}\r\n\r\n"
                self.writer.write(head.encode() + body)
                return await self._response()
            except (OSError, asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt:
                    return 0, b""

    async def _response(self):
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                close = True
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                if size == 0:
                    await self.reader.readline()
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readline()
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


DATA_VERSION = re.compile(rb'data-version="(\d+)"')


class AppDriver:
    """A facilitator toggling "urgent" on the session's subject through /s/<id>/do/ (the
    page's HTTP fallback), or the minimal click's POST /click/<id>/ (``path``)."""

    def __init__(self, port, session, path=None, version=None):
        self.path = path or f"/s/{session['id']}/do/"
        self.s, self.http = session, Http(port)
        self.version = session["version"] if version is None else version
        self.urgent = False
        self.run, self.clicks = f"bench-{port}-{os.urandom(4).hex()}-{session['id']}", 0
        self.headers = {
            "Cookie": f"{session['cookies'][0]}; csrftoken={session['csrf_cookie']}",
            "X-CSRFToken": session["csrf_token"],
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://127.0.0.1:{port}",
        }

    async def prepare(self):
        await self.http.connect()

    async def step(self):
        self.urgent = not self.urgent
        body = urlencode({"type": "set_urgent", "subject": self.s["subject"],
                          "urgent": "true" if self.urgent else "false",
                          "version": self.version,
                          "command_id": f"{self.run}-{self.clicks}"}).encode()
        self.clicks += 1
        status, reply = await self.http.post(self.path, body, self.headers)
        m = DATA_VERSION.search(reply) if reply else None
        if status == 200 and m:
            self.version = int(m.group(1))
            return status, self.version
        if m:  # a conflict answers with the current state: the page shows it
            self.version = int(m.group(1))
        return status, None

    def close(self):
        self.http.close()


class WsDriver:
    """The floors' trigger: a driver socket per group that sends the next version number."""

    def __init__(self, port, g):
        self.url, self.g, self.version = f"ws://127.0.0.1:{port}/drive/{g}/", g, 0
        self.ws: Any = None

    async def prepare(self):
        from websockets.asyncio.client import connect
        from websockets.typing import Origin

        self.ws = await connect(self.url, origin=Origin("http://127.0.0.1"), ping_interval=None)

    async def step(self):
        try:
            if self.ws is None:
                await self.prepare()
            self.version += 1
            await self.ws.send(str(self.version))
            return 200, self.version
        except Exception:
            self.ws = None
            return 0, None

    def close(self):
        if self.ws is not None:
            asyncio.ensure_future(self.ws.close())


def schedule(rng, segments, t0):
    """Open loop: one session's click times, phase + k·period from t0 in each segment."""
    phase = rng.random() * segments[0][1]
    out, start = [], 0.0
    for duration, period in segments:
        t = start + (phase % period)
        while t < start + duration:
            out.append(t0 + t)
            t += period
        start += duration
    return out


async def drive(drivers, times):
    """Session i clicks at its scheduled times, whatever the server's lag.

    A facilitator clicks again only once the previous click has answered (the page shows
    the new version first); a late answer shows up as latency, never as a skipped step.
    """
    scheduled: dict = {}
    statuses: Counter = Counter()
    done: Counter = Counter()

    async def one(key, driver):
        for when in times[key]:
            delay = when - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            status, version = await driver.step()
            statuses[status] += 1
            if version is not None:
                scheduled[(key, version)] = when
                done[key] += 1

    await asyncio.gather(*(one(key, d) for key, d in drivers.items()))
    return scheduled, statuses, done


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(q / 100 * len(values) + 0.5)) - 1))]


def summarise(scheduled, arrivals, fanout):
    reached: dict = {}
    for key, version, count, last in arrivals:
        slot = reached.setdefault((key, version), [0, 0.0])
        slot[0] += count
        slot[1] = max(slot[1], last)
    latencies, lost = [], 0
    for k, when in scheduled.items():
        count, last = reached.get(k, (0, 0.0))
        if count >= fanout:
            latencies.append((last - when) * 1000)
        else:
            lost += 1
    ms = lambda v: None if v is None else round(v, 1)  # noqa: E731
    return {
        "steps": len(scheduled),
        "lost": lost,
        "p50_ms": ms(percentile(latencies, 50)),
        "p95_ms": ms(percentile(latencies, 95)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies) if latencies else None),
    }


# --- one load point -----------------------------------------------------------------------


def specs_for(kind, port, sessions):
    """(key, url, headers, is the facilitator's) for the 8 clients of each session."""
    out = []
    for i, s in enumerate(sessions):
        for j in range(8):
            if kind == "app":
                out.append((s["id"], f"ws://127.0.0.1:{port}/ws/session/{s['id']}/",
                            {"Cookie": s["cookies"][j]}, j == 0))
            elif kind == "click":
                out.append((s["id"], f"ws://127.0.0.1:{port}/floor/{s['id']}/",
                            {"Cookie": s["cookies"][j]}, False))
            else:
                out.append((i, f"ws://127.0.0.1:{port}/floor/{i}/", {}, False))
    return out


def held_versions(pool) -> dict:
    """The newest version any client of each session holds."""
    out: dict = {}
    for reply in pool.ask("versions"):
        for key, v in reply.items():
            out[key] = max(out.get(key, -1), v)
    return out


def load_point(name, kind, env, sessions, segments, workers, payload=0, storm=False, rng=None,
               processes=1, click="socket", role=None):
    """One load point: start the server, open S×8 clients, click on schedule, measure.

    ``kind``: "app" (the app's daphne; ``click`` "socket" or "post"), "click" (the stock
    stack's minimal click, bench/floor_click.py), "channels" or "websockets" (the floors).
    """
    port = free_port()
    click = click if kind == "app" else {"click": "post", "channels": "driver socket",
                                         "websockets": "driver socket"}[kind]
    log(f"{name}: {kind} server on :{port} ({processes} process{'es' if processes > 1 else ''}), "
        f"{len(sessions)}×8 sockets, segments {segments}, click {click}")
    server = Server(kind, env, port, payload, processes)
    pool = Pool(workers)
    result = {"name": name, "role": role, "server": kind, "click": click,
              "sessions": len(sessions), "segments": segments, "processes": processes}
    try:
        time.sleep(SETTLE[0])
        rss0 = server.rss_kb()
        t_open = time.monotonic()
        specs = specs_for(kind, port, sessions)
        opened = pool.open(specs, f"http://127.0.0.1:{port}")
        # A refused first attempt retries with backoff, as a browser does: wait for them all.
        deadline = time.monotonic() + 60
        while sum(r["open"] for r in pool.ask("collect")) < len(specs):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        opened["seconds"] = time.monotonic() - t_open
        time.sleep(SETTLE[1])
        pool.ask("collect")  # the snapshots each connect starts with
        rss1 = server.rss_kb()
        held = sum(r["open"] for r in pool.ask("collect"))
        result.update(
            sockets=held, first_connect_failed=opened["failed"],
            connect_seconds=round(opened["seconds"], 2),
            rss_before_mb=round(rss0 / 1024, 1), rss_after_mb=round(rss1 / 1024, 1),
            kb_per_socket=round((rss1 - rss0) / max(1, held), 1),
        )
        log(f"  {held} sockets open in {opened['seconds']:.1f}s "
            f"({opened['failed']} first attempts refused), {result['kb_per_socket']} KB/socket")
        keys = ([s["id"] for s in sessions] if kind in ("app", "click")
                else list(range(len(sessions))))
        before = held_versions(pool)
        cpu0, wall0 = server.cpu_s(), time.monotonic()
        ccpu0 = sum(r["cpu"] for r in pool.ask("collect"))
        extra: dict = {}
        if click == "socket":
            t0 = time.monotonic() + 0.5
            plans: list[list] = [[] for _ in range(workers)]
            for i, s in enumerate(sessions):
                plans[pool.worker_of(i)].append((s["id"], s["subject"],
                                                 schedule(rng, segments, t0)))
            run_id = f"bench-{port}-{os.urandom(4).hex()}"
            replies = pool.ask("drive", [(plan, run_id, 30.0) for plan in plans])
            scheduled = {(k, v): when for r in replies for k, v, when in r["scheduled"]}
            statuses = sum((Counter(r["statuses"]) for r in replies), Counter())
            done = sum((Counter(r["acked"]) for r in replies), Counter())
            nacks = sum((Counter(r["nacks"]) for r in replies), Counter())
            ack_ms = [x for r in replies for x in r["ack_ms"]]
            extra.update(nacks=dict(nacks),
                         ack_p50_ms=percentile(ack_ms, 50), ack_p95_ms=percentile(ack_ms, 95))
        else:
            drivers: dict
            if kind == "app":  # the page shows the version its socket received
                drivers = {s["id"]: AppDriver(port, s, version=before.get(s["id"]))
                           for s in sessions}
            elif kind == "click":
                drivers = {s["id"]: AppDriver(port, s, f"/click/{s['id']}/") for s in sessions}
            else:
                drivers = {i: WsDriver(port, i) for i in range(len(sessions))}
            scheduled, statuses, done = asyncio.run(
                _drive_and_close(drivers, keys, segments, rng))
        clicks = sum(statuses.values())
        # Clicks the server may or may not have applied: no answer within 30 s (socket) or
        # the connection lost before the answer (POST).
        unanswered = statuses.get("no answer", 0) + statuses.get(0, 0)
        # Drain: wait for the last deliveries (or give up on them: lost).
        deadline = time.monotonic() + 10
        arrivals = []
        frame_sum = frame_n = 0
        while True:
            time.sleep(0.5)
            replies = pool.ask("collect")
            arrivals += [a for r in replies for a in r["arrivals"]]
            frame_sum += sum(r["frame_sum"] for r in replies)
            frame_n += sum(r["frame_n"] for r in replies)
            fig = summarise(scheduled, arrivals, 8)
            if fig["lost"] == 0 or time.monotonic() > deadline:
                break
        wall = time.monotonic() - wall0
        cpu = server.cpu_s() - cpu0
        frame_bytes = round(frame_sum / frame_n) if frame_n else None
        ccpu = sum(r["cpu"] for r in replies) - ccpu0
        result.update(fig)
        result.update(
            clicks=clicks,
            failed_clicks=clicks - sum(done.values()),
            non_200=sum(v for k, v in statuses.items() if k not in (200, "ack")),
            statuses={str(k): v for k, v in statuses.items()},
            rate_per_s=round(clicks / sum(d for d, _ in segments), 1),
            server_cpu_pct=round(100 * cpu / wall, 1),
            # Server CPU time over the drive and its drain, divided by the clicks sent.
            cpu_ms_per_click=round(1000 * cpu / max(1, clicks), 2),
            clients_cpu_pct=round(100 * ccpu / wall, 1),
            sockets_open_at_end=sum(r["open"] for r in replies),
            message_bytes=frame_bytes,
            stray_replies=sum(r["stray_replies"] for r in replies),
            rss_end_mb=round(server.rss_kb() / 1024, 1),
            **extra,
        )
        if kind == "app":
            result.update(applied_once(pool, sessions, keys, before, done, scheduled, click,
                                       unanswered))
        log(f"  {clicks} clicks, {result['failed_clicks']} failed {result['statuses']}, "
            f"{fig['steps']} steps, lost {fig['lost']}, "
            f"p50 {fig['p50_ms']} p95 {fig['p95_ms']} p99 {fig['p99_ms']} max {fig['max_ms']} ms, "
            f"server CPU {result['server_cpu_pct']}% = {result['cpu_ms_per_click']} ms/click, "
            f"clients CPU {result['clients_cpu_pct']}%, frame {frame_bytes} B"
            + (f", applied twice {result['applied_twice']}, resent {result.get('resend')}"
               if kind == "app" else ""))
        if storm:
            result["storm"] = restart_storm(server, pool, sessions)
    finally:
        pool.close()
        server.close()
    return result


def applied_once(pool, sessions, keys, before, done, scheduled, click, unanswered) -> dict:
    """0 commands applied twice: each session's version moved by exactly its acked clicks,
    no two clicks were acked with the same version, and (socket) a click sent again with
    its id is acked as a duplicate without moving the version."""
    after = held_versions(pool)
    moved = {k: after.get(k, -1) - before.get(k, -1) for k in keys}
    beyond = sum(max(0, moved[k] - done.get(k, 0)) for k in keys)
    out = {
        # Versions the sessions moved beyond their acked clicks, less the clicks that got no
        # answer (each may have been applied once), and clicks acked with a version another
        # click had.
        "versions_beyond_acked": beyond,
        "unanswered": unanswered,
        "applied_twice": max(0, beyond - unanswered),
        "acked_not_applied": sum(max(0, done.get(k, 0) - moved[k]) for k in keys),
        "same_version_acked": sum(done.values()) - len(scheduled),
    }
    if click == "socket":
        again = [s["id"] for i, s in enumerate(sessions) if i % 4 == 0]
        parts = [[k for i, k in enumerate(keys) if k in again and pool.worker_of(i) == w]
                 for w in range(len(pool.conns))]
        counts = sum((Counter(r) for r in pool.ask("resend", [(p, 30.0) for p in parts])),
                     Counter())
        time.sleep(1.0)  # a wrongly applied retry would broadcast by now
        final = held_versions(pool)
        moved_by_resend = sum(final.get(k, -1) - after.get(k, -1) for k in keys)
        out["resend"] = dict(counts)
        out["resend_moved_versions"] = moved_by_resend
        out["applied_twice"] += moved_by_resend
    return out


async def _drive_and_close(drivers, keys, segments, rng):
    try:
        await asyncio.gather(*(d.prepare() for d in drivers.values()))
        t0 = time.monotonic() + 0.5
        times = {key: schedule(rng, segments, t0) for key in keys}
        return await drive(drivers, times)
    finally:
        for d in drivers.values():
            d.close()
        await asyncio.sleep(0.1)


def restart_storm(server, pool, sessions):
    """Stop the server under all its sockets, start it again, time the resync of every client."""
    targets = held_versions(pool)
    pool.ask("storm", targets)
    total = len(sessions) * 8
    stopped = time.monotonic()
    server.stop()
    down = time.monotonic()
    server.start()
    up = server.ready
    log(f"  restart storm: stopped in {down - stopped:.1f}s, "
        f"listening again after {up - stopped:.1f}s")
    deadline = time.monotonic() + STORM_WAIT[0]
    while True:
        time.sleep(0.25)
        status = pool.ask("storm_status")
        waiting = sum(s["waiting"] for s in status)
        if waiting == 0 or time.monotonic() > deadline:
            break
    times = sorted(t for s in status for t in s["resynced"])
    out = {
        "clients": total,
        "waited_s": STORM_WAIT[0],
        "resynced": len(times),
        "not_resynced": waiting,
        "stop_seconds": round(down - stopped, 2),
        "restart_to_listening_s": round(up - down, 2),
        "all_current_after_stop_s": (round(times[-1] - stopped, 2)
                                     if times and not waiting else None),
        "all_current_after_listening_s": (round(times[-1] - up, 2)
                                          if times and not waiting else None),
        "p50_after_stop_s": round(percentile(times, 50) - stopped, 2) if times else None,
    }
    log(f"  restart storm: {out}")
    return out


# --- the run ------------------------------------------------------------------------------


def plan(quick):
    """(sessions, [(seconds, seconds between a session's clicks), ...]) of each load point."""
    if quick:
        return {
            "main": (6, [(4, 1.0)]),
            "quarter": (6, [(4, 2.0)]),
            "many": (12, [(4, 2.0)]),
            "burst": (6, [(2, 1.0), (2, 0.2), (2, 1.0)]),
        }
    return {
        "main": (125, [(30, 1.0)]),
        "quarter": (125, [(40, 4.0)]),
        "many": (500, [(60, 10.0)]),
        "burst": (125, [(10, 1.0), (5, 0.2), (15, 1.0)]),
    }


FLOOR_PAYLOAD = 3400  # bytes of the floors' frame when no app point ran first to size it


def payload_of(point) -> int:
    """The floors' html payload: the app's state frame less the JSON around the html."""
    size = (point or {}).get("message_bytes") or 0
    return size - 28 if size > 1000 else FLOOR_PAYLOAD


def run_backend(name, args, rng):
    log(f"== backend {name}")
    backend = Backend(name)
    points = plan(args.quick)
    if args.main_period:
        n, segments = points["main"]
        points["main"] = (n, [(segments[0][0], args.main_period)])
    out = {"backend": name, "points": []}
    clicks = ["socket", "post"] if args.click == "both" else [args.click]
    label = lambda key: "quick" if args.quick else f"{points[key][0]}x8"  # noqa: E731
    rate = lambda key: f"@{1 / points[key][1][0][1]:g}/s"  # noqa: E731
    suffix = lambda click: "" if click == "socket" else " (POST)"  # noqa: E731
    try:
        # Disjoint sessions per point that writes: each starts from its seeded state.
        sizes = {"many": points["many"][0], "main": points["main"][0],
                 "quarter": points["quarter"][0], "scaled": points["main"][0],
                 "burst": points["burst"][0], "click": points["main"][0]}
        sessions = backend.seed(sum(sizes.values()))
        pools, start = {}, 0
        for key, n in sizes.items():
            pools[key], start = sessions[start:start + n], start + n
        wanted = set(args.points.split(","))
        if args.only_main:
            wanted &= {"main", "floors", "scaled"}

        def point(name, kind, env, sessions, segments, **kw):
            result = load_point(name, kind, env, sessions, segments, args.workers, rng=rng, **kw)
            out["points"].append(result)
            return result

        main_seg = points["main"][1]
        app = None
        if "main" in wanted:
            for click in clicks:
                result = point(f"{label('main')} {rate('main')}{suffix(click)}", "app",
                               backend.env, pools["main"], main_seg, click=click,
                               role="main")
                app = app or result
        if "floors" in wanted:
            payload = payload_of(app)
            for kind in ("channels", "websockets", "click"):
                point(f"floor {kind} {rate('main')}", kind, backend.env,
                      pools["click" if kind == "click" else "main"], main_seg,
                      payload=payload, role="main")
        if "quarter" in wanted:
            q_seg, q_app = points["quarter"][1], None
            for click in clicks:
                result = point(f"{label('quarter')} {rate('quarter')}{suffix(click)}", "app",
                               backend.env, pools["quarter"], q_seg, click=click,
                               role="quarter")
                q_app = q_app or result
            payload = payload_of(q_app or app)
            for kind in ("channels", "click"):
                point(f"floor {kind} {rate('quarter')}", kind, backend.env,
                      pools["click" if kind == "click" else "quarter"], q_seg,
                      payload=payload, role="quarter")
        if "scaled" in wanted and name == "postgres" and args.processes > 1:
            # The production layout: several daphne processes sharing Redis and PostgreSQL.
            point(f"{label('main')} {rate('main')}, {args.processes} processes", "app",
                  backend.env, pools["scaled"], main_seg, processes=args.processes,
                  click=clicks[0], role="scaled")
        if "burst" in wanted:
            point("burst 5x", "app", backend.env, pools["burst"], points["burst"][1],
                  click=clicks[0], role="burst")
        if "many" in wanted:
            many = point(f"{label('many')} {rate('many')} + restart storm", "app", backend.env,
                         pools["many"], points["many"][1], storm=True, click=clicks[0],
                         role="many")
            # The bare Channels floor's memory with as many sockets.
            # (Its memory is the figure: a third of the schedule is enough.)
            duration, period = points["many"][1][0]
            point(f"floor channels {label('many')} {rate('many')}", "channels", backend.env,
                  pools["many"], [(max(period, duration / 3), period)],
                  payload=payload_of(many), role="many")
            # The stock stack's minimal reconnect under the same storm: AuthMiddlewareStack,
            # one SELECT of the version, a frame (bench/floor_click.py).
            point(f"floor click {label('many')} {rate('many')} + restart storm", "click",
                  backend.env, pools["many"], [(max(period, duration / 3), period)],
                  payload=payload_of(many), storm=True, role="many")
        out.update(ratios(out["points"]))
    finally:
        backend.close()
    return out


def ratios(points) -> dict:
    """The figures the targets compare, each against its floor of the same run."""
    def find(role, server, click=None):
        return next((p for p in points if p.get("role") == role and p["server"] == server
                     and (click is None or p["click"] == click)), None)

    def ratio(a, b, key):
        if a and b and a.get(key) is not None and b.get(key):
            return round(a[key] / b[key], 2)
        return None

    out = {}
    for role in ("main", "quarter"):
        app = find(role, "app", "socket") or find(role, "app")
        out[f"{role}_p95_app_over_channels"] = ratio(app, find(role, "channels"), "p95_ms")
        out[f"{role}_p95_app_over_websockets"] = ratio(app, find(role, "websockets"), "p95_ms")
        out[f"{role}_cpu_app_over_click"] = ratio(app, find(role, "click"), "cpu_ms_per_click")
        post = find(role, "app", "post")
        if post and app is not post:
            out[f"{role}_cpu_socket_over_post"] = ratio(app, post, "cpu_ms_per_click")
    out["many_kb_app_over_channels"] = ratio(find("many", "app"), find("many", "channels"),
                                             "kb_per_socket")
    out["many_kb_app_over_click"] = ratio(find("many", "app"), find("many", "click"),
                                          "kb_per_socket")
    storms = [(p or {}).get("storm") or {} for p in (find("many", "app"), find("many", "click"))]
    if storms[0].get("all_current_after_stop_s") and storms[1].get("all_current_after_stop_s"):
        out["storm_app_over_click"] = round(storms[0]["all_current_after_stop_s"]
                                            / storms[1]["all_current_after_stop_s"], 2)
    return {k: v for k, v in out.items() if v is not None}


def shown(path: Path) -> Path:
    """A path as RESULTS.md names it: relative to the checkout when inside it."""
    try:
        return path.resolve().relative_to(BENCH.parent)
    except ValueError:
        return path.resolve()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few sessions for a few seconds")
    parser.add_argument("--backend", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="websocket client processes")
    parser.add_argument("--only-main", action="store_true", help="only the 125×8 point and floors")
    parser.add_argument("--points", default="main,floors,quarter,scaled,burst,many",
                        help="load points to run, among main,floors,quarter,scaled,burst,many")
    parser.add_argument("--click", choices=["socket", "post", "both"], default="socket",
                        help="how the app's facilitator clicks: a command over the page's open "
                             "websocket (default), the HTTP POST fallback, or both (the main "
                             "and quarter points run once each way)")
    parser.add_argument("--processes", type=int, default=2,
                        help="daphne processes of the 'scaled' point (PostgreSQL + Redis only)")
    parser.add_argument("--main-period", type=float,
                        help="seconds between clicks of a session at the main point (default 1)")
    parser.add_argument("--storm-wait", type=float, default=180.0,
                        help="seconds the restart storm waits for every client to be current")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="raw JSON file (default bench/results/<time>.json)")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    fd = raise_fd_limit()
    STORM_WAIT[0] = args.storm_wait
    if args.quick:
        SETTLE[:] = [0.3, 0.5]
    rng = random.Random(args.seed)
    results = {
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "versions": versions(),
        "fd_limit_raised_to": fd,
        "client_processes": args.workers,
        "click": args.click,
        "backends": [],
    }
    names = ["embedded", "postgres"] if args.backend == "both" else [args.backend]
    for name in names:
        results["backends"].append(run_backend(name, args, rng))
    out = Path(args.out) if args.out else BENCH / "results" / (
        time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + ("-quick" if args.quick else "") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    log("raw results:", out)
    if not args.no_write and not args.quick:
        (BENCH / "RESULTS.md").write_text(report.markdown(results, shown(out)))
        log("wrote bench/RESULTS.md")
    return results


if __name__ == "__main__":
    main()
