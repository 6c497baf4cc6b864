"""What the figures read of the sessions' event logs: its structure only — who did what kind
of step, when, and where the session stood before it — never what a command carried.

``figures`` loads the logs of a batch of sessions in one query (``by_session``) and reads,
for each session, the withdrawals, who drove it and the time spent in each phase.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sessions_app import flow
from sessions_app.models import Event


@dataclass(frozen=True)
class PhaseTime:
    key: str  # the phase's key in the session's format (its frozen steps, else flow.FORMATS)
    planned: int  # minutes: the format's timebox × the subjects that went through it
    actual: float | None  # minutes measured from the event log; None if no subject reached it
    subjects: int = 0  # how many subjects went through it
    label: str = ""  # the name an organiser gave the phase; empty: the preset's


def by_session(ids: QuerySet) -> dict[int, list[Mapping[str, Any]]]:
    """The structure of the sessions' event logs, in version order: who did what kind of
    step, when, and where the session stood before it — never what a command carried."""
    logs: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    rows = (
        Event.objects.filter(session__in=ids)
        .order_by("session_id", "version")
        .values(
            "session_id",
            "version",
            "created_at",
            "actor_id",
            "undone",
            "command__type",
            "command__keep",
            "state_before__stage",
            "state_before__current",
            "state_before__phase",
            "state_before__phase_started_at",
        )
    )
    for row in rows:
        logs[row["session_id"]].append(row)
    return logs


def withdrawals(log: Iterable[Mapping[str, Any]], stage: str | None = None) -> int:
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


def drivers(log: Iterable[Mapping[str, Any]]) -> tuple[int, ...]:
    """Who drove the session: the authors of its facilitator-only steps not undone."""
    return tuple(
        sorted(
            {
                e["actor_id"]
                for e in log
                if not e["undone"]
                and e["actor_id"] is not None
                and e["command__type"] in flow.FACILITATOR_ONLY
            }
        )
    )


def phase_times(
    format: str, log: Iterable[Mapping[str, Any]], steps: tuple[flow.Phase, ...] = ()
) -> tuple[PhaseTime, ...]:
    """Planned and measured time per phase of the session's format (the one it froze when
    it started, else its preset's).

    A subject's phase is known by (subject, phase index, the time it began): the states
    that follow, in the log's order, show it until a step moves on, whose time ends it. A
    step undone never happened: a phase it began is not counted, and the phase it left goes
    on until the step that really moved on (an undo brings back the same phase, same start).
    """
    phases = steps or flow.FORMATS.get(format, ())
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
