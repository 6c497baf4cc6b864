"""The only code that changes a running session.

``apply`` is the verb (Zulip's ``do_*`` shape): it locks the session's row — the locking
query is also the membership check —, checks the expected version (a stale co-facilitator
gets ``Conflict``, never a double advance), lets ``flow.step`` decide, records the
``Event`` — whose unique index on the command's id refuses a retry (acknowledged, never
applied twice: the idempotency key's pattern, no lookup first) —, saves the state,
mirrors subjects and contributions into their tables, and broadcasts after the commit.

The page sends its commands over its open websocket (``consumers``); the HTTP POST is the
fallback while the socket is down (``views.session_command``). Both go through ``parse``
and ``apply``.
"""

import json
import logging
import random
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import asdict
from time import monotonic

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from . import flow, formats, render
from .models import Action, Contribution, Event, Session, Subject

log = logging.getLogger(__name__)

INT_FIELDS = ("person", "subject", "n", "index", "delta", "action", "minutes")
TEXT_FIELDS = ("keyword", "text", "note", "status")
BOOL_FIELDS = ("urgent", "taken", "absent", "keep", "new_subject")
COMMAND_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# The whole numbers a page's script holds exactly: ids, indexes, versions.
INT_LIMIT = 2**53 - 1
INTEGER = re.compile(r"-?[0-9]{1,64}")
DIGITS = re.compile(r"[0-9]{1,64}")
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# A yes or no as a form posts it ("true"/"false" from hx-vals, "on" from a checkbox).
YES_NO = {"1": True, "true": True, "on": True, "yes": True,
          "0": False, "false": False, "off": False, "no": False, "": False}


class Conflict(Exception):
    """The client acted on a version that is no longer current."""

    def __init__(self, version):
        super().__init__(version)
        self.version = version


class AlreadyApplied(Exception):
    """A command with this id was applied before (a retry after a lost answer)."""

    def __init__(self, version):
        super().__init__(version)
        self.version = version


def group_name(session_id: int) -> str:
    return f"session-{session_id}"


def user_group_name(user_id: int) -> str:
    return f"user-{user_id}"


def parse(data: Mapping) -> tuple[dict, int | None, str]:
    """The command a page sent (form fields or a socket message), with types checked.

    Returns ``(command, expected_version, command_id)``; raises FlowError. Values may be
    strings, as a form posts them, or JSON numbers and booleans. Any other JSON (a list,
    an object, a fraction, NaN) is refused here, whatever the field: a member's socket
    sends any JSON it likes, and the answer must be a refusal, not a traceback.
    """
    kind = data.get("type", "")
    if not isinstance(kind, str) or kind not in flow.COMMANDS or kind == "seat":
        # "seat" takes a whole order: the page moves one person at a time or shuffles.
        raise flow.FlowError("unknown_command")
    command: dict = {"type": kind}
    for key in INT_FIELDS:
        if key in data:
            value = _integer(data[key], signed=True)
            if value is None:
                error = {"person": "bad_person", "minutes": "bad_input"}.get(key, "unknown_subject")
                raise flow.FlowError(error)
            command[key] = value
    for key in TEXT_FIELDS:
        if key in data:
            command[key] = _text(data[key], flow.KEYWORD_MAX if key == "keyword" else flow.TEXT_MAX)
    for key in BOOL_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, str):
                value = YES_NO.get(value.lower())
            if not isinstance(value, bool):
                raise flow.FlowError("bad_input")
            command[key] = value
    version = data.get("version")
    expected = None
    if version is not None and version != "":
        # A whole number, not negative: 4.5 or true must not pass for version 4 or 1.
        expected = _integer(version, signed=False)
        if expected is None:
            raise flow.FlowError("bad_input")
    command_id = data.get("command_id")
    if command_id is None or command_id == "":
        command_id = ""
    elif not (isinstance(command_id, str) and COMMAND_ID.fullmatch(command_id)):
        raise flow.FlowError("bad_input")
    return command, expected, command_id


