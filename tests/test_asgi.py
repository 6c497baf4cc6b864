"""The ASGI entry point: Django's requests in one thread hop, the websocket handshake gate,
and the pacing of the garbage collector."""

import asyncio
import gc

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from intervision import asgi

pytestmark = pytest.mark.django_db(transaction=True)


# --- Django through the one-hop handler ------------------------------------------------------


def test_pages_static_files_and_errors_are_served_through_the_asgi_handler(
    client, participant, session
):
    async def get(path, headers=()):
        scope = {
            "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"localhost"), *headers],
            "client": ("127.0.0.1", 5000), "server": ("localhost", 80),
        }
        app = ApplicationCommunicator(asgi.application, scope)
        await app.send_input({"type": "http.request", "body": b""})
        start = await app.receive_output(10)
        body = b""
        while True:
            chunk = await app.receive_output(10)
            body += chunk.get("body", b"")  # the last message of a stream may have none
            if not chunk.get("more_body"):
                break
        return {"status": start["status"], "body": body}

    health = async_to_sync(get)("/healthz")
    assert health["status"] == 200
    assert b'"database": "ok"' in health["body"]
    # A streamed response (whitenoise's static file) arrives whole.
    script = async_to_sync(get)("/static/js/live.js")
    assert script["status"] == 200
    assert b"WebSocket" in script["body"]
    # Signed out: sent to the sign-in page.
    page = async_to_sync(get)(f"/s/{session.pk}/")
    assert page["status"] == 302
    # Signed in: the live page, with the person's cookie.
    client.force_login(participant)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    page = async_to_sync(get)(f"/s/{session.pk}/", [(b"cookie", cookie)])
    assert page["status"] == 200
    assert b'id="live"' in page["body"]
    assert async_to_sync(get)("/s/999999/", [(b"cookie", cookie)])["status"] == 404


# --- The handshake gate ----------------------------------------------------------------------


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
    queue = asyncio.Queue()
    queue.put_nowait({"type": "websocket.connect"})

    async def send(message):
        sent.append(message)

    await gate({"type": "websocket"}, queue.get, send)
    return sent[0]


def test_handshakes_beyond_the_limit_wait_their_turn_then_are_refused():
    async def scenario():
        app = Held()
        gate = asgi.HandshakeGate(app, limit=1, wait=0.3)
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
        gate = asgi.HandshakeGate(app, limit=1, wait=5)
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


# --- The collector's pacing ------------------------------------------------------------------


def test_collector_pacing_freezes_survivors_and_collects_everything_periodically():
    async def scenario():
        pacing = asgi.CollectorPacing(freeze_every=0.01, full_every=3600)
        gc.unfreeze()
        pacing.start()
        await asyncio.sleep(0.05)
        assert gc.get_freeze_count() > 0  # survivors frozen: out of the collector's walks

        # A full pass is due: everything is unfrozen, collected, and frozen again, so a
        # cycle left behind by a closed connection is reclaimed.
        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        gc.freeze()
        collected = []
        gc.callbacks.append(lambda phase, info: collected.append(info["generation"]))
        try:
            del a, b
            pacing.full_every = 0
            await asyncio.sleep(0.05)
        finally:
            gc.callbacks.pop()
        assert 2 in collected
        assert not any(type(o).__name__ == "Cycle" for o in gc.get_objects())

    asyncio.run(scenario())
