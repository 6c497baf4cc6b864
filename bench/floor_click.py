"""The minimal click of the stock stack: the floor a command of the app is compared with.

An HTTP POST through the app's whole middleware stack (its own settings: sessions, CSRF,
authentication, language, security headers, ...), served by stock Django ASGI
(``get_asgi_application()``), whose view does what any command must at least do: one UPDATE
of one row (the session's version, ``RETURNING`` the new one) and one ``group_send`` of a
frame the size of the app's to the session's sockets. The sockets are stock Channels
(``AuthMiddlewareStack``, ``AsyncWebsocketConsumer``), joined by the same people with the
same cookies as the app's; a socket that connects gets the session's current version (one
SELECT) and a frame: the stock stack's minimal resync, the floor of the app's reconnect (the
restart storm, the memory of 4,000 sockets). Bench-only: it has its own ROOT_URLCONF and
ASGI application (``bench.floor_click_settings``), and adds no URL to the app.

    DJANGO_SETTINGS_MODULE=bench.floor_click_settings daphne bench.floor_click:application
"""

import json
import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_click_settings"

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from asgiref.sync import async_to_sync  # noqa: E402
from channels.auth import AuthMiddlewareStack  # noqa: E402
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
    with connection.cursor() as cursor:
        cursor.execute(UPDATE, [session_id])
        row = cursor.fetchone()
    if row is None:
        return HttpResponseNotFound()
    version = row[0]
    layer = get_channel_layer()
    assert layer is not None  # the app's settings always configure one
    async_to_sync(layer.group_send)(
        group(session_id), {"type": "floor.update", "version": version, "html": PAYLOAD}
    )
    return HttpResponse(f'<div data-version="{version}">{PAYLOAD}</div>')


def current_version(session_id) -> int | None:
    return Session.objects.filter(pk=session_id).values_list("version", flat=True).first()


urlpatterns = [path("click/<int:session_id>/", click)]


class FloorClickConsumer(AsyncWebsocketConsumer):
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
        await self.floor_update({"version": version, "html": PAYLOAD})

    async def disconnect(self, code):
        if getattr(self, "group", None):
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
