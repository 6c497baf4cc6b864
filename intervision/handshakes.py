"""A bound on websocket handshakes in progress: a plain ASGI middleware.

After a restart every open page reconnects in the same second. Each handshake costs a
database trip on the consumers' one database thread and channel-layer subscriptions; daphne
drops the ones not accepted in time, and the work done for them is lost, so without a bound
the queue never drains (bench/README.md: 4,000 pages back after 90.8 s embedded, never on
PostgreSQL + Redis; with the bound, 15–18 s before the server went back to stock).
"""

import asyncio
import collections

# Seconds a handshake may wait at the gate: under daphne's --websocket_connect_timeout (30 s
# on every command line of the project).
HANDSHAKE_WAIT = 20.0


class HandshakeGate:
    """At most ``limit`` websocket handshakes in progress; the next ones wait their turn for
    up to ``wait`` seconds, in arrival order, and are refused (1013, try again later) after.
    A short queue keeps the server busy while the pages wait connected; refusing at once
    sent them into their exponential backoff, and the server sat idle between the waves."""

    def __init__(self, app, limit: int = 200, wait: float = HANDSHAKE_WAIT):
        self.app = app
        self.limit = limit
        self.wait = wait
        self.connecting = 0
        self.waiters: collections.deque[asyncio.Future] = collections.deque()

    async def _enter(self) -> bool:
        if self.connecting < self.limit and not self.waiters:
            self.connecting += 1
            return True
        turn = asyncio.get_running_loop().create_future()
        self.waiters.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.wait)
            return True  # the slot was handed over by _leave, still counted
        except TimeoutError:
            if turn.done():  # handed over at the last moment: keep it
                return True
            turn.cancel()
            return False
        except BaseException:  # this handshake was cancelled while it waited
            if turn.done() and not turn.cancelled():
                self._leave()  # pass on the slot it had just been given
            else:
                turn.cancel()
            raise

    def _leave(self):
        while self.waiters:
            turn = self.waiters.popleft()
            if not turn.done():
                turn.set_result(True)  # the slot passes to the next in line
                return
        self.connecting -= 1

    async def __call__(self, scope, receive, send):
        if not await self._enter():
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        pending = True

        async def send_and_count(message):
            nonlocal pending
            if pending and message["type"] in ("websocket.accept", "websocket.close"):
                pending = False
                self._leave()
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            if pending:
                self._leave()
