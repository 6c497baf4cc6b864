"""The websocket of a live session: thin, read-only.

Connect: authenticate, authorise (members only, everyone else is refused before the
handshake completes), join the session's group, send the full current state — so a reload,
a network drop or a late join is resynchronised at once. Then forward broadcasts, rendered
from the snapshot they carry (no SQL per connection per update). Commands go through the
HTTP POST the page uses; frames from the browser are only ever a request to resync.
"""

import json
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from intervision.middleware import chosen_language
from django.utils.translation import gettext as _
from django.utils.translation import override

from . import live
from .models import Session
from .render import live_frame

def scope_language(scope) -> str:
    return chosen_language(scope.get("cookies", {}))


class SessionConsumer(AsyncWebsocketConsumer):
    group = None

    async def dispatch(self, message):
        # Channels hops to the shared sync thread before *every* handler to close stale
        # database connections; HTTP views queue on that same thread, so under load each
        # broadcast waited behind the clicks. Only ``load`` touches the database, through
        # database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        snap = None
        if user is not None and user.is_authenticated:
            snap = await database_sync_to_async(self.load)(user, session_id)
        if snap is None:
            # Refused before the handshake: an outsider learns nothing, not even existence.
            await self.close()
            return
        self.user_id = user.pk
        self.language = scope_language(self.scope)
        self.group = live.group_name(session_id)
        self.group_id = snap["group_id"]
        self.last_resync = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(live.user_group_name(user.pk), self.channel_name)
        await self.accept()
        await self.send_snapshot(snap)

    @staticmethod
    def load(user, session_id):
        session = (
            Session.objects.for_member(user).select_related("group").filter(pk=session_id).first()
        )
        return live.snapshot(session) if session else None

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(
                live.user_group_name(self.user_id), self.channel_name
            )

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data) if text_data else None
        except (ValueError, RecursionError):
            message = None
        if isinstance(message, dict) and message.get("type") == "resync":
            now = time.monotonic()
            if now - self.last_resync >= 1.0:
                self.last_resync = now
                snap = await database_sync_to_async(self.load)(self.scope["user"], self.scope["url_route"]["kwargs"]["session_id"])
                if snap is None:
                    await self.close(code=4404)
                    return
                await self.send_snapshot(snap)
            return
        with override(self.language):
            error = _("Les actions passent par les boutons de la page.")
        await self.send(text_data=json.dumps({"error": error}))

    async def session_update(self, event):
        await self.send_snapshot(event["snapshot"])

    async def access_revoked(self, event):
        """Sent to a person's sockets when they leave or are removed from a group."""
        if event.get("group_id") in (None, self.group_id):
            await self.close(code=4403)

    async def send_snapshot(self, snap):
        audience = "facilitator" if self.user_id in snap["facilitators"] else "participant"
        await self.send(text_data=live_frame(snap, audience, self.language))
