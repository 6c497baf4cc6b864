"""Websocket client processes for the benchmark: each holds many real `websockets` clients.

A browser's live.js, reduced to what the benchmark needs: connect with the person's cookies,
read every message's "version", and on any close reconnect with the same backoff (0.5 s
doubling to 10 s, ±25 % jitter). Every arrival is stamped with time.monotonic(), a clock
shared by all processes of the machine, so the driver's scheduled times compare directly.

The facilitator's client of each session can also click: it sends the app's command frame on
its open socket ({"type": "command", "id", "version", "command"}) and waits for the ack or
nack answering that id (``Worker.drive``), on the driver's open-loop schedule.

Frames are read only for their "version" (and acks for "ack"/"nack"): whatever else a
frame carries (a whole live region, only the regions that changed, ...) is counted in bytes,
never parsed. The bytes of the state frames are counted apart for the first frame of each
connection (the whole state a reconnect gets) and the frames after it (what a click costs
each socket), and per audience (the facilitator's socket, the others').

The parent talks to a worker over a Pipe; see ``serve``.
"""

import asyncio
import json
import random
import re
import resource
import time
from collections import Counter
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin

VERSION = re.compile(r'\{"version":\s*(\d+)')
# The version of a frame whose "version" is not its first key (read only if VERSION fails).
ANY_VERSION = re.compile(r'"version":\s*(-?\d+)')


