"""The bound on websocket handshakes in progress: the surplus waits its turn, then is told
to try again later; a handshake cancelled while waiting frees its place."""

import asyncio

from intervision.handshakes import HandshakeGate


class Held:
    """A websocket app that accepts only when told to."""

    def __init__(self):
        self.release = asyncio.Event()
        self.started = 0

    async def __call__(self, scope, receive, send):
        await receive()  # websocket.connect
        self.started += 1
        await self.release.wait()
        await send({"type": "websocket.accept"})


async def handshake(gate):
    sent = []
    queue: asyncio.Queue[dict] = asyncio.Queue()
    queue.put_nowait({"type": "websocket.connect"})

    async def send(message):
        sent.append(message)

    await gate({"type": "websocket"}, queue.get, send)
    return sent[0]


def test_handshakes_beyond_the_limit_wait_their_turn_then_are_refused():
    async def scenario():
        app = Held()
        gate = HandshakeGate(app, limit=1, wait=0.3)
        first = asyncio.ensure_future(handshake(gate))
        second = asyncio.ensure_future(handshake(gate))
        await asyncio.sleep(0.05)
        assert app.started == 1  # the second waits at the gate, no work started for it
        app.release.set()
        # The first one's accept hands its slot to the second, which is accepted too.
        assert (await first)["type"] == "websocket.accept"
        assert (await second)["type"] == "websocket.accept"
        assert gate.connecting == 0

        app.release.clear()
        third = asyncio.ensure_future(handshake(gate))
        fourth = asyncio.ensure_future(handshake(gate))
        # Nobody accepts within the wait: the one queued is told to try again later.
        assert await fourth == {"type": "websocket.close", "code": 1013}
        app.release.set()
        assert (await third)["type"] == "websocket.accept"
        assert gate.connecting == 0 and not gate.waiters

    asyncio.run(scenario())


def test_a_handshake_cancelled_while_waiting_does_not_keep_a_slot():
    async def scenario():
        app = Held()
        gate = HandshakeGate(app, limit=1, wait=5)
        first = asyncio.ensure_future(handshake(gate))
        gone = asyncio.ensure_future(handshake(gate))
        await asyncio.sleep(0.05)
        gone.cancel()  # the client went away while queued
        await asyncio.sleep(0.01)
        app.release.set()
        assert (await first)["type"] == "websocket.accept"
        assert gate.connecting == 0
        # The slot is free for the next one, at once.
        assert (await asyncio.wait_for(handshake(gate), 1))["type"] == "websocket.accept"

    asyncio.run(scenario())


