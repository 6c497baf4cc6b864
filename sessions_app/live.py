"""The only code that changes a running session.

``apply`` loads the session under a row lock, checks the version the client saw (a stale
co-facilitator gets ``Conflict``, never a double advance), runs the pure rules, saves the
state and an ``Event``, mirrors subjects and contributions into their tables, and
broadcasts the new snapshot once the transaction has committed.
"""

import logging
import random
import threading
import time
import uuid
from contextlib import nullcontext
from dataclasses import replace

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction

from . import flow, render
from .models import Contribution, Event, Session, Subject

log = logging.getLogger(__name__)

# Commands the view translates before the rules see them.
VIEW_COMMANDS = {"shuffle", "move", "undo"}


class Conflict(Exception):
    """The client acted on a version that is no longer current."""

    def __init__(self, version):
        super().__init__(version)
        self.version = version


def group_name(session_id: int) -> str:
    return f"session-{session_id}"


def user_group_name(user_id: int) -> str:
    return f"user-{user_id}"


def snapshot(session: Session, state: flow.State | None = None, roster=None) -> dict:
    """Everything a live page needs, as JSON: the pages render from this and nothing else."""
    state = state or session.flow_state()
    people, facilitators = roster or session.roster()
    return {
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
    }


def apply(session_id: int, user, command: dict, expected_version: int | None) -> dict:
    """Apply ``command`` for ``user``; return the new snapshot.

    Raises FlowError, Conflict, and Session.DoesNotExist when ``user`` is not an active
    member of the session's group (the permission check is the locking query itself).
    """
    with _one_writer(), transaction.atomic():
        snap = _apply_locked(session_id, user, command, expected_version)
    # Outside the writer lock: the broadcast renders the page for both audiences first. In
    # autocommit this runs now; inside a caller's transaction, once that one commits.
    transaction.on_commit(lambda: broadcast(snap), robust=True)
    return snap


def _apply_locked(session_id: int, user, command: dict, expected_version: int | None) -> dict:
    """The body of ``apply``, under its lock and inside its transaction."""
    session = (
        Session.objects.for_member(user)
        .select_for_update(of=("self",))
        .select_related("group")
        .get(pk=session_id)
    )
    state = session.flow_state()
    if expected_version is not None and expected_version != state.version:
        raise Conflict(state.version)
    roster = session.roster()
    is_facilitator = user.pk in roster[1]
    kind = command.get("type")
    if kind == "undo":
        if not is_facilitator:
            raise flow.FlowError("facilitator_only")
        new = _undo(session, state)
    else:
        if kind == "start" and state.stage == "lobby":
            # Another session of the group may have run since this page was opened.
            backlog = [s.as_flow() for s in session.group.subjects.filter(status="open")]
            state = replace(state, subjects=flow.new_state(session.format, backlog).subjects)
        command = _translate(session, state, command, is_facilitator, roster[0])
        new = flow.step(
            state, command, actor=user.pk, facilitator=is_facilitator, now=time.time()
        )
        Event.objects.create(
            session=session,
            version=new.version,
            actor=user,
            command=command,
            state_before=state.to_dict(),
        )
    _mirror(session, state, new)
    session.state = new.to_dict()
    session.version = new.version
    session.save(update_fields=["state", "version"])
    return snapshot(session, new, roster)


# SQLite has a single writer and its busy handler sleeps (up to 100 ms a try) while another
# thread holds the lock: queue the writers of this process on a lock instead.
_sqlite_writer = threading.Lock()


def _one_writer():
    return _sqlite_writer if connection.vendor == "sqlite" else nullcontext()


def _translate(session, state, command, is_facilitator, people) -> dict:
    """Commands that need the database or chance, turned into plain flow commands."""
    kind = command.get("type")
    if kind == "propose":
        # The subject row is created first so the rules get its id; a refusal rolls it back.
        keyword = command.get("keyword")
        if not isinstance(keyword, str) or not keyword.strip():
            raise flow.FlowError("text_required")
        if len(" ".join(keyword.split())) > flow.KEYWORD_MAX:
            raise flow.FlowError("text_too_long", limit=flow.KEYWORD_MAX)
        owner = state.speaker
        if owner is None or state.stage != "triage":
            raise flow.FlowError("not_in_triage")
        subject = Subject.objects.create(
            group_id=session.group_id,
            owner_id=owner,
            keyword=" ".join(keyword.split()),
            proposed_in=session,
        )
        return {**command, "subject_id": subject.pk, "arrival": subject.pk}
    if kind == "join" and is_facilitator and isinstance(command.get("person"), int):
        # The facilitator seats someone without a device: only an active member.
        if command["person"] not in people:
            raise flow.FlowError("bad_person")
    if kind == "shuffle":
        if not is_facilitator:
            raise flow.FlowError("facilitator_only")
        order = list(state.seating)
        random.shuffle(order)
        return {"type": "seat", "order": order}
    if kind == "move":
        if not is_facilitator:
            raise flow.FlowError("facilitator_only")
        person, delta = command.get("person"), command.get("delta")
        if person not in state.seating or delta not in (-1, 1):
            raise flow.FlowError("bad_seating")
        order = list(state.seating)
        at = order.index(person)
        to = max(0, min(len(order) - 1, at + delta))
        order.insert(to, order.pop(at))
        return {"type": "seat", "order": order}
    return command


def _undo(session, state) -> flow.State:
    last = (
        Event.objects.filter(session=session, undone=False, version__lte=state.version)
        .order_by("-version")
        .first()
    )
    if last is None:
        raise flow.FlowError("nothing_to_undo")
    last.undone = True
    last.save(update_fields=["undone"])
    previous = flow.State.from_dict(last.state_before)
    return replace(previous, version=state.version + 1)


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
        Subject.objects.filter(pk__in=unhandled).update(handled_in=None, actions=[])
    for subject in changed:
        fields = {"status": subject.status, "urgent": subject.urgent}
        if subject.id in newly_handled:
            fields.update(handled_in=session, actions=list(new.actions))
        Subject.objects.filter(pk=subject.id).update(**fields)
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


_layer_healthy = True


def broadcast(snap: dict) -> None:
    """Tell every open page of the session. A channel layer failure loses no data."""
    global _layer_healthy
    layer = get_channel_layer()
    # Render both audiences here, on the request's thread, before any socket asks: the
    # event loop then only copies the cached frames out, and the answer to the request that
    # caused the update reuses one of them instead of rendering it a second time, at the
    # same moment, beside a socket doing the same.
    for audience in ("facilitator", "participant"):
        render.live_frame(snap, audience, settings.LANGUAGE_CODE)
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


def revoke_access(user_id: int, group_id: int | None) -> None:
    """Close the person's open live pages (of one group, or all when ``group_id`` is None),
    once the change that revoked the access is committed."""

    def send() -> None:
        try:
            async_to_sync(get_channel_layer().group_send)(
                user_group_name(user_id), {"type": "access.revoked", "group_id": group_id}
            )
        except Exception as exc:  # noqa: BLE001 - the database already says no; sockets re-check
            log.warning("could not notify open pages of a revoked access (%s)", type(exc).__name__)

    transaction.on_commit(send)