def _integer(value, *, signed: bool) -> int | None:
    """A whole number sent as JSON or as a form's digits, or None. Not a bool (True is 1 to
    Python), not a float (4.5 would be read as 4), not Unicode digits or spaces that ``int``
    accepts, and within what a page's script holds exactly."""
    if isinstance(value, str):
        if not (INTEGER if signed else DIGITS).fullmatch(value):
            return None
        value = int(value)
    elif isinstance(value, bool) or not isinstance(value, int):
        return None
    if abs(value) > INT_LIMIT or (value < 0 and not signed):
        return None
    return value


def _text(value, limit: int) -> str:
    if not isinstance(value, str) or UNSTORABLE.search(value):
        # NUL: PostgreSQL's text refuses it; a lone surrogate (JSON's "\ud800"): no
        # database encodes it. Either would fail in the middle of the command's transaction.
        raise flow.FlowError("bad_text")
    if len(value) > 10 * limit:
        # Refused before anything else looks at it; the rules check the real limit.
        raise flow.FlowError("text_too_long", limit=limit)
    return value


def snapshot(session: Session, state: flow.State | None = None, roster=None) -> dict:
    """Everything a live page needs, as JSON: the pages render from this and nothing else."""
    state = state or session.flow_state()
    people, facilitators = roster or roster_of(session)
    snap = {
        "id": session.pk,
        "stamp": uuid.uuid4().hex,  # identifies this snapshot in the render cache
        "version": state.version,
        "title": str(session),
        "group": session.group.name,
        "group_id": session.group_id,
        "duration": session.duration_minutes,
        "visio_url": session.visio_url,
        "facilitators": sorted(facilitators),
        "people": {str(pid): name for pid, name in people.items()},
        "state": state.to_dict(),
        # The current stage's or phase's texts from the session's format (empty: preset's).
        "texts": formats.current_texts(session, state),
        # Tells this row from another that got its id back (a restored database).
        "created": session.created_at.isoformat(),
    }
    remember(snap)
    return snap


# The latest snapshot of each session this process has built or received, for the pages
# that connect while the session stands still (a reload; the thousands of a restart storm):
# after one light query (the membership rule, the row's state), they get it instead of the
# session, its roster and its texts loaded again and a snapshot built (bench/README.md, "The
# connect"). It is used only while the row holds the same state, compared in full: a state
# changed outside ``apply`` (an erasure empties texts) is never served from here, nor one
# that was never committed. What a snapshot holds beside the state (names, who drives,
# texts) is as fresh as the last page, command or broadcast of the session this process
# saw, and at most RECENT_SECONDS old.
RECENT_SECONDS = 30.0
RECENT_SIZE = 8192
_recent: OrderedDict = OrderedDict()  # session id -> (monotonic time, state key, snapshot)


def _state_key(state: dict) -> str:
    # The rules' tuples and the database's lists read alike.
    return json.dumps(state, sort_keys=True)


def remember(snap: dict) -> None:
    """Keep ``snap`` as its session's latest: every snapshot built here (a page, a command, a
    broadcast), and those broadcast by other processes."""
    held = _recent.get(snap["id"])
    if held is not None and held[2]["stamp"] == snap["stamp"]:
        return
    _recent.pop(snap["id"], None)
    _recent[snap["id"]] = (monotonic(), _state_key(snap["state"]), snap)
    if len(_recent) > RECENT_SIZE:
        try:
            _recent.popitem(last=False)
        except KeyError:  # another thread emptied it meanwhile
            pass


def newer(snap: dict) -> dict:
    """The snapshot of the same session this process remembers, if it is newer than
    ``snap`` (same row, a later version); else ``snap``."""
    held = _recent.get(snap["id"])
    if held is not None and held[2]["created"] == snap["created"]:
        if held[2]["version"] > snap["version"]:
            return held[2]
    return snap


def member_snapshot(session_id: int, user) -> dict | None:
    """The current snapshot for a member of the session's group; None for anyone else."""
    found = (
        Session.objects.for_member(user)
        .filter(pk=session_id)
        .values_list("version", "created_at", "state")
        .first()
    )
    if found is None:
        return None
    version, created_at, state = found
    held = _recent.get(session_id)
    if (
        held is not None
        and held[2]["version"] == version
        # The same row: ids come back after a database is restored.
        and held[2]["created"] == created_at.isoformat()
        and monotonic() - held[0] < RECENT_SECONDS
        and held[1] == _state_key(state)
    ):
        return held[2]
    session = Session.objects.select_related("group").filter(pk=session_id).first()
    return None if session is None else snapshot(session)


