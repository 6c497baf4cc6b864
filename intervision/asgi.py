"""ASGI entry point: HTTP through Django, websockets through Channels."""

import asyncio
import gc
import os
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
from channels.sessions import CookieMiddleware  # noqa: E402
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


class HandshakeGate:
    """At most ``limit`` websocket handshakes in progress; the others are refused at once.

    After a restart every page reconnects in the same second. Each handshake costs a
    database trip and channel-layer subscriptions; daphne drops the ones not accepted
    within 5 s, and the work done for them is lost (with the Redis layer, cancelled
    subscriptions left no handshake completing at all). Refusing the surplus before any
    of that work keeps the server finishing the ones it took; the pages retry with backoff.
    """

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit
        self.connecting = 0

    async def __call__(self, scope, receive, send):
        if self.connecting >= self.limit:
            if (await receive())["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        self.connecting += 1
        pending = True

        async def send_and_count(message):
            nonlocal pending
            if pending and message["type"] in ("websocket.accept", "websocket.close"):
                pending = False
                self.connecting -= 1
            await send(message)

        try:
            await self.app(scope, receive, send_and_count)
        finally:
            if pending:
                self.connecting -= 1


application = ProtocolTypeRouter(
    {
        "http": BoundedHTTP(django_asgi_app, settings.ASGI_HTTP_THREADS),
        "websocket": HandshakeGate(AllowedHostsOriginValidator(
            # The consumer loads the session and the user itself, in the same database trip
            # as its membership check (Channels' session and auth middlewares cost two more
            # trips per connect, all on the one thread every socket shares).
            CookieMiddleware(URLRouter(websocket_urlpatterns))
        ), getattr(settings, "ASGI_HANDSHAKES", 200)),
    }
)

# Everything imported so far lives as long as the process: move it out of the collector's
# reach, so the collections that thousands of sockets trigger do not walk it every time.
gc.collect()
gc.freeze()
