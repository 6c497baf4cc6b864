"""Websocket client processes for the benchmark: each holds many real `websockets` clients.

A browser's live.js, reduced to what the benchmark needs: connect with the person's cookies,
read every message's "version", and on any close reconnect with the same backoff (0.5 s
doubling to 10 s, ±25 % jitter). Every arrival is stamped with time.monotonic(), a clock
shared by all processes of the machine, so the driver's scheduled times compare directly.

The parent talks to a worker over a Pipe; see ``serve``.
"""

import asyncio
import json
import random
import re
import resource
import time

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

VERSION = re.compile(r'\{"version":\s*(\d+)')


class Client:
    __slots__ = ("key", "url", "headers", "version", "generation", "resynced", "task", "open")

    def __init__(self, key, url, headers):
        self.key, self.url, self.headers = key, url, headers
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

    async def run_client(self, c: Client, origin: str, reconnect: bool, first: asyncio.Future):
        retry = 0
        while not self.stopping:
            try:
                async with connect(
                    c.url,
                    additional_headers=c.headers,
                    origin=origin,
                    ping_interval=None,
                    max_size=2**20,
                    open_timeout=30,
                    close_timeout=1,
                ) as ws:
                    retry = 0
                    c.open = True
                    c.generation += 1
                    if not first.done():
                        first.set_result(True)
                    async for message in ws:
                        self.on_message(c, message)
            except (OSError, WebSocketException, asyncio.TimeoutError) as exc:
                if not first.done():
                    first.set_result(False)
                if getattr(exc, "rcvd", None) is not None and exc.rcvd.code in (4403, 4404):
                    self.refused += 1
                    return
            finally:
                c.open = False
            if not reconnect or self.stopping:
                return
            delay = min(10.0, 0.5 * 2**retry) * (0.75 + random.random() / 2)
            retry += 1
            await asyncio.sleep(delay)

    def on_message(self, c: Client, message):
        now = time.monotonic()
        self.messages += 1
        self.bytes += len(message)
        m = VERSION.match(message)
        version = int(m.group(1)) if m else int(json.loads(message).get("version", -1))
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

        for key, url, headers in specs:
            c = Client(key, url, headers)
            self.clients.append(c)
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
        }
        self.messages = self.bytes = 0
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
