"""The websocket of a live session: thin, read-only.

Connect: authenticate, authorise (members only, everyone else is refused before the
handshake completes), join the session's group, send the full current state — so a reload,
a network drop or a late join is resynchronised at once. Then forward broadcasts, rendered
from the snapshot they carry (no SQL per connection per update). Commands go through the
HTTP POST the page uses; frames from the browser are only ever a request to resync.
"""

import json
import time
from importlib import import_module

from channels.auth import get_user
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import parse_cookie
from django.utils.translation import gettext as _
from django.utils.translation import override

from intervision.middleware import chosen_language

from . import live
from .models import Session, member_version
from .render import live_frame

SNAPSHOT_REUSE_SECONDS = 2.0
CONNECT_BUDGET = 25.0  # seconds; daphne's --websocket_connect_timeout is 30 (deploy/Dockerfile)
_recent_snapshots: dict = {}  # session id -> (loaded at, version, snapshot)


def scope_cookies(scope) -> dict:
    """The handshake's cookies (what Channels' CookieMiddleware would add to the scope)."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin1"))
    return {}


def scope_language(scope) -> str:
    return chosen_language(scope_cookies(scope))


class SessionConsumer(AsyncWebsocketConsumer):
    group = None

    async def dispatch(self, message):
        # Channels hops to a sync thread before *every* handler to close stale database
        # connections: one thread shared by every socket of the process, so each broadcast
        # queued behind the others and behind every reconnect. Only ``authorise`` touches
        # the database, through database_sync_to_async, which closes them itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        # Counted from the handshake's arrival, queue at the gate included (asgi.HandshakeGate).
        arrived = self.scope.get("arrived", time.monotonic())
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        user, snap = await database_sync_to_async(self.authorise)(session_id, arrived)
        if snap is None:
            # Refused before the handshake: an outsider learns nothing, not even existence.
            await self.close()
            return
        self.user_id = user.pk
        self.language = scope_language(self.scope)
        # Held for hours by thousands of sockets: keep the user's id, not the user, and drop
        # what only the handshake needed. The headers list is shared with daphne's protocol
        # object and with the scope copies the routers made: empty it in place to free it.
        headers = self.scope.pop("headers", None)
        if isinstance(headers, list):
            headers.clear()
        for key in ("session", "user"):
            self.scope.pop(key, None)
        self.group = live.group_name(session_id)
        self.group_id = snap["group_id"]
        self.last_resync = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(live.user_group_name(user.pk), self.channel_name)
        await self.accept()
        await self.send_snapshot(snap)

    def authorise(self, session_id, arrived):
        """The signed-in member and the snapshot, in one trip to the database thread."""
        if time.monotonic() - arrived > CONNECT_BUDGET:
            # Daphne drops a handshake not accepted within 30 s: this one is gone or soon
            # will be. After a restart, thousands of such dead handshakes queued here kept
            # the thread busy with work nobody would receive; refusing them is free, and
            # the page retries with backoff.
            return None, None
        if "session" not in self.scope:
            # What Channels' cookie, session and auth middlewares do, without their two
            # database trips and the scope copy each would keep for the socket's lifetime.
            key = scope_cookies(self.scope).get(settings.SESSION_COOKIE_NAME)
            self.scope["session"] = import_module(settings.SESSION_ENGINE).SessionStore(key)
        user = self.scope.get("user") or get_user.func(self.scope)
        if not user.is_authenticated:
            return user, None
        return user, self.load(user.pk, session_id)

    @staticmethod
    def load(user_id, session_id):
        # When a server restarts under its sockets, the 8 pages of a session reconnect within
        # moments of each other: the membership check runs for each (one light query that
        # also reads the version), the snapshot of the version they all need is loaded once.
        version = member_version(session_id, user_id)
        if version is None:
            return None
        now = time.monotonic()
        recent = _recent_snapshots.get(session_id)
        if recent and recent[1] == version and now - recent[0] < SNAPSHOT_REUSE_SECONDS:
            return recent[2]
        # Membership was just checked: the session by its primary key.
        try:
            session = Session.objects.select_related("group").get(pk=session_id)
        except Session.DoesNotExist:  # deleted meanwhile
            return None
        snap = live.snapshot(session)
        if len(_recent_snapshots) > 256:
            # Only the last seconds' are of use: drop the others rather than hold them.
            stale = [
                k for k, v in _recent_snapshots.items() if now - v[0] >= SNAPSHOT_REUSE_SECONDS
            ]
            for key in stale:
                del _recent_snapshots[key]
        _recent_snapshots[session.pk] = (now, session.version, snap)
        return snap

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
                session_id = self.scope["url_route"]["kwargs"]["session_id"]
                snap = await database_sync_to_async(self.load)(self.user_id, session_id)
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