def apply(
    session_id: int,
    user,
    command: dict,
    expected_version: int | None,
    command_id: str = "",
    *,
    facilitator: bool = False,
) -> dict:
    """Apply ``command`` for ``user``; return the new snapshot.

    ``facilitator`` True: the caller checked that ``user`` may change the session beyond
    its live page (scheduling rights: an organiser's edit), so they act as one who drives.

    Raises FlowError, Conflict, AlreadyApplied, and Session.DoesNotExist when ``user`` is
    not an active member of the session's group (the permission check is the locking
    query itself, so a removed member's open socket is refused at its next command).
    """
    try:
        with _one_writer(), transaction.atomic():
            session = (
                Session.objects.for_member(user)
                .select_for_update(of=("self",))
                .select_related("group")
                .get(pk=session_id)
            )
            try:
                snap = _apply_locked(
                    session, user, command, expected_version, command_id, facilitator
                )
            except (Conflict, flow.FlowError):
                # A refusal may be the answer to a retry of a command applied since (the
                # state moved on, so the retry no longer fits): then it is acknowledged.
                # Asked only when refusing: a click that passes pays no lookup.
                if command_id and Event.objects.with_command_id(session, command_id).exists():
                    raise AlreadyApplied(session.version) from None
                raise
    except IntegrityError:
        # The event's unique index on (session, command id) says the command was applied
        # already: everything this one did (a proposal's subject, an undo's mark) is rolled
        # back with the transaction, and nothing is broadcast.
        if command_id and Event.objects.with_command_id(session_id, command_id).exists():
            version = Session.objects.values_list("version", flat=True).get(pk=session_id)
            raise AlreadyApplied(version) from None
        raise
    # Outside the writer lock: the broadcast renders the page for both audiences first. In
    # autocommit this runs now; inside a caller's transaction, once that one commits.
    transaction.on_commit(lambda: broadcast(snap), robust=True)
    return snap


def _apply_locked(session, user, command, expected_version, command_id, facilitator) -> dict:
    """``apply``'s work once the row is locked; the event's insert checks the command id."""
    state = session.flow_state()
    if expected_version is not None and expected_version != state.version:
        raise Conflict(state.version)
    roster = roster_of(session)
    command = _with_inputs(session, state, command)
    new = flow.step(
        state,
        command,
        actor=user.pk,
        facilitator=facilitator or user.pk in roster[1],
        now=time.time(),
        members=roster[0],
    )
    if command["type"] == "undo":
        Event.objects.filter(pk=command.pop("event")).update(undone=True)
        command.pop("previous")
    # Inserted before anything else is written or remembered: a retry of a command applied
    # meanwhile stops here (IntegrityError), with nothing else to undo but the transaction.
    Event.objects.create(
        session=session,
        version=new.version,
        actor=user,
        command=command,
        command_id=command_id,
        state_before=state.to_dict(),
    )
    _mirror(session, state, new)
    session.state = new.to_dict()
    session.version = new.version
    session.save(update_fields=["state", "version", "texts"])
    return snapshot(session, new, roster)


# The roster (names, who drives) of each session this process read, with the session's
# roster stamp then: reused while the row (read under the lock of a command, or by a page)
# carries the same stamp. ``signals`` moves the stamp on at every change of membership, role,
# name, facilitation or facilitators, in the transaction of that change.
ROSTERS_SIZE = 8192
_rosters: OrderedDict = OrderedDict()  # session id -> ((created, stamp), roster)


def roster_of(session: Session) -> tuple[dict[int, str], set[int]]:
    """``session.roster()``, read again only once the session's roster stamp moved on."""
    key = (session.created_at, session.roster_stamp)
    held = _rosters.get(session.pk)
    if held is not None and held[0] == key:
        return held[1]
    roster = session.roster()
    _rosters.pop(session.pk, None)
    _rosters[session.pk] = (key, roster)
    if len(_rosters) > ROSTERS_SIZE:
        try:
            _rosters.popitem(last=False)
        except KeyError:  # another thread emptied it meanwhile
            pass
    return roster


