"""The only code that changes a running session.

``apply`` is the verb (Zulip's ``do_*`` shape): it locks the session's row — the locking
query is also the membership check —, checks the expected version (a stale co-facilitator
gets ``Conflict``, never a double advance), lets ``flow.step`` decide, records the
``Event`` — whose unique index on the command's id refuses a retry (acknowledged, never
applied twice: the idempotency key's pattern, no lookup first) —, saves the state,
mirrors subjects and contributions into their tables (``mirror``), and broadcasts after the
commit. The caller gives the time (``now``), as a replay of the past gives its own.

The page sends its commands over its open websocket (``consumers``); the HTTP POST is the
fallback while the socket is down (``views.session_command``). Both read the command with
``commands.parse`` and apply it here.
"""

import logging
import random
import threading
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from participants.models import User

from . import flow, formats, render
from .mirror import mirror
from .models import Action, Event, Session, Subject
from .snapshot import Snapshot, build, roster_of

# What the pages and the data's erasure call: the snapshot of a session as it stands.
snapshot = build

log = logging.getLogger(__name__)

class Conflict(Exception):
    """The client acted on a version that is no longer current."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


class AlreadyApplied(Exception):
    """A command with this id was applied before (a retry after a lost answer)."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def group_name(session_id: int) -> str:
    return f"session-{session_id}"


def user_group_name(user_id: int) -> str:
    return f"user-{user_id}"


def apply(
    session_id: int,
    user: User,
    command: Mapping[str, object],
    expected_version: int | None,
    command_id: str = "",
    *,
    facilitator: bool = False,
    now: float | None = None,
) -> Snapshot:
    """Apply ``command`` for ``user`` at ``now`` (seconds since the epoch; None: the time of
    the call); return the new snapshot.

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
                    session, user, command, expected_version, command_id, facilitator,
                    time.time() if now is None else now,
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


def _apply_locked(
    session: Session, user: User, command: Mapping[str, object], expected_version: int | None,
    command_id: str, facilitator: bool, now: float,
) -> Snapshot:
    """``apply``'s work once the row is locked; the event's insert checks the command id."""
    state = session.flow_state()
    if expected_version is not None and expected_version != state.version:
        raise Conflict(state.version)
    roster = roster_of(session)
    inputs = _with_inputs(session, state, command)
    new = flow.step(
        state,
        inputs,
        actor=user.pk,
        facilitator=facilitator or user.pk in roster[1],
        now=now,
        members=roster[0],
    )
    if inputs["type"] == "undo":
        undone = inputs.pop("event")
        assert isinstance(undone, int)  # the event ``_with_inputs`` found
        Event.objects.filter(pk=undone).update(undone=True)
        inputs.pop("previous")
    # Inserted before anything else is written or remembered: a retry of a command applied
    # meanwhile stops here (IntegrityError), with nothing else to undo but the transaction.
    Event.objects.create(
        session=session,
        version=new.version,
        actor=user,
        command=inputs,
        command_id=command_id,
        state_before=state.to_dict(),
    )
    mirror(session, state, new)
    session.state = new.to_dict()
    session.version = new.version
    session.save(update_fields=["state", "version", "texts"])
    return build(session, new, roster)


# SQLite has a single writer and its busy handler sleeps (up to 100 ms a try) while another
# thread holds the lock: queue the writers of this process on a lock instead.
_sqlite_writer = threading.Lock()


def _one_writer() -> AbstractContextManager[object]:
    return _sqlite_writer if connection.vendor == "sqlite" else nullcontext()


def _with_inputs(
    session: Session, state: flow.State, command: Mapping[str, object]
) -> dict[str, object]:
    """Add what the rules take as input and cannot make themselves: chance, database ids,
    the group's backlog and settings, the state an undo returns to."""
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
            **session.choice_inputs(),
        }
    if kind == "report" and command.get("new_subject") is True and state.speaker is not None:
        action = command.get("action")
        plan = {a.id: a for a in state.plans}.get(action) if isinstance(action, int) else None
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
            return dict(command)
        return {**command, "previous": {**last.state_before, "version": state.version},
                "event": last.pk}
    return dict(command)


_layer_healthy = True


def broadcast(snap: Snapshot) -> None:
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
            broadcast(build(session))

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
