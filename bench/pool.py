"""The benchmark's clients and clocks: the client processes (``Pool``), who clicks
(``AppDriver`` over the app's socket or by POST, ``WsDriver`` on a floor), the open-loop
schedule of clicks, and the latency figures of a run (``summarise``).

Used by ``bench/driver.py``'s load points.
"""

import asyncio
import multiprocessing
import os
import re
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

from bench import clients

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