# SQLite has a single writer and its busy handler sleeps (up to 100 ms a try) while another
# thread holds the lock: queue the writers of this process on a lock instead.
_sqlite_writer = threading.Lock()


def _one_writer():
    return _sqlite_writer if connection.vendor == "sqlite" else nullcontext()


def _with_inputs(session: Session, state: flow.State, command: dict) -> dict:
    """Add what the rules take as input and cannot make themselves: chance, database ids,
    the group's backlog, the state an undo returns to."""
    kind = command["type"]
    if kind == "shuffle":
        return {**command, "order": random.sample(state.seating, len(state.seating))}
    if kind == "start" and state.stage == "lobby":
        backlog = session.group.subjects.filter(status="open")
        # Every action of the plans not reported on yet, whatever its status (one marked
        # « fait » between sessions: its owner says what it gave), and those still open.
        plans = (
            Action.objects.filter(
                Q(status__in=(Action.TODO, Action.DOING)) | Q(reported_in__isnull=True)
            )
            .filter(
                subject__group_id=session.group_id,
                owner_id__in=session.group.memberships.active().values("user_id"),
            )
            .exclude(session=session)
            .order_by("session__scheduled_at", "position", "id")
        )
        return {
            **command,
            "backlog": [asdict(s.as_flow()) for s in backlog],
            "plans": [
                {"id": a.pk, "owner": a.owner_id, "text": a.text, "status": a.status,
                 "note": a.note}
                for a in plans
            ],
            "retour": formats.runs_report_back(session),
            "steps": formats.freeze(session),
        }
    if kind == "report" and command.get("new_subject") is True and state.speaker is not None:
        plan = {a.id: a for a in state.plans}.get(command.get("action"))  # type: ignore[arg-type]
        if plan is not None and plan.owner == state.speaker:
            subject = Subject.objects.create(
                group_id=session.group_id,
                owner_id=plan.owner,
                keyword=flow.action_keyword(plan.text),
                proposed_in=session,
            )
            return {**command, "subject_id": subject.pk}
    if kind == "propose" and state.stage == "triage" and state.speaker is not None:
        # The subject's row gives the rules its id; a refusal rolls it back with the rest.
        subject = Subject.objects.create(
            group_id=session.group_id,
            owner_id=state.speaker,
            keyword=flow.clean_keyword(command),
            proposed_in=session,
        )
        return {**command, "subject_id": subject.pk, "arrival": subject.pk}
    if kind == "undo":
        # The last step not undone yet; an undo itself is not undone (it can be redone by
        # replaying its command).
        last = (
            Event.objects.filter(session=session, undone=False, version__lte=state.version)
            .exclude(command__type="undo")
            .order_by("-version")
            .first()
        )
        if last is None:
            return command
        return {**command, "previous": {**last.state_before, "version": state.version},
                "event": last.pk}
    return command


def _mirror(session, old: flow.State, new: flow.State) -> None:
    """Keep the Subject and Contribution tables in step with the state."""
    before = {s.id: s for s in old.subjects}
    after = {s.id: s for s in new.subjects}
    # A proposal taken back by undo: the subject was never proposed.
    dropped = [sid for sid in before if sid not in after]
    if dropped:
        Subject.objects.filter(pk__in=dropped, proposed_in=session).delete()
    changed = [s for sid, s in after.items() if before.get(sid) != s and sid in before]
    newly_handled = [sid for sid in new.handled if sid not in old.handled]
    unhandled = [sid for sid in old.handled if sid not in new.handled]
    if unhandled:
        Contribution.objects.filter(session=session, subject_id__in=unhandled).delete()
        Action.objects.filter(session=session, subject_id__in=unhandled).delete()
        Subject.objects.filter(pk__in=unhandled).update(handled_in=None)
    for subject in changed:
        fields: dict = {"status": subject.status, "urgent": subject.urgent}
        if subject.id in newly_handled:
            fields["handled_in"] = session
        Subject.objects.filter(pk=subject.id).update(**fields)
    _mirror_reports(session, old, new)
    for sid in newly_handled:
        Action.objects.bulk_create(
            Action(subject_id=sid, session=session, owner_id=after[sid].owner, position=i, text=t)
            for i, t in enumerate(new.actions)
        )
    for sid in newly_handled:
        Contribution.objects.bulk_create(
            Contribution(
                session=session,
                subject_id=sid,
                person_id=c.person,
                n=c.n,
                phase=c.phase,
                round=c.round,
                kind=c.kind,
                text=c.text,
                taken=c.taken,
                note=c.note,
            )
            for c in new.contributions
        )


