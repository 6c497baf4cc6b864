"""The websocket of a live session: thin.

Connect: the user comes from Channels' ``AuthMiddlewareStack``; anyone but an active member
of the session's group is refused before the handshake completes; a member joins the
session's group and gets the full current state, so a reload, a network drop or a late
join is resynchronised at once. Receive: a command goes to ``live.apply`` (which checks
membership again, in its locking query) and is answered on this socket, acknowledged or
refused with a message in the page's language; a resync request gets the current state.
Broadcasts are rendered once per version, audience and language (``render``) and copied
out: no SQL per connection per update.
"""

import json
import time

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import override

from participants.language import chosen_language

from . import flow, live
from .models import Session
from .render import DISPLAY, error_message, live_frame

# Commands a socket may send in a window of ``RATE_WINDOW`` seconds: well above what a
# person clicks, well below what a loop sends.
RATE_LIMIT, RATE_WINDOW = 30, 10.0


class SessionConsumer(AsyncWebsocketConsumer):
    group = None

    async def dispatch(self, message):
        # Channels' dispatch hops to the database thread before every handler, to close
        # stale connections: the thread every socket of the process shares, so each
        # broadcast to 8 sockets queued 8 hops behind the clicks. Only ``apply`` and the
        # snapshot loads touch the database, through database_sync_to_async, which closes
        # them itself. Measured: bench/README.md, "dispatch".
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        user = self.scope["user"]
        snap = await database_sync_to_async(live.member_snapshot)(self.session_id, user)
        if snap is None:
            # Refused before the handshake: an outsider learns nothing, not even existence.
            await self.close()
            return
        assert user is not None  # a member: AuthMiddlewareStack set them
        self.user = user
        self.language = chosen_language(self.scope.get("cookies", {}))
        self.group = live.group_name(self.session_id)
        self.group_id = snap["group_id"]
        self.last_resync = 0.0
        self.sent: list[float] = []
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(live.user_group_name(user.pk), self.channel_name)
        await self.accept()
        await self.send_snapshot(snap)

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(
                live.user_group_name(self.user.pk), self.channel_name
            )

    async def receive(self, text_data=None, bytes_data=None):
        try:
            message = json.loads(text_data) if text_data else None
        except (ValueError, RecursionError):
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "command":
            await self.command(message)
        elif kind == "resync":
            now = time.monotonic()
            if now - self.last_resync >= 1.0:
                self.last_resync = now
                await self.resync()
        else:
            await self.send_json({"error": self.translate("unknown_command")})

    async def command(self, message):
        cid = message.get("id")
        cid = cid if isinstance(cid, str) and live.COMMAND_ID.fullmatch(cid) else None
        now = time.monotonic()
        self.sent = [t for t in self.sent if now - t < RATE_WINDOW] + [now]
        if len(self.sent) > RATE_LIMIT:
            await self.send_json({"nack": cid, "status": 429, "code": "too_fast",
                                  "error": self.translate("too_fast")})
            return
        data = message.get("command")
        try:
            if not isinstance(data, dict) or cid is None:
                raise flow.FlowError("bad_input")
            command, expected, _ = live.parse(
                {**data, "version": message.get("version"), "command_id": cid}
            )
            if expected is None:
                # A page always says which version it acted on: no unchecked command.
                raise flow.FlowError("bad_input")
            snap = await database_sync_to_async(live.apply)(
                self.session_id, self.user, command, expected, cid
            )
        except Session.DoesNotExist:
            await self.close(code=4404)  # no longer a member: nothing more for this page
        except live.AlreadyApplied as done:
            await self.send_json({"ack": cid, "version": done.version, "duplicate": True})
        except live.Conflict:
            await self.send_json({"nack": cid, "status": 409, "code": "conflict",
                                  "error": self.translate("conflict")})
            await self.resync()
        except flow.FlowError as exc:
            await self.send_json({"nack": cid, "status": 400, "code": exc.code,
                                  "error": self.translate(exc.code, exc.params)})
        else:
            # The new state first, then the ack: a click made right after the ack acts on
            # the version it produced (the broadcast's copy of the frame is then ignored).
            await self.send_snapshot(snap)
            await self.send_json({"ack": cid, "version": snap["version"]})

    async def resync(self):
        snap = await database_sync_to_async(live.member_snapshot)(self.session_id, self.user)
        if snap is None:
            await self.close(code=4404)
        else:
            await self.send_snapshot(snap)

    async def session_update(self, event):
        live.remember(event["snapshot"])  # another process's command: the next connect's too
        await self.send_snapshot(event["snapshot"])

    async def access_revoked(self, event):
        """Sent to a person's sockets when they leave or are removed from a group."""
        if event.get("group_id") in (None, self.group_id):
            await self.close(code=4403)

    async def send_snapshot(self, snap):
        audience = "facilitator" if self.user.pk in snap["facilitators"] else "participant"
        await self.send(text_data=live_frame(snap, audience, self.language))

    async def send_json(self, content):
        await self.send(text_data=json.dumps(content))

    def translate(self, code, params=None) -> str:
        with override(self.language):
            return error_message(code, params)


class DisplayConsumer(SessionConsumer):
    """The socket of the display for screen sharing: the same members-only connection and
    updates, rendered for the display; it only watches, so every command is refused."""

    async def command(self, message):
        cid = message.get("id")
        cid = cid if isinstance(cid, str) and live.COMMAND_ID.fullmatch(cid) else None
        await self.send_json({"nack": cid, "status": 403, "code": "read_only",
                              "error": self.translate("read_only")})

    async def send_snapshot(self, snap):
        await self.send(text_data=live_frame(snap, DISPLAY, self.language))
