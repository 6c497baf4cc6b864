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
however many sessions the group has had (a member's own figures are in ``personal``).

The callers check permissions: these functions take a group the person may see.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, Q, QuerySet, TextField, Value, When
from django.utils import timezone

from sessions_app import flow
from sessions_app.models import Action, Event, Feedback, Registration, Session, Subject

from .masking import SMALL, masked

PERIODS = ("last", "3m", "12m", "all")  # last session / 90 days / 365 days / since the start
PERIOD_DAYS = {"3m": 90, "12m": 365}
OLDEST = 3  # how many of the oldest open subjects have their age shown

GROUP_QUERIES = 7
ACTION_STATUSES = (Action.TODO, Action.DOING, Action.DONE, Action.DROPPED)


@dataclass(frozen=True)
class PhaseTime:
    key: str  # the phase's key in the session's format (its frozen steps, else flow.FORMATS)
    planned: int  # minutes: the format's timebox × the subjects that went through it
    actual: float | None  # minutes measured from the event log; None if no subject reached it
    subjects: int = 0  # how many subjects went through it
    label: str = ""  # the name an organiser gave the phase; empty: the preset's


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


# --- Counting in the stored states, in the database ---------------------------------------


# --- The group's figures ----------------------------------------------------------------


def group_figures(group, period: str = "12m", now: datetime | None = None) -> GroupFigures:
    """The group's figures over ``period`` (one of ``PERIODS``).

    ``now`` (the current time by default) is where the 90- and 365-day windows are counted
    back from, and the open subjects' ages forward to; a session is in a window when it was
    scheduled at or after its start."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    now = now or timezone.now()
    ended = Session.objects.filter(group=group, stage="ended")
    since: datetime | None = None
    if period == "last":
        chosen = ended.filter(pk__in=ended.order_by("-scheduled_at", "-pk").values("pk")[:1])
    elif period in PERIOD_DAYS:
        since = now - timedelta(days=PERIOD_DAYS[period])
        chosen = ended.filter(scheduled_at__gte=since)
    else:
        chosen = ended
    ids = chosen.values("pk")

    rows = list(  # 1, with the ideas kept counted in it
        chosen.annotate(kept=Count("contributions", filter=Q(contributions__taken=True)))
        .order_by("scheduled_at", "pk")
        .values(
            "pk", "title", "scheduled_at", "duration_minutes", "format",
            "started_at", "ended_at", "tally", "kept",
        )
    )
    if period == "last" and rows:
        since = rows[0]["scheduled_at"]

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

    events = _events_by_session(ids)  # 5

    sessions = []
    raw: dict[int, dict[str, int]] = {}  # the counts before masking, for the totals
    for row in rows:
        session_id = row["pk"]
        log = events.get(session_id, [])
        started, ended_at = row["started_at"], row["ended_at"]
        held = flow.Structure.from_data(row["tally"])
        done_actions: Mapping[str, Any] = actions.get(session_id, {})
        by_status = masked({status: done_actions.get(status, 0) for status in ACTION_STATUSES})
        sessions.append(
            SessionFigures(
                session_id=session_id,
                scheduled_at=row["scheduled_at"],
                title=str(Session(title=row["title"], scheduled_at=row["scheduled_at"],
                                  group=group)),
                proposed=proposed[session_id],
                handled=handled[session_id],
                withdrawn=_withdrawals(log),
                carried=held.carried
                + (0 if started is None else _withdrawals(log, stage="lobby")),
                backlog_after=held.open,
                present=None if started is None else len(held.present),
                registered=registered.get(session_id, 0),
                seats=group.capacity,
                planned_minutes=row["duration_minutes"],
                actual_minutes=(
                    None
                    if started is None or ended_at is None
                    else (ended_at - started).total_seconds() / 60
                ),
                phases=_phase_times(row["format"], log, held.steps),
                actions_planned=done_actions.get("planned", 0),
                actions_reported=done_actions.get("reported", 0),
                actions_done=done_actions.get("done", 0),
                facilitators=_drivers(log),
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

    open_since = list(  # 6
        Subject.objects.filter(group=group, status="open")
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
    )
    facilitated: Counter[int] = Counter()
    for session in sessions:
        facilitated.update(session.facilitators)
    totals: dict[str, int | None] = {
        key: sum(getattr(s, key) for s in sessions)
        for key in ("proposed", "handled", "withdrawn", "actions_planned", "actions_reported",
                    "actions_done")
    }
    totals["sessions"] = len(sessions)
    summed = {key: sum(r[key] for r in raw.values()) for key in ("votes", "ideas_kept")}
    totals.update({key: masked({key: n})[key] for key, n in summed.items()})
    by_status = masked(
        {status: sum(r[status] for r in raw.values()) for status in ACTION_STATUSES}
    )
    return GroupFigures(
        period=period,
        since=since,
        sessions=tuple(sessions),
        backlog_now=len(open_since),
        oldest_open_days=tuple(max(0, (now - at).days) for at in open_since[:OLDEST]),
        report_back=group.runs_report_back,
        facilitators_count=len(facilitated),
        facilitation=tuple(sorted(facilitated.items(), key=lambda item: (-item[1], item[0]))),
        feedback=_feedback(ids),  # 7
        totals=totals,
        actions_by_status=tuple(by_status.items()),
    )


def _events_by_session(ids: QuerySet) -> dict[int, list[Mapping[str, Any]]]:
    """The structure of the sessions' event logs, in version order: who did what kind of
    step, when, and where the session stood before it — never what a command carried."""
    by_session: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    rows = (
        Event.objects.filter(session__in=ids)
        .order_by("session_id", "version")
        .values(
            "session_id", "version", "created_at", "actor_id", "undone",
            "command__type", "command__keep",
            "state_before__stage", "state_before__current", "state_before__phase",
            "state_before__phase_started_at",
        )
    )
    for row in rows:
        by_session[row["session_id"]].append(row)
    return by_session


def _withdrawals(log: Iterable[Mapping[str, Any]], stage: str | None = None) -> int:
    """Subjects withdrawn in the session: « withdraw », or a carried subject its owner said
    was no longer current (« confirm » without keeping it); steps undone do not count.

    With ``stage``, only those withdrawn at that stage. Those withdrawn at the accueil
    (« lobby ») were carried in, yet the session starts with the group's subjects still
    open: its stored state no longer holds them, and they count as carried from here."""
    return sum(
        1
        for e in log
        if not e["undone"]
        and (stage is None or e["state_before__stage"] == stage)
        and (
            e["command__type"] == "withdraw"
            or (e["command__type"] == "confirm" and e["command__keep"] is False)
        )
    )


def _drivers(log: Iterable[Mapping[str, Any]]) -> tuple[int, ...]:
    """Who drove the session: the authors of its facilitator-only steps not undone."""
    return tuple(sorted({
        e["actor_id"]
        for e in log
        if not e["undone"] and e["actor_id"] is not None
        and e["command__type"] in flow.FACILITATOR_ONLY
    }))


def _phase_times(
    format: str, log: Iterable[Mapping[str, Any]], steps: tuple[flow.Phase, ...] = ()
) -> tuple[PhaseTime, ...]:
    """Planned and measured time per phase of the session's format (the one it froze when
    it started, else its preset's).

    A subject's phase is known by (subject, phase index, the time it began): the states
    that follow, in the log's order, show it until a step moves on, whose time ends it. A
    step undone never happened: a phase it began is not counted, and the phase it left goes
    on until the step that really moved on (an undo brings back the same phase, same start).
    """
    phases = (
        steps or flow.FORMATS.get(format, ())
    )
    spans: dict[tuple, list[float]] = {}  # (subject, index, start) → [start, end]
    dropped: set[tuple] = set()
    made_by_undone = False  # whether the step that led to the row's state was undone
    for e in log:
        started = e["state_before__phase_started_at"]
        current, index = e["state_before__current"], e["state_before__phase"]
        if (
            e["state_before__stage"] == "subject"
            and current is not None
            and isinstance(index, int)
            and 0 <= index < len(phases)
            and started is not None
        ):
            key = (current, index, float(started))
            moved_on = e["created_at"].timestamp()
            if key in spans:
                spans[key][1] = max(spans[key][1], moved_on)
            elif key not in dropped:
                if made_by_undone:
                    dropped.add(key)
                else:
                    spans[key] = [float(started), moved_on]
        made_by_undone = bool(e["undone"])
    seconds: dict[int, float] = defaultdict(float)
    subjects: dict[int, set] = defaultdict(set)
    for (subject, index, _start), (start, end) in spans.items():
        seconds[index] += max(0.0, end - start)
        subjects[index].add(subject)
    return tuple(
        PhaseTime(
            key=phase.key,
            planned=phase.timebox * len(subjects[i]),
            actual=seconds[i] / 60 if subjects[i] else None,
            subjects=len(subjects[i]),
            label=phase.label,
        )
        for i, phase in enumerate(phases)
    )


def _feedback(ids: QuerySet) -> FeedbackFigures:
    """The members' word on the sessions: a distribution whose small counts are not shown
    apart, and the sentences shared with the group, once enough people answered that no
    answer points to anyone. Only the shared sentences are read, never the others."""
    rows = list(
        Feedback.objects.filter(session__in=ids).values_list(
            "usefulness",
            Case(When(shared=True, then=F("keeps")), default=Value(""), output_field=TextField()),
        )
    )
    responses = len(rows)
    counts = Counter(score for score, _said in rows)
    shown = masked({score: counts[score] for score, _label in Feedback.USEFULNESS})
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
