"""The group's « Bilan »: what its sessions bring, in figures, without exposing anything said.

Everything here is counted from the structure of the history — the sessions' states and
event log, the subjects, registrations, actions and feedback rows — and never from what was
said: no keyword, contribution, note or plan text is read, and of the feedback only the
sentences their authors chose to share with the group. Of the group's choice of subjects,
only how many votes were cast (never who voted for what); of the consultation, how many
ideas were kept; of the plans, how many actions stand in each status. A count under
``SMALL`` that could point to someone is not shown apart (``masking``).

The live states hold keywords and texts, so they are never loaded: an ended session keeps its
structure in a column of its own (``Session.tally``, a ``flow.Structure`` that ``flow``
derives from the state: who was at the table, the frozen steps, how many subjects were
carried or are open, how many votes were cast).

The cost does not grow with the history: ``group_figures`` runs ``GROUP_QUERIES`` queries,
however many sessions the group has had, and ``figures_of_groups`` the same queries for many
groups at once, however many (a member's own figures are in ``personal``; a community's, the
groups' added up, in ``communities.figures``). What the event logs tell is read in
``eventlog``.

The callers check permissions: these functions take a group the person may see.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, TextField, Value, When
from django.utils import timezone

from participants.models import Group
from sessions_app import flow
from sessions_app.models import Action, Feedback, Registration, Session, Subject

from . import eventlog
from .eventlog import PhaseTime
from .masking import SMALL, masked

PERIODS = ("last", "3m", "12m", "all")  # last session / 90 days / 365 days / since the start
PERIOD_DAYS = {"3m": 90, "12m": 365}
OLDEST = 3  # how many of the oldest open subjects have their age shown

GROUP_QUERIES = 7
ACTION_STATUSES = (Action.TODO, Action.DOING, Action.DONE, Action.DROPPED)
USEFULNESS = tuple(score for score, _label in Feedback.USEFULNESS)


@dataclass(frozen=True)
class SessionFigures:
    session_id: int
    scheduled_at: datetime
    title: str
    proposed: int  # subjects proposed during this session
    handled: int
    withdrawn: int  # withdrawals (or carried subjects not confirmed), steps undone excluded
    carried: int  # subjects carried in from earlier sessions, those withdrawn at the accueil too
    backlog_after: int  # open subjects when the session ended
    present: int | None  # seated and not absent at the end; None if it never started
    registered: int  # seats taken by registration
    seats: int  # the group's capacity
    planned_minutes: int
    actual_minutes: float | None  # from start to end; None if it never started
    phases: tuple[PhaseTime, ...]
    actions_planned: int  # actions of the plans made in this session
    actions_reported: int  # … that a later report back spoke of
    actions_done: int  # … that are done
    facilitators: tuple[int, ...]  # user ids of those who drove it
    format: str = ""
    # Counts that may be masked (None, see ``masked``): the votes cast when the group chose
    # its subjects, the ideas kept from what the group said, the session's actions by status.
    votes: int | None = 0
    ideas_kept: int | None = 0
    actions_by_status: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class FeedbackFigures:
    responses: int
    # (score 1..5, count); count None when 0 < count < SMALL: not shown apart.
    distribution: tuple[tuple[int, int | None], ...]
    average: float | None  # None when responses < SMALL, or when some count is hidden
    shared: tuple[str, ...]  # sentences shared with the group, shuffled; () below SMALL


@dataclass(frozen=True)
class GroupFigures:
    period: str
    since: datetime | None
    sessions: tuple[SessionFigures, ...]  # ended sessions of the period, oldest first
    backlog_now: int
    oldest_open_days: tuple[int, ...]  # ages of the oldest open subjects, oldest first
    report_back: bool  # whether the follow-up loop exists for this group
    facilitators_count: int
    facilitation: tuple[tuple[int, int], ...]  # (user id, sessions facilitated), most first
    feedback: FeedbackFigures
    # Sums over the period; "votes" and "ideas_kept" may be None (« masqué »).
    totals: dict[str, int | None] = field(default_factory=dict)
    # The period's actions by status, masked as a whole.
    actions_by_status: tuple[tuple[str, int | None], ...] = ()
    # The counts above before masking (votes, ideas kept, actions by status, the feedback's
    # "usefulness_<score>"), so that several groups' counts can be added up and their sums
    # masked (``communities.figures``). Never shown as they are.
    unmasked: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


# --- The figures of a batch of groups ---------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    """What the batch's queries found, by session (or by group for the open subjects and
    the feedback), before it is read group by group."""

    rows: list[Mapping[str, Any]]
    proposed: Counter[int]
    handled: Counter[int]
    registered: dict[int, int]
    actions: Mapping[int, Mapping[str, Any]]
    events: dict[int, list[Mapping[str, Any]]]
    open_since: dict[int, list[datetime]]
    feedback: dict[int, list[tuple[int, str]]]


def group_figures(group, period: str = "12m", now: datetime | None = None) -> GroupFigures:
    """The group's figures over ``period`` (one of ``PERIODS``), in ``GROUP_QUERIES``
    queries; ``figures_of_groups`` for one group."""
    return figures_of_groups([group], period, now)[group.pk]


def figures_of_groups(
    groups: Iterable[Group],
    period: str = "12m",
    now: datetime | None = None,
    *,
    texts: bool = True,
) -> dict[int, GroupFigures]:
    """Each group's figures over ``period`` (one of ``PERIODS``), by group id: the same
    ``GROUP_QUERIES`` queries however many groups, sessions and subjects there are.

    ``now`` (the current time by default) is where the 90- and 365-day windows are counted
    back from, and the open subjects' ages forward to; a session is in a window when it was
    scheduled at or after its start. « last » is each group's own last session. Without
    ``texts``, no text is read — neither the sessions' titles nor the feedback sentences
    shared with the group: the figures are for someone outside it."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    now = now or timezone.now()
    by_id = {group.pk: group for group in groups}
    if not by_id:
        return {}
    ended = Session.objects.filter(group__in=list(by_id), stage="ended")
    since: datetime | None = None
    if period == "last":
        latest = Session.objects.filter(group=OuterRef("group"), stage="ended").order_by(
            "-scheduled_at", "-pk"
        )
        chosen = ended.filter(pk=Subquery(latest.values("pk")[:1]))
    elif period in PERIOD_DAYS:
        since = now - timedelta(days=PERIOD_DAYS[period])
        chosen = ended.filter(scheduled_at__gte=since)
    else:
        chosen = ended
    ids = chosen.values("pk")

    rows: list[Mapping[str, Any]] = list(  # 1, with the ideas kept counted in it
        chosen.annotate(kept=Count("contributions", filter=Q(contributions__taken=True)))
        .order_by("scheduled_at", "pk")
        .values(
            "pk", "group_id", "scheduled_at", "duration_minutes", "format",
            "started_at", "ended_at", "tally", "kept",
            named=F("title") if texts else Value("", output_field=TextField()),
        )
    )
    group_of = {row["pk"]: row["group_id"] for row in rows}

    proposed: Counter[int] = Counter()
    handled: Counter[int] = Counter()
    for proposed_in, handled_in in Subject.objects.filter(  # 2
        Q(proposed_in__in=ids) | Q(handled_in__in=ids)
    ).values_list("proposed_in_id", "handled_in_id"):
        proposed[proposed_in] += 1
        handled[handled_in] += 1

    registered = dict(  # 3
        Registration.objects.seated()
        .filter(session__in=ids)
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )

    actions = {  # 4
        row["session_id"]: row
        for row in Action.objects.filter(session__in=ids)
        .order_by()
        .values("session_id")
        .annotate(
            planned=Count("id"),
            reported=Count("id", filter=Q(reported_in__isnull=False)),
            **{status: Count("id", filter=Q(status=status)) for status in ACTION_STATUSES},
        )
    }

    events = eventlog.by_session(ids)  # 5

    open_since: dict[int, list[datetime]] = defaultdict(list)
    for group_id, created_at in (  # 6
        Subject.objects.filter(group__in=list(by_id), status="open")
        .order_by("created_at", "pk")
        .values_list("group_id", "created_at")
    ):
        open_since[group_id].append(created_at)

    # 7: of the feedback, only the sentences shared with the group are read, and only when
    # the figures are the group's own.
    said = (
        Case(When(shared=True, then=F("keeps")), default=Value(""), output_field=TextField())
        if texts
        else Value("", output_field=TextField())
    )
    feedback: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, score, text in Feedback.objects.filter(session__in=ids).values_list(
        "session_id", "usefulness", said
    ):
        feedback[group_of[session_id]].append((score, text))

    batch = _Batch(rows, proposed, handled, registered, actions, events, open_since, feedback)
    return {
        group_id: _group(group, period, since, now, batch)
        for group_id, group in by_id.items()
    }


