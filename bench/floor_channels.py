"""The floor of our stack: a bare Channels consumer on the app's own daphne, settings and
channel layer (imported from intervision.asgi, so the same start-up runs), that broadcasts a
payload the size of the app's live message to groups of 8. Bench-only: never routed by the app.

A member socket joins ``floor-<g>``; the driver socket of a group sends a version number and
the consumer group_sends the payload, exactly as live.broadcast does after a command.
"""

import json
import os

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

import intervision.asgi  # noqa: F401  (same settings, layer and start-up as the app)

PAYLOAD = "x" * int(os.environ.get("BENCH_PAYLOAD_BYTES", "6000"))


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = f"floor-{self.scope['url_route']['kwargs']['g']}"
        self.driver = self.scope["url_route"]["kwargs"].get("driver", False)
        if not self.driver:
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if not self.driver:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(
            self.group, {"type": "floor.update", "version": int(text_data), "html": PAYLOAD}
        )

    async def floor_update(self, event):
        await self.send(text_data=json.dumps({"version": event["version"], "html": event["html"]}))


websocket_urlpatterns: list = [
    # django-stubs' path() takes views only, not the ASGI apps that Channels routes.
    path("floor/<int:g>/", FloorConsumer.as_asgi()),  # type: ignore[arg-type]
    path("drive/<int:g>/", FloorConsumer.as_asgi(), {"driver": True}),  # type: ignore[arg-type]
]

application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(websocket_urlpatterns)
    }
)
