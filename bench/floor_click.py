"""The minimal click and the minimal reconnect of the stock stack: the floors a command and
a connect of the app are compared with.

**The minimal socket click** (the floor of the app's command over the page's websocket): a
stock Channels socket (``AuthMiddlewareStack``, ``AsyncWebsocketConsumer``) that receives the
app's command frame (``{"type": "command", "id", ...}``) and does what any command must at
least do: one ``UPDATE … RETURNING`` of the session's version (through
``database_sync_to_async``, as the app's command), one ``group_send`` of a pre-rendered frame
the size of the app's frame after a click (``BENCH_PAYLOAD_BYTES``) to the session's sockets,
and an ack (``{"ack": id, "version": v}``) on the socket.

**The minimal reconnect**: a socket that connects is authenticated by ``AuthMiddlewareStack``
(the Django session, the user), reads the session's version (one ``SELECT``), joins the
group and gets a frame the size of the app's whole frame after a connect
(``BENCH_CONNECT_PAYLOAD_BYTES``).

Like the app's consumer, the socket does not hop to the database thread before every
message (Channels' default ``dispatch`` does, to close stale connections): the floor does
exactly the work above, and no more than the app is allowed to.

**The minimal POST click** (``--click both``): an HTTP POST through the app's whole
middleware stack (its own settings: sessions, CSRF, authentication, language, security
headers, ...), served by stock Django ASGI (``get_asgi_application()``), whose view does one
UPDATE of one row (the session's version, ``RETURNING`` the new one) and one ``group_send``
of the same frame to the session's sockets.

The sockets are joined by the same people with the same cookies as the app's. Bench-only: it
has its own ROOT_URLCONF and ASGI application (``bench.floor_click_settings``), and adds no
URL to the app.

    DJANGO_SETTINGS_MODULE=bench.floor_click_settings daphne bench.floor_click:application
"""

import json
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_click_settings"

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from asgiref.sync import async_to_sync  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.consumer import get_handler_name  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotFound  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from sessions_app.models import Session  # noqa: E402

PAYLOAD = "x" * int(os.environ.get("BENCH_PAYLOAD_BYTES", "3400"))
CONNECT_PAYLOAD = "x" * int(os.environ.get("BENCH_CONNECT_PAYLOAD_BYTES") or len(PAYLOAD))
UPDATE = (
    f'UPDATE "{Session._meta.db_table}" SET "version" = "version" + 1'
    ' WHERE "id" = %s RETURNING "version"'
)


def group(session_id) -> str:
    return f"floor-click-{session_id}"


@require_POST
def click(request, session_id):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    version = next_version(session_id)
    if version is None:
        return HttpResponseNotFound()
    layer = get_channel_layer()
    assert layer is not None  # the app's settings always configure one
    async_to_sync(layer.group_send)(
        group(session_id), {"type": "floor.update", "version": version, "html": PAYLOAD}
    )
    return HttpResponse(f'<div data-version="{version}">{PAYLOAD}</div>')


def next_version(session_id) -> int | None:
    """The one write of a click: the session's version moved on, and read back."""
    with connection.cursor() as cursor:
        cursor.execute(UPDATE, [session_id])
        row = cursor.fetchone()
    return None if row is None else row[0]


def current_version(session_id) -> int | None:
    return Session.objects.filter(pk=session_id).values_list("version", flat=True).first()


urlpatterns = [path("click/<int:session_id>/", click)]


class FloorClickConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def dispatch(self, message):
        # As the app's SessionConsumer: no hop to the database thread per message; the
        # connect's SELECT and the click's UPDATE go through database_sync_to_async, which
        # closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope["user"]
        if user is None or not user.is_authenticated:
            await self.close()
            return
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        version = await database_sync_to_async(current_version)(session_id)
        if version is None:
            await self.close()
            return
        self.group = group(session_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.floor_update({"version": version, "html": CONNECT_PAYLOAD})

    async def receive(self, text_data=None, bytes_data=None):
        """The minimal socket click: one UPDATE … RETURNING, one group_send, an ack."""
        message = json.loads(text_data or "null")
        if not isinstance(message, dict) or message.get("type") != "command" or not self.group:
            return
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        version = await database_sync_to_async(next_version)(session_id)
        if version is None:
            await self.close(code=4404)
            return
        await self.channel_layer.group_send(
            self.group, {"type": "floor.update", "version": version, "html": PAYLOAD}
        )
        await self.send(text_data=json.dumps({"ack": message.get("id"), "version": version}))

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def floor_update(self, event):
        await self.send(text_data=json.dumps({"version": event["version"], "html": event["html"]}))


websocket_urlpatterns: list = [
    # django-stubs' path() takes views only, not the ASGI apps that Channels routes.
    path("floor/<int:session_id>/", FloorClickConsumer.as_asgi()),  # type: ignore[arg-type]
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter(websocket_urlpatterns)
            )
        ),
    }
)