def frame_version(message) -> int:
    """The version a state frame carries, or -1 (not a state frame, or not JSON at all)."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    m = VERSION.match(message) or ANY_VERSION.search(message)
    return int(m.group(1)) if m else -1


class Client:
    __slots__ = ("key", "url", "headers", "version", "generation", "resynced", "task", "open",
                 "ws", "pending", "acked", "audience", "fresh", "greeted")

    def __init__(self, key, url, headers, audience="participant", greeted=True):
        self.key, self.url, self.headers = key, url, headers
        self.audience = audience  # "facilitator": the session's facilitator's page
        self.greeted = greeted  # the server sends the state first on a connect (not the floors')
        self.fresh = False  # the next state frame is the first of a connection
        self.ws = None
        self.pending = {}  # command id -> future of its (arrival, ack or nack)
        self.acked = -1  # the version of the last ack: the page shows it at once
        self.version = -1
        self.generation = 0
        self.resynced = None
        self.task = None
        self.open = False


class Worker:
    def __init__(self):
        self.clients: list[Client] = []
        self.arrivals: dict = {}  # (key, version) -> [clients reached, last arrival]
        self.messages = 0
        self.bytes = 0
        self.storm_from = None  # (generation floor per client, {key: target version})
        self.stopping = False
        self.refused = 0
        self.facilitators: dict = {}  # key -> the Client of the session's facilitator
        self.stray_replies = 0  # acks or nacks answering no command in flight
        self.sent: dict = {}  # key -> command frames kept for resend
        self.frame_sum = self.frame_n = 0  # state frames received since the last collect
        # (first of a connection or not, audience) -> [bytes, frames], since the last collect
        self.frames: dict = {}

    async def run_client(self, c: Client, origin: str, reconnect: bool, first: asyncio.Future):
        retry = 0
        while not self.stopping:
            try:
                async with connect(
                    c.url,
                    additional_headers=c.headers,
                    origin=Origin(origin),
                    ping_interval=None,
                    max_size=2**20,
                    open_timeout=30,
                    close_timeout=1,
                ) as ws:
                    retry = 0
                    c.ws = ws
                    c.open = True
                    c.generation += 1
                    c.fresh = c.greeted
                    if not first.done():
                        first.set_result(True)
                    async for message in ws:
                        self.on_message(c, message)
            except (TimeoutError, OSError, WebSocketException) as exc:
                if not first.done():
                    first.set_result(False)
                rcvd = getattr(exc, "rcvd", None)
                if rcvd is not None and rcvd.code in (4403, 4404):
                    self.refused += 1
                    return
            finally:
                c.open = False
                c.ws = None
            if not reconnect or self.stopping:
                return
            delay = min(10.0, 0.5 * 2**retry) * (0.75 + random.random() / 2)
            retry += 1
            await asyncio.sleep(delay)

    def on_message(self, c: Client, message):
        now = time.monotonic()
        self.messages += 1
        self.bytes += len(message)
        if len(message) < 1024 and ('"ack"' in message or '"nack"' in message):
            try:
                data = json.loads(message)  # short, and names an ack: whatever the key order
            except ValueError:
                data = None
            if isinstance(data, dict) and ("ack" in data or "nack" in data):
                self.on_reply(c, data, now)
                return
        version = frame_version(message)
        if version >= 0:  # a state frame: what each socket receives, in bytes on the wire
            size = len(message.encode()) if isinstance(message, str) else len(message)
            kind = "connect" if c.fresh else "update"
            c.fresh = False
            slot = self.frames.setdefault(f"{kind} {c.audience}", [0, 0])
            slot[0] += size
            slot[1] += 1
            if kind == "update":
                self.frame_sum += size
                self.frame_n += 1
        if self.storm_from is not None and c.resynced is None:
            floor, targets = self.storm_from
            if c.generation > floor.get(id(c), 0) and version >= targets.get(c.key, 0):
                c.resynced = now
        if version <= c.version:
            return  # the snapshot a reconnect starts with, or a duplicate
        c.version = version
        slot = self.arrivals.get((c.key, version))
        if slot is None:
            self.arrivals[(c.key, version)] = [1, now]
        else:
            slot[0] += 1
            slot[1] = now

    def on_reply(self, c: Client, data: dict, now: float):
        future = c.pending.get(data.get("ack", data.get("nack")))
        if future is None or future.done():
            self.stray_replies += 1
            return
        if "ack" in data and isinstance(data.get("version"), int):
            c.acked = max(c.acked, data["version"])
        future.set_result((now, data))

    async def command(self, c: Client, frame: dict, timeout: float):
        """Send one command frame on the client's open socket; its ack or nack, or None."""
        ws = c.ws
        if ws is None:
            return None
        future = asyncio.get_running_loop().create_future()
        c.pending[frame["id"]] = future
        try:
            await ws.send(json.dumps(frame))
            return (await asyncio.wait_for(future, timeout))[1]
        except (TimeoutError, OSError, WebSocketException):
            return None
        finally:
            if c.pending.get(frame["id"]) is future:
                del c.pending[frame["id"]]

    async def drive(self, plan, run_id, timeout):
        """Each planned session's facilitator toggles "urgent" at the planned times.

        ``plan``: [(key, subject, [monotonic times])]. A click sends the version the page
        shows (the last frame's or ack's), with an id unique to the click; the next click
        waits for this one's answer (open loop: lateness shows as latency). The frames of
        the first and the last acked click of each session are kept for ``resend``.
        """
        out: dict[str, Any] = {"scheduled": [], "acked": Counter(), "statuses": Counter(),
                               "nacks": Counter(), "ack_ms": []}
        self.sent = {}

        async def one(key, subject, times):
            c = self.facilitators[key]
            urgent, sent = False, []
            for k, when in enumerate(times):
                delay = when - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                urgent = not urgent
                frame = {"type": "command", "id": f"{run_id}-{key}-{k}",
                         "version": max(c.version, c.acked),
                         "command": {"type": "set_urgent", "subject": str(subject),
                                     "urgent": "true" if urgent else "false"}}
                reply = await self.command(c, frame, timeout)
                if reply is None:
                    out["statuses"]["no answer"] += 1
                elif "ack" in reply and not reply.get("duplicate"):
                    out["statuses"]["ack"] += 1
                    out["acked"][key] += 1
                    out["scheduled"].append((key, reply["version"], when))
                    out["ack_ms"].append(round((time.monotonic() - when) * 1000, 1))
                    sent.append(frame)
                elif "ack" in reply:
                    out["statuses"]["duplicate"] += 1  # a fresh id taken for a retry: a bug
                else:
                    out["statuses"]["nack"] += 1
                    out["nacks"][f"{reply.get('status')} {reply.get('code')}"] += 1
            if sent:
                self.sent[key] = [sent[0], sent[-1]] if len(sent) > 1 else [sent[0]]

        await asyncio.gather(*(one(*entry) for entry in plan))
        out["acked"] = dict(out["acked"])
        return out

    async def resend(self, keys, timeout):
        """Send again, frame for frame, the kept clicks of these sessions, as a page retrying
        after a lost answer: each must be acked as a duplicate (and, as the driver checks from
        the versions, not applied again)."""
        out: Counter = Counter()

        async def one(key):
            for frame in self.sent.get(key, ()):
                out["resent"] += 1
                reply = await self.command(self.facilitators[key], frame, timeout)
                if reply is None:
                    out["no answer"] += 1
                elif "ack" in reply and reply.get("duplicate"):
                    out["duplicate"] += 1
                elif "ack" in reply:
                    out["applied again"] += 1
                else:
                    out[f"nack {reply.get('status')} {reply.get('code')}"] += 1

        await asyncio.gather(*(one(key) for key in keys if key in self.sent))
        return dict(out)

    def versions(self):
        """The newest version each session's clients hold."""
        out: dict = {}
        for c in self.clients:
            out[c.key] = max(out.get(c.key, -1), c.version)
        return out

    async def open(self, specs, origin, reconnect):
        started = time.monotonic()
        futures = []
        limit = asyncio.Semaphore(64)

        async def start(c):
            first = asyncio.get_running_loop().create_future()
            async with limit:
                c.task = asyncio.create_task(self.run_client(c, origin, reconnect, first))
                await first
            return first.result()

        for key, url, headers, facilitator, greeted in specs:
            c = Client(key, url, headers, "facilitator" if facilitator else "participant",
                       greeted)
            self.clients.append(c)
            if facilitator:
                self.facilitators[key] = c
            futures.append(start(c))
        results = await asyncio.gather(*futures)
        return {"ok": sum(results), "failed": len(results) - sum(results),
                "seconds": time.monotonic() - started}

    def collect(self):
        arrivals, self.arrivals = self.arrivals, {}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out = {
            "arrivals": [[k[0], k[1], v[0], v[1]] for k, v in arrivals.items()],
            "messages": self.messages,
            "bytes": self.bytes,
            "cpu": usage.ru_utime + usage.ru_stime,
            "open": sum(1 for c in self.clients if c.open),
            "refused": self.refused,
            "stray_replies": self.stray_replies,
            "frame_sum": self.frame_sum,
            "frame_n": self.frame_n,
            "frames": self.frames,
        }
        self.messages = self.bytes = self.frame_sum = self.frame_n = 0
        self.frames = {}
        return out

    def storm(self, targets):
        for c in self.clients:
            c.resynced = None
        self.storm_from = ({id(c): c.generation for c in self.clients}, targets)

    def storm_status(self):
        times = [c.resynced for c in self.clients]
        return {"resynced": [t for t in times if t is not None], "waiting": times.count(None)}

    async def close(self):
        self.stopping = True
        for c in self.clients:
            if c.task:
                c.task.cancel()
        await asyncio.gather(*(c.task for c in self.clients if c.task), return_exceptions=True)


def serve(conn) -> None:
    """Worker process entry: obey (command, argument) pairs from the parent."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    async def main():
        worker = Worker()
        loop = asyncio.get_running_loop()
        while True:
            command, arg = await loop.run_in_executor(None, conn.recv)
            if command == "open":
                conn.send(await worker.open(*arg))
            elif command == "collect":
                conn.send(worker.collect())
            elif command == "drive":
                conn.send(await worker.drive(*arg))
            elif command == "resend":
                conn.send(await worker.resend(*arg))
            elif command == "versions":
                conn.send(worker.versions())
            elif command == "storm":
                worker.storm(arg)
                conn.send(True)
            elif command == "storm_status":
                conn.send(worker.storm_status())
            elif command == "close":
                await worker.close()
                conn.send(True)
                return

    asyncio.run(main())
