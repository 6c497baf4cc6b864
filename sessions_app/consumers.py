"""The websocket of a live session: thin.

Connect: the user comes from Channels' ``AuthMiddlewareStack``; anyone but an active member
of the session's group is refused before the handshake completes; a member joins the
session's group and gets the full current state, so a reload, a network drop or a late
join is resynchronised at once. Receive: a command goes to ``live.apply`` (which checks
membership again, in its locking query) and is answered on this socket, acknowledged or
refused with a message in the page's language; a resync request gets the current state.
Frames are JSON (Channels' ``AsyncJsonWebsocketConsumer``: ``receive_json``, ``send_json``);
a frame too long is refused before it is read, and one that is not JSON is an unknown command.
Broadcasts are rendered once per version, audience and language (``render``, from the
regions' cache) and copied out: no SQL per connection per update.

Send what changed. Each socket remembers the version and the regions' HTML it last sent
(references to the shared renderings: no copy, no SQL). A frame then carries only the
regions whose HTML differs from what this socket last sent, with ``base``, the version they
were sent at; the page applies it only if it shows that very version, and otherwise asks for
a resync, which — like every (re)connect and a refused stale command — gets every region
(``{"version", "html"}``). So a frame dropped, reordered or overtaken by the HTTP fallback
costs one whole frame, never a wrong page: a diff is always relative to what the page
showed. A version older than the one sent, or the same one again with nothing changed (the
broadcast of one's own command, already answered), sends nothing.
"""

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import caches
from django.utils.translation import override

from participants.language import chosen_language
from participants.models import User

from . import commands, flow, live, snapshot
from .models import Session
from .regions import Regions
from .render import DISPLAY, live_frame, live_render
from .snapshot import Snapshot
from .texts import error_message

# A cache that is down would say so at every click: settings.LOGGING lets it through once a
# minute (the « once_a_minute » filter).
log = logging.getLogger(__name__)

# Commands a person may send to a session in a window of ``RATE_WINDOW`` seconds, whatever
# the number of their sockets: well above what a person clicks, well below what a loop sends.
RATE_LIMIT, RATE_WINDOW = 30, 10.0
# The longest frame read, in characters: a command at its longest is under 4,000 (a note of
# TEXT_MAX characters, each escaped by JSON as \u0001). static/js/live.js holds the same
# number, counted in UTF-16 units (an astral character is two), and sends a longer command
# through the POST: what a page sends is at most 3 bytes a unit, 49,152 bytes, under daphne's
# --websocket-max-message-size 65536 (daphne drops a longer frame without a word); this
# refuses a longer one in the page's language.
MAX_FRAME = 16384


class TooFast(Exception):
    """The person sent more than ``RATE_LIMIT`` commands to the session in the window."""


def within_rate(session_id: int, user_id: int) -> bool:
    """Count one command of this person in this session; False past ``RATE_LIMIT``.

    Counted in django-ratelimit's cache, under its prefix: the process's memory in the
    embedded default (one process), Redis when several processes serve the site, so a loop
    opening a new socket now and then, here or on another process, counts on. The window
    opens at the first command and lasts ``RATE_WINDOW`` seconds (the key's expiry), as
    django-ratelimit's fixed windows. One increment per command (Redis: two round trips);
    a cache that fails lets the command through, as ``RATELIMIT_FAIL_OPEN`` does sign-ins.
    """
    prefix = getattr(settings, "RATELIMIT_CACHE_PREFIX", "rl:")
    key = f"{prefix}live:{session_id}:{user_id}"
    cache = caches["ratelimit"]
    try:
        try:
            count = cache.incr(key)
        except ValueError:  # the first command of a window (or its key just expired)
            count = 1 if cache.add(key, 1, timeout=RATE_WINDOW) else cache.incr(key)
    except Exception as exc:  # any cache failure: the command goes through
        log.warning("The commands' rate limit is not counted: %s", type(exc).__name__)
        return True
    return count <= RATE_LIMIT


class SessionConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None
    sent: tuple[int, Regions] | None = None  # (version, regions' HTML) last sent on this socket
    session_id: int
    user: User
    group_id: int
    language: str
    last_resync: float

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch hops to the database thread before every handler, to close
        # stale connections: the thread every socket of the process shares, so each
        # broadcast to 8 sockets queued 8 hops behind the clicks. Only ``apply`` and the
        # snapshot loads touch the database, through database_sync_to_async, which closes
        # them itself. Measured: bench/README.md, "dispatch".
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        user = self.scope["user"]
        assert user is not None  # AuthMiddlewareStack sets it: a person, or AnonymousUser
        snap = await database_sync_to_async(snapshot.for_member)(self.session_id, user)
        if snap is None:
            # Refused before the handshake: an outsider learns nothing, not even existence.
            await self.close()
            return
        assert isinstance(user, User)  # a member
        self.user = user
        self.language = chosen_language(self.scope.get("cookies", {}))
        self.group = live.group_name(self.session_id)
        self.group_id = snap["group_id"]
        self.last_resync = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(live.user_group_name(user.pk), self.channel_name)
        # A command applied between the snapshot's read and joining the group (the page's
        # arrival, sent as it loads) was broadcast before this socket listened: its snapshot,
        # remembered before it was sent, is the one to start from.
        snap = snapshot.newer(snap)
        await self.accept()
        await self.send_snapshot(snap)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(
                live.user_group_name(self.user.pk), self.channel_name
            )

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if len(text_data or bytes_data or "") > MAX_FRAME:
            # Not read: said why, then closed as the protocol says (1009, message too big).
            await self.send_json({"code": "frame_too_long",
                                  "error": self.translate("frame_too_long")})
            await self.close(code=1009)
            return
        if not text_data:  # a binary or empty frame: no command (answered as one unknown)
            await self.receive_json(None)
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None  # not JSON: answered as an unknown command

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "command":
            await self.command(content)
        elif kind == "resync":
            now = time.monotonic()
            if now - self.last_resync >= 1.0:
                self.last_resync = now
                await self.resync()
        else:
            await self.send_json({"error": self.translate("unknown_command")})

    async def command(self, message: Mapping[str, Any]) -> None:
        cid = message.get("id")
        cid = cid if isinstance(cid, str) and commands.COMMAND_ID.fullmatch(cid) else None
        data = message.get("command")
        try:
            if not isinstance(data, dict) or cid is None:
                raise flow.FlowError("bad_input")
            command, expected, _ = commands.parse(
                {**data, "version": message.get("version"), "command_id": cid}
            )
            if expected is None:
                # A page always says which version it acted on: no unchecked command.
                raise flow.FlowError("bad_input")
            snap = await database_sync_to_async(self.apply)(command, expected, cid)
        except TooFast:
            await self.send_json({"nack": cid, "status": 429, "code": "too_fast",
                                  "error": self.translate("too_fast")})
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

    def apply(self, command: Mapping[str, object], expected: int, cid: str) -> Snapshot:
        """``live.apply``, counted: in the same hop to the database's thread, so the count
        costs no hop of its own. Only the commands that reach it are counted: it is what
        costs (a locking query); a frame refused by ``parse`` costs no more than the
        refusal ``too_fast`` would."""
        if not within_rate(self.session_id, self.user.pk):
            raise TooFast
        return live.apply(self.session_id, self.user, command, expected, cid, now=time.time())

    async def resync(self) -> None:
        snap = await database_sync_to_async(snapshot.for_member)(self.session_id, self.user)
        if snap is None:
            await self.close(code=4404)
        else:
            await self.send_snapshot(snap, whole=True)

    async def session_update(self, event: dict[str, Any]) -> None:
        snapshot.remember(event["snapshot"])  # another process's command: the next connect's too
        await self.send_snapshot(event["snapshot"])

    async def access_revoked(self, event: dict[str, Any]) -> None:
        """Sent to a person's sockets when they leave or are removed from a group."""
        if event.get("group_id") in (None, self.group_id):
            await self.close(code=4403)

    async def session_cancelled(self, event: dict[str, Any]) -> None:
        """Sent to a session's pages when it is cancelled: the page says so (live.js)."""
        await self.close(code=4410)

    async def send_snapshot(self, snap: Snapshot, whole: bool = False) -> None:
        """The page's new state: every region on a first frame or when ``whole``, else the
        regions changed since this socket's last frame (nothing if none)."""
        audience = "facilitator" if self.user.pk in snap["facilitators"] else "participant"
        rendered = live_render(snap, audience, self.language)
        if whole or self.sent is None:
            frame: str | None = rendered.whole
        else:
            frame = rendered.frame_after(*self.sent)
        if frame is None:
            return
        self.sent = (rendered.version, rendered.regions)
        await self.send(text_data=frame)

    def translate(self, code: str, params: Mapping[str, object] | None = None) -> str:
        with override(self.language):
            return error_message(code, params)


class DisplayConsumer(SessionConsumer):
    """The socket of the display for screen sharing: the same members-only connection and
    updates, rendered for the display; it only watches, so every command is refused."""

    async def command(self, message: Mapping[str, Any]) -> None:
        cid = message.get("id")
        cid = cid if isinstance(cid, str) and commands.COMMAND_ID.fullmatch(cid) else None
        await self.send_json({"nack": cid, "status": 403, "code": "read_only",
                              "error": self.translate("read_only")})

    async def send_snapshot(self, snap: Snapshot, whole: bool = False) -> None:
        # The display is one small region: always sent whole.
        await self.send(text_data=live_frame(snap, DISPLAY, self.language))
