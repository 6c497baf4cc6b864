"""The bare floor: a `websockets` server fanning a payload the size of the app's live message
out to groups of 8, no Django, no Channels. Bench-only.

    python bench/floor_websockets.py PORT PAYLOAD_BYTES
"""

import asyncio
import json
import sys
from collections import defaultdict

from websockets.asyncio.server import broadcast, serve


async def main(port: int, size: int) -> None:
    payload = "x" * size
    groups: dict[str, set] = defaultdict(set)

    async def handler(ws):
        kind, g = ws.request.path.strip("/").split("/")[:2]
        if kind == "drive":
            async for message in ws:
                broadcast(groups[g], json.dumps({"version": int(message), "html": payload}))
            return
        groups[g].add(ws)
        try:
            await ws.wait_closed()
        finally:
            groups[g].discard(ws)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, max_size=65536, backlog=4096):
        print("listening", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
