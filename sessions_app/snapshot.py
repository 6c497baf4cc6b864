"""The snapshot of a live session: everything its pages render from, and nothing else.

``build`` makes one from the session's row, its roster (names, who drives) and the current
stage's or phase's texts; it travels as JSON (the channel layer's broadcast), so it is a
``TypedDict``, read by key. A process keeps the latest snapshot of each session it built or
received (``remember``), for the pages that connect while the session stands still
(``for_member``), and the roster of each session it read (``roster_of``), until the row says
it changed.
"""

import json
import uuid
from collections import OrderedDict
from datetime import datetime
from time import monotonic
from typing import Any, TypedDict

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from . import flow, formats
from .models import Session

# The group's active members (id → name) and who drives the session (``Session.roster``).
Roster = tuple[dict[int, str], set[int]]


class Snapshot(TypedDict):
    """What a live page shows of its session, at one version."""

    id: int
    stamp: str  # identifies this snapshot in the render cache
    version: int
    title: str
    group: str
    group_id: int
    duration: int  # minutes
    visio_url: str
    facilitators: list[int]  # who drives
    people: dict[str, str]  # the group's active members: id (as JSON keys are) → name
    state: dict[str, Any]  # ``flow.State.to_dict()``
    # The current stage's or phase's texts from the session's format (empty: the preset's).
    texts: dict[str, str]
    # Tells this row from another that got its id back (a restored database).
    created: str


def build(
    session: Session, state: flow.State | None = None, roster: Roster | None = None
) -> Snapshot:
    """Everything a live page needs, as JSON: the pages render from this and nothing else."""
    state = state or session.flow_state()
    people, facilitators = roster or roster_of(session)
    snap: Snapshot = {
        "id": session.pk,
        "stamp": uuid.uuid4().hex,
        "version": state.version,
        "title": str(session),
        "group": session.group.name,
        "group_id": session.group_id,
        "duration": session.duration_minutes,
        "visio_url": session.visio_url,
        "facilitators": sorted(facilitators),
        "people": {str(pid): name for pid, name in people.items()},
        "state": state.to_dict(),
        "texts": formats.current_texts(session, state),
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
# session id -> (monotonic time, state key, snapshot)
_recent: OrderedDict[int, tuple[float, str, Snapshot]] = OrderedDict()


def _state_key(state: object) -> str:
    # The rules' tuples and the database's lists read alike.
    return json.dumps(state, sort_keys=True)


def remember(snap: Snapshot) -> None:
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


def newer(snap: Snapshot) -> Snapshot:
    """The snapshot of the same session this process remembers, if it is newer than
    ``snap`` (same row, a later version); else ``snap``."""
    held = _recent.get(snap["id"])
    if held is not None and held[2]["created"] == snap["created"]:
        if held[2]["version"] > snap["version"]:
            return held[2]
    return snap


def for_member(session_id: int, user: AbstractBaseUser | AnonymousUser) -> Snapshot | None:
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
    return None if session is None else build(session)


# The roster (names, who drives) of each session this process read, with the session's
# roster stamp then: reused while the row (read under the lock of a command, or by a page)
# carries the same stamp. ``signals`` moves the stamp on at every change of membership, role,
# name, facilitation or facilitators, in the transaction of that change.
ROSTERS_SIZE = 8192
# session id -> ((created, stamp), roster)
_rosters: OrderedDict[int, tuple[tuple[datetime, int], Roster]] = OrderedDict()


def roster_of(session: Session) -> Roster:
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
