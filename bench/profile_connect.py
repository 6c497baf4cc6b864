"""The cost of one page's websocket, in process: CPU per connect and memory per socket.

What the restart storm and the 4,000-socket point of `bench/run.py` stress, without the
network and its noise. Sets up the embedded default as `bench/profile_click.py` does (one
group of 8, its session in the order stage) and opens N sockets, 64 at a time, through
Channels' `WebsocketCommunicator` to:

- ``app``: the real ASGI application (`AllowedHostsOriginValidator`, `AuthMiddlewareStack`,
  the session's consumer: membership, snapshot, the first frame), the 8 people's cookies in
  turn, each connect waiting for its first frame;
- ``floor``: the bare Channels consumer of `bench/floor_channels.py` (a group join, no
  database, nothing sent), the same headers.

For each it prints the CPU per connect (`time.process_time`, every thread) and the memory
each open socket holds (`tracemalloc`, after a collection, less the same count of test
communicators connected to a consumer that only accepts: what both share is not counted).
Compare the two lines with each other; `--profile` adds cProfile's top functions of the app's
connects (the event loop and the database thread).

    .venv/bin/python bench/profile_connect.py              # 2,000 sockets each
    .venv/bin/python bench/profile_connect.py -n 1000 --profile
"""

import argparse
import asyncio
import cProfile
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.profile_click import print_profiles, seed, setup  # noqa: E402

BATCH = 64  # handshakes in flight at once, as the benchmark's reconnecting pages


async def open_sockets(application, paths, cookies, first_frame: bool):
    from channels.testing import WebsocketCommunicator

    async def one(i):
        page = WebsocketCommunicator(
            application,
            paths[i % len(paths)],
            headers=[(b"cookie", cookies[i % len(cookies)].encode()),
                     (b"origin", b"http://localhost"), (b"host", b"localhost")],
        )
        connected, _ = await page.connect(timeout=30)
        assert connected, "a page was refused"
        if first_frame:
            json.loads(await page.receive_from(timeout=30))
        return page

    async def all_of(n):
        pages = []
        for start in range(0, n, BATCH):
            pages += await asyncio.gather(*(one(i) for i in range(start, min(n, start + BATCH))))
        return pages

    return all_of


async def measure(name, application, paths, cookies, n, first_frame, baseline_kb, profile=None):
    """CPU per connect, then memory per socket, for ``n`` sockets to ``application``."""
    all_of = await open_sockets(application, paths, cookies, first_frame)
    await close(await all_of(BATCH))  # warm-up: templates, translations, first queries
    gc.collect()
    if profile is not None:
        profile.enable()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pages = await all_of(n)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if profile is not None:
        profile.disable()
    await close(pages)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    pages = await all_of(n)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    await close(pages)
    kb = held / n / 1024
    if baseline_kb is not None:
        print(f"{name:6} sockets {n}  CPU {cpu * 1000 / n:.2f} ms/connect  "
              f"wall {wall * 1000 / n:.2f} ms/connect  "
              f"memory {kb - baseline_kb:.2f} KB/socket (+{baseline_kb:.2f} of the test "
              f"communicators)", flush=True)
    return kb


async def close(pages):
    await asyncio.gather(*(page.disconnect() for page in pages))


async def run(n: int, profile: bool, only: str):
    from channels.generic.websocket import AsyncWebsocketConsumer

    from bench.floor_channels import application as floor
    from intervision.asgi import application as app

    class Accept(AsyncWebsocketConsumer):
        """What every socket of the test harness holds, whatever its consumer."""

    session_id, _, _, cookies = await asyncio.to_thread(seed)
    accept = Accept.as_asgi()
    baseline = await measure("accept", accept, ["/"], cookies, n, False, None)
    profilers = None
    if only in ("both", "floor"):
        await measure("floor", floor, [f"/floor/{g}/" for g in range(n // 8 + 1)], cookies, n,
                      False, baseline)
    if only in ("both", "app"):
        loop_profiler = cProfile.Profile() if profile else None
        if profile:
            profilers = (loop_profiler, thread_profile())
        await measure("app", app, [f"/ws/session/{session_id}/"], cookies, n, True, baseline,
                      loop_profiler)
    return profilers


def thread_profile():
    """A profiler for the work ``database_sync_to_async`` sends to Channels' database
    thread (the user's session and row, the membership, the snapshot)."""
    from asgiref import sync

    profiler = cProfile.Profile()
    original = sync.SyncToAsync.thread_handler

    def handler(self, loop, *args, **kwargs):
        return profiler.runcall(original, self, loop, *args, **kwargs)

    sync.SyncToAsync.thread_handler = handler  # type: ignore[method-assign]
    return profiler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="sockets opened per consumer")
    parser.add_argument("--only", choices=("both", "app", "floor"), default="both")
    parser.add_argument("--profile", action="store_true", help="cProfile of the app's connects")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        profilers = asyncio.run(run(args.n, args.profile, args.only))
    if profilers:
        print_profiles(("THE EVENT LOOP", "THE DATABASE THREAD"), profilers, args.top)


if __name__ == "__main__":
    main()
