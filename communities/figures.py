"""The community's « Bilan »: its groups' figures, group by group and added up, for its
leaders and the sponsors they show them to.

Counted by ``insights.figures.figures_of_groups`` over all the community's groups at once,
closed ones included, so the cost does not grow with the number of groups:
``COMMUNITY_QUERIES`` queries. A group's counts are those of its own Bilan over the same
period (« last »: each group's own last session); the community's are their sums, but for
the people who facilitated, each counted once however many groups they drove.

Counts only: no person's name, no keyword, no text — not even the sessions' titles or the
feedback sentences shared with a group, which stay in it (they are not even read). Every
count under ``SMALL`` is hidden, in a group's line as in the total, and so is whatever would
give a hidden count back by a subtraction (``suppress``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from insights.figures import (
    ACTION_STATUSES,
    GROUP_QUERIES,
    PERIOD_DAYS,
    USEFULNESS,
    GroupFigures,
    figures_of_groups,
)
from insights.masking import SMALL
from participants.models import Community, Group

COMMUNITY_QUERIES = 1 + GROUP_QUERIES  # the community's groups, then their figures at once

STATUS_COLUMNS = tuple(f"actions_{status}_now" for status in ACTION_STATUSES)
SCORE_COLUMNS = tuple(f"usefulness_{score}" for score in USEFULNESS)
# Every count of a line, in the order of the CSV (the names of the group's CSV where the
# figure is the same).
COLUMNS = (
    "sessions",
    "subjects_proposed",
    "subjects_handled",
    "present",  # people at the table, added up over the sessions that started
    "seats",  # the group's capacity, added up over the same sessions
    "actions_planned",
    "actions_reported",
    *STATUS_COLUMNS,
    "facilitators",  # distinct people who drove a session
    "feedback_responses",
    *SCORE_COLUMNS,
)
# Counts of a line that add up to another of the same line.
ROW_SUMS = ((STATUS_COLUMNS, "actions_planned"), (SCORE_COLUMNS, "feedback_responses"))

Cell = tuple[int | None, str]  # (a group's id, or None for the total; a column)


@dataclass(frozen=True)
class Line:
    """One line of the community's figures: a group's, or (``group`` None) the total."""

    group: Group | None
    counts: dict[str, int]  # before masking: what the sums are made of; never shown
    shown: dict[str, int | None]  # None: « masqué »
    average: float | None  # the usefulness, when enough answers and none of its counts hidden
    since: datetime | None = None  # « last »: the day of the group's last session


@dataclass(frozen=True)
class CommunityFigures:
    period: str
    since: datetime | None  # where the 90- or 365-day window starts; None otherwise
    groups: tuple[Line, ...]  # by name, closed groups included
    total: Line


def community_figures(
    community: Community, period: str = "12m", now: datetime | None = None
) -> CommunityFigures:
    """The figures of the community's groups over ``period`` (one of ``PERIODS``), in
    ``COMMUNITY_QUERIES`` queries however many groups it has (none when it has no group)."""
    now = now or timezone.now()
    groups = list(community.groups.order_by("name", "pk"))
    figures = figures_of_groups(groups, period, now, texts=False)
    counts: dict[int | None, dict[str, int]] = {
        group.pk: group_counts(figures[group.pk]) for group in groups
    }
    counts[None] = {column: sum(line[column] for line in counts.values()) for column in COLUMNS}
    # Someone who drove sessions in two groups is one person of the community.
    counts[None]["facilitators"] = len(
        {person for f in figures.values() for person, _n in f.facilitation}
    )
    cells = {(key, column): n for key, line in counts.items() for column, n in line.items()}
    hidden = suppress(cells, relations(list(counts)))

    def line(key: int | None, group: Group | None) -> Line:
        shown = {c: None if (key, c) in hidden else n for c, n in counts[key].items()}
        since = figures[group.pk].since if group is not None and period == "last" else None
        return Line(group, counts[key], shown, _average(shown), since)

    return CommunityFigures(
        period=period,
        since=now - timedelta(days=PERIOD_DAYS[period]) if period in PERIOD_DAYS else None,
        groups=tuple(line(group.pk, group) for group in groups),
        total=line(None, None),
    )


def group_counts(figures: GroupFigures) -> dict[str, int]:
    """A group's counts, as its own Bilan gives them, before masking."""
    started = [s for s in figures.sessions if s.present is not None]
    return {
        "sessions": len(figures.sessions),
        "subjects_proposed": sum(s.proposed for s in figures.sessions),
        "subjects_handled": sum(s.handled for s in figures.sessions),
        "present": sum(s.present or 0 for s in started),
        "seats": sum(s.seats for s in started),
        "actions_planned": sum(s.actions_planned for s in figures.sessions),
        "actions_reported": sum(s.actions_reported for s in figures.sessions),
        **{
            column: figures.unmasked[status]
            for column, status in zip(STATUS_COLUMNS, ACTION_STATUSES, strict=True)
        },
        "facilitators": figures.facilitators_count,
        "feedback_responses": figures.feedback.responses,
        **{column: figures.unmasked[column] for column in SCORE_COLUMNS},
    }


def relations(keys: Sequence[int | None]) -> list[tuple[list[Cell], Cell]]:
    """The sums a reader could subtract from, as (parts, total): each column's groups and
    their total (the facilitators too: a person who drove in two groups makes the total
    smaller, never larger), and in each line, the actions by status and their number, the
    answers by score and theirs."""
    groups = [key for key in keys if key is not None]
    found: list[tuple[list[Cell], Cell]] = [
        ([(key, column) for key in groups], (None, column)) for column in COLUMNS
    ]
    for key in keys:
        for parts, total in ROW_SUMS:
            found.append(([(key, part) for part in parts], (key, total)))
    return found


def suppress(counts: Mapping[Cell, int], sums: Iterable[tuple[Sequence[Cell], Cell]]) -> set[Cell]:
    """The cells not to show: each count under ``SMALL`` but zero, and then, until none
    can be worked back, another count of every sum that would give them back.

    A sum gives its hidden parts back when its total is shown and only one part is hidden,
    or only parts under ``SMALL`` (their sum would pin them); or when its total is hidden
    and none of its parts. Then its smallest part still shown (not zero) goes too, or its
    total if no such part is left."""
    hidden = {cell for cell, n in counts.items() if 0 < n < SMALL}
    sums = list(sums)
    changed = True
    while changed:
        changed = False
        for parts, total in sums:
            if not _gives_back(counts, hidden, parts, total):
                continue
            shown = [
                (counts[part], i, part)
                for i, part in enumerate(parts)
                if part not in hidden and counts[part]
            ]
            if shown:
                hidden.add(min(shown)[2])
            elif total not in hidden:
                hidden.add(total)
            else:
                continue
            changed = True
    return hidden


def _gives_back(
    counts: Mapping[Cell, int], hidden: set[Cell], parts: Sequence[Cell], total: Cell
) -> bool:
    gone = [part for part in parts if part in hidden]
    if total in hidden:
        return not gone and counts[total] > 0
    return bool(gone) and (len(gone) == 1 or all(counts[part] < SMALL for part in gone))


def _average(shown: Mapping[str, int | None]) -> float | None:
    """The usefulness out of 5, when at least ``SMALL`` people answered and no score's
    count is hidden (the average would give hidden counts back)."""
    responses = shown["feedback_responses"]
    scores = [shown[column] for column in SCORE_COLUMNS]
    if responses is None or responses < SMALL or any(n is None for n in scores):
        return None
    return sum(score * (n or 0) for score, n in zip(USEFULNESS, scores, strict=True)) / responses
