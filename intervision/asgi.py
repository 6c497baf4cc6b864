"""ASGI entry point: HTTP through Django, websockets through Channels."""

import asyncio
import collections
import gc
import os
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.asgi import get_asgi_application
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.signals import request_started
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intervision.settings")
get_asgi_application()  # django.setup(), exactly as Django's own entry point does


class OneHopASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the middleware and the view run in one thread hop.

    Every middleware of this project is synchronous, and so are the views. Django's handler
    runs the chain in async mode: each middleware, the view, the ``request_started`` signal
    and the response's closing hopped between the event loop and a thread on its own, about
    twenty hops per request that cost more CPU than the view itself and queued behind the
    event loop delivering broadcasts. Here the request is read and the response sent on the
    event loop; everything between runs in one call on the request's thread.
    """

    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:  # the client went away while sending
            return
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            await self.send_response(response, send)
            if response.streaming:
                await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope, body_file):
        """Everything synchronous of one request: signal, request, middleware, view."""
        set_script_prefix(get_script_prefix(scope))
        request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
        if not response.streaming:
            # The body is in memory: close now (request_finished, database connections),
            # in this same hop, rather than in another one after sending.
            response.close()
        return response


django_asgi_app = OneHopASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from sessions_app.routing import websocket_urlpatterns  # noqa: E402


class BoundedHTTP:
    """Run Django's requests on a fixed set of ``threads`` long-lived threads, in arrival order.

    Django gives every request a new thread of its own. Under a burst of clicks that meant
    a hundred threads fighting for the GIL (and for SQLite's single writer, whose busy
    handler sleeps up to 100 ms a try), slowing every request and the event loop that
    delivers the broadcasts; and a new thread cannot reuse a database connection, so every
    request opened one. A waiting request here is a cheap coroutine in a queue.
    """

    def __init__(self, app, threads: int):
        self.app = app
        self.threads = threads
        self._free = None

    async def __call__(self, scope, receive, send):
        if self._free is None:
            self._free = asyncio.Queue()
            for i in range(self.threads):
                self._free.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{i}")
                )
        executor = await self._free.get()
        try:
            # Django's own ThreadSensitiveContext, inside, keeps this one and its thread.
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            self._free.put_nowait(executor)


# Seconds a handshake may wait at the gate: within the consumer's CONNECT_BUDGET (25 s), under
# daphne's --websocket_connect_timeout (30 s on every command line of the project).
HANDSHAKE_WAIT = 20.0


class HandshakeGate:
    """At most ``limit`` websocket handshakes in progress; the next ones wait their turn for
    up to ``wait`` seconds, in arrival order, and are refused (1013, try again later) after.

    After a restart every page reconnects in the same second. Each handshake costs a
    database trip and channel-layer subscriptions; daphne drops the ones not accepted
    within 5 s, and the work done for them is lost (with the Redis layer, cancelled
    subscriptions left no handshake completing at all). Bounding the work in progress keeps
    the server finishing the ones it took. Refusing the surplus at once sent thousands of
    pages into their exponential backoff, and the server sat idle between their waves of
    retries; a short queue keeps it busy while the pages wait connected.
    """

    def __init__(self, app, limit: int, wait: float):
        self.app = app
        self.limit = limit
        self.wait = wait
        self.connecting = 0
        self.waiters = collections.deque()

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
        collector.start()  # once, on the event loop, when the first socket arrives
        scope["arrived"] = time.monotonic()  # the consumer's time budget counts the wait
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


application = ProtocolTypeRouter(
    {
        "http": BoundedHTTP(django_asgi_app, settings.ASGI_HTTP_THREADS),
        "websocket": HandshakeGate(AllowedHostsOriginValidator(
            # The consumer reads the cookie and loads the session and the user itself, in the
            # same database trip as its membership check (Channels' cookie, session and auth
            # middlewares cost two more trips per connect, all on the one thread every socket
            # shares, and a copy of the scope each for the socket's lifetime).
            URLRouter(websocket_urlpatterns)
        ), limit=getattr(settings, "ASGI_HANDSHAKES", 200), wait=HANDSHAKE_WAIT),
    }
)

# Everything imported so far lives as long as the process: move it out of the collector's
# reach, so the collections that thousands of sockets trigger do not walk it every time.
gc.collect()
gc.freeze()


class CollectorPacing:
    """Keep the garbage collector's full passes off the live path.

    With 4,000 sockets open, each full collection walked every object of every connection:
    300 to 780 ms with the whole process stopped, sixteen times in two minutes, and these
    pauses were the slowest updates (bench/RESULTS.md). Every ``freeze_every`` seconds, the
    young generations are collected and what survives is frozen (the collector then only
    looks at what is new), and every ``full_every`` seconds the whole heap is collected once,
    so that the cycles left by closed connections are reclaimed: one pause there instead of
    dozens.
    """

    def __init__(self, freeze_every: float, full_every: float):
        self.freeze_every, self.full_every = freeze_every, full_every
        self.loop = None
        self.last_full = 0.0

    def start(self):
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.last_full = self.loop.time()
            self.loop.call_later(self.freeze_every, self.tick)

    def tick(self):
        if self.loop.time() - self.last_full >= self.full_every:
            self.last_full = self.loop.time()
            gc.unfreeze()
            gc.collect()
        else:
            gc.collect(1)  # the young generations only: cheap, and the garbage is not frozen
        gc.freeze()
        self.loop.call_later(self.freeze_every, self.tick)


collector = CollectorPacing(freeze_every=2.0, full_every=600.0)