def _mirror_reports(session, old: flow.State, new: flow.State) -> None:
    """What the report back said of each action, on the action itself (undo included)."""
    said = {o.action: o for o in new.outcomes}
    taken_back = [o.action for o in old.outcomes if o.action not in said]
    plans = {a.id: a for a in new.plans}
    for outcome in new.outcomes:
        if outcome not in old.outcomes:
            fields: dict = {"status": outcome.status, "reported_in": session}
            if outcome.note:
                fields["note"] = outcome.note
            Action.objects.filter(pk=outcome.action).update(**fields)
    for action_id in taken_back:
        plan = plans.get(action_id)
        if plan is not None:
            Action.objects.filter(pk=action_id).update(
                status=plan.status, note=plan.note, reported_in=None
            )


_layer_healthy = True


def broadcast(snap: dict) -> None:
    """Tell every open page of the session. A channel layer failure loses no data."""
    global _layer_healthy
    layer = get_channel_layer()
    assert layer is not None  # CHANNEL_LAYERS always names one
    # Render both audiences once, here, before any socket asks: the sockets then copy the
    # cached regions out.
    for audience in ("facilitator", "participant"):
        render.live_render(snap, audience, settings.LANGUAGE_CODE)
    try:
        async_to_sync(layer.group_send)(
            group_name(snap["id"]), {"type": "session.update", "snapshot": snap}
        )
    except Exception as exc:
        # The database holds the truth; pages catch up on reconnect or by polling.
        # Logged once per outage, not once per click.
        if _layer_healthy:
            log.error("channel layer unavailable, live updates paused: %s", type(exc).__name__)
        _layer_healthy = False
    else:
        if not _layer_healthy:
            log.warning("channel layer available again")
        _layer_healthy = True


def broadcast_after_commit(session_id: int) -> None:
    """Once the current transaction commits, send every open page of the session a fresh
    snapshot: for a change made outside ``apply`` (who facilitates it), so that each page
    re-renders for the audience it now belongs to."""

    def send() -> None:
        session = Session.objects.select_related("group").filter(pk=session_id).first()
        if session is not None:
            broadcast(snapshot(session))

    transaction.on_commit(send, robust=True)


def tell_cancelled(session_id: int) -> None:
    """Once the cancellation is committed, close every open page of the session (its live
    page and its display) with the cancellation's code: the page says so at once, instead
    of finding the session gone at its next poll."""

    def send() -> None:
        try:
            layer = get_channel_layer()
            assert layer is not None  # CHANNEL_LAYERS always names one
            async_to_sync(layer.group_send)(group_name(session_id), {"type": "session.cancelled"})
        except Exception as exc:  # noqa: BLE001 - the row is gone: their next poll finds out
            log.warning("could not tell open pages of a cancellation (%s)", type(exc).__name__)

    transaction.on_commit(send)


def revoke_access(user_id: int, group_id: int | None) -> None:
    """Close the person's open live pages (of one group, or all when ``group_id`` is None),
    once the change that revoked the access is committed."""

    def send() -> None:
        try:
            layer = get_channel_layer()
            assert layer is not None  # CHANNEL_LAYERS always names one
            async_to_sync(layer.group_send)(
                user_group_name(user_id), {"type": "access.revoked", "group_id": group_id}
            )
        except Exception as exc:  # noqa: BLE001 - the database already says no; sockets re-check
            log.warning("could not notify open pages of a revoked access (%s)", type(exc).__name__)

    transaction.on_commit(send)
