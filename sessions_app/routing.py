import logging

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from .consumers import DisplayConsumer, SessionConsumer

log = logging.getLogger(__name__)


class NotFound(AsyncWebsocketConsumer):
    """A websocket to any other path: refused before the handshake, as a page not found, and
    logged as Django logs one (a warning line, no traceback). Without it, Channels' router
    raises for a path it does not know: an ERROR and its traceback at every try."""

    async def connect(self):
        log.warning("Not Found: websocket %r", self.scope["path"][:200])
        await self.close()


websocket_urlpatterns = [
    # django-stubs' path() takes views only, not the ASGI apps that Channels routes.
    path("ws/session/<int:session_id>/", SessionConsumer.as_asgi()),  # type: ignore[arg-type]
    path("ws/session/<int:session_id>/ecran/", DisplayConsumer.as_asgi()),  # type: ignore[arg-type]
    re_path(r"", NotFound.as_asgi()),  # type: ignore[arg-type]  # last: whatever is left
]