def _group(
    group: Group, period: str, since: datetime | None, now: datetime, batch: _Batch
) -> GroupFigures:
    """One group's figures, read from what the batch's queries found."""
    rows = [row for row in batch.rows if row["group_id"] == group.pk]
    if period == "last" and rows:
        since = rows[0]["scheduled_at"]
    sessions = []
    raw: dict[int, dict[str, int]] = {}  # the counts before masking, for the totals
    for row in rows:
        session_id = row["pk"]
        log = batch.events.get(session_id, [])
        started, ended_at = row["started_at"], row["ended_at"]
        held = flow.Structure.from_data(row["tally"])
        done_actions: Mapping[str, Any] = batch.actions.get(session_id, {})
        by_status = masked({status: done_actions.get(status, 0) for status in ACTION_STATUSES})
        sessions.append(
            SessionFigures(
                session_id=session_id,
                scheduled_at=row["scheduled_at"],
                title=str(Session(title=row["named"], scheduled_at=row["scheduled_at"],
                                  group=group)),
                proposed=batch.proposed[session_id],
                handled=batch.handled[session_id],
                withdrawn=eventlog.withdrawals(log),
                carried=held.carried
                + (0 if started is None else eventlog.withdrawals(log, stage="lobby")),
                backlog_after=held.open,
                present=None if started is None else len(held.present),
                registered=batch.registered.get(session_id, 0),
                seats=group.capacity,
                planned_minutes=row["duration_minutes"],
                actual_minutes=(
                    None
                    if started is None or ended_at is None
                    else (ended_at - started).total_seconds() / 60
                ),
                phases=eventlog.phase_times(row["format"], log, held.steps),
                actions_planned=done_actions.get("planned", 0),
                actions_reported=done_actions.get("reported", 0),
                actions_done=done_actions.get("done", 0),
                facilitators=eventlog.drivers(log),
                format=row["format"],
                votes=masked({"n": held.votes})["n"],
                ideas_kept=masked({"n": row["kept"]})["n"],
                actions_by_status=tuple(by_status.items()),
            )
        )
        raw[session_id] = {
            "votes": held.votes, "ideas_kept": row["kept"],
            **{status: done_actions.get(status, 0) for status in ACTION_STATUSES},
        }

    open_since = batch.open_since.get(group.pk, [])
    facilitated: Counter[int] = Counter()
    for session in sessions:
        facilitated.update(session.facilitators)
    totals: dict[str, int | None] = {
        key: sum(getattr(s, key) for s in sessions)
        for key in ("proposed", "handled", "withdrawn", "actions_planned", "actions_reported",
                    "actions_done")
    }
    totals["sessions"] = len(sessions)
    unmasked = {
        key: sum(r[key] for r in raw.values())
        for key in ("votes", "ideas_kept", *ACTION_STATUSES)
    }
    totals.update({key: masked({key: unmasked[key]})[key] for key in ("votes", "ideas_kept")})
    by_status = masked({status: unmasked[status] for status in ACTION_STATUSES})
    answers = batch.feedback.get(group.pk, [])
    scores = Counter(score for score, _said in answers)
    unmasked.update({f"usefulness_{score}": scores[score] for score in USEFULNESS})
    return GroupFigures(
        period=period,
        since=since,
        sessions=tuple(sessions),
        backlog_now=len(open_since),
        oldest_open_days=tuple(max(0, (now - at).days) for at in open_since[:OLDEST]),
        report_back=group.runs_report_back,
        facilitators_count=len(facilitated),
        facilitation=tuple(sorted(facilitated.items(), key=lambda item: (-item[1], item[0]))),
        feedback=_feedback(answers),
        totals=totals,
        actions_by_status=tuple(by_status.items()),
        unmasked=unmasked,
    )


def _feedback(rows: list[tuple[int, str]]) -> FeedbackFigures:
    """The members' word on the sessions (score, sentence shared or ""): a distribution
    whose small counts are not shown apart, and the sentences shared with the group, once
    enough people answered that no answer points to anyone."""
    responses = len(rows)
    counts = Counter(score for score, _said in rows)
    shown = masked({score: counts[score] for score in USEFULNESS})
    hidden = {score for score, n in shown.items() if n is None}
    distribution = tuple(shown.items())
    if responses < SMALL:
        return FeedbackFigures(responses, distribution, None, ())
    shared = [said.strip() for _score, said in rows if said and said.strip()]
    random.shuffle(shared)  # in no order that could match a session or a date
    return FeedbackFigures(
        responses=responses,
        distribution=distribution,
        # With hidden counts, the exact average would give them back (two equations).
        average=None if hidden else sum(score for score, _said in rows) / responses,
        shared=tuple(shared),
    )
