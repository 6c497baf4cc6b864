"""The community's figures: its groups' own Bilans, group by group and added up, in a number
of queries that does not grow with the number of groups; small counts hidden so that none
can be worked back."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.figures import (
    COLUMNS,
    COMMUNITY_QUERIES,
    SCORE_COLUMNS,
    STATUS_COLUMNS,
    community_figures,
    relations,
    suppress,
)
from insights.figures import GROUP_QUERIES, PERIODS, figures_of_groups, group_figures
from insights.masking import SMALL
from participants.models import Community

from .histories import community_with_history, held, new_group


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def own_bilan(group, period, now) -> dict:
    """What the group's own Bilan says, read from its figures as its page reads them, with
    the counts it masks taken before masking."""
    figures = group_figures(group, period, now=now)
    started = [s for s in figures.sessions if s.present is not None]
    return {
        "sessions": figures.totals["sessions"],
        "subjects_proposed": figures.totals["proposed"],
        "subjects_handled": figures.totals["handled"],
        "present": sum(s.present or 0 for s in started),
        "seats": group.capacity * len(started),
        "actions_planned": figures.totals["actions_planned"],
        "actions_reported": figures.totals["actions_reported"],
        "actions_todo_now": figures.unmasked["todo"],
        "actions_doing_now": figures.unmasked["doing"],
        "actions_done_now": figures.totals["actions_done"],
        "actions_dropped_now": figures.unmasked["dropped"],
        "facilitators": figures.facilitators_count,
        "feedback_responses": figures.feedback.responses,
        **{f"usefulness_{n}": figures.unmasked[f"usefulness_{n}"] for n in range(1, 6)},
    }


@pytest.mark.parametrize("period", PERIODS)
def test_each_groups_line_is_its_own_bilan_and_the_total_adds_them_up(db, now, period):
    community = community_with_history(now)
    data = community_figures(community, period, now=now)
    assert [line.group.name for line in data.groups] == [
        "Data",
        "Design ops",
        "Nouveau",
        "Pairs produit",
    ]
    for line in data.groups:
        own = own_bilan(line.group, period, now)
        assert line.counts == own, line.group.name
        # What the group's Bilan shows, the community's shows too when it is not hidden.
        shown = {c: n for c, n in line.shown.items() if n is not None}
        assert shown == {c: own[c] for c in shown}
        statuses = dict(group_figures(line.group, period, now=now).actions_by_status)
        for column, status in zip(
            STATUS_COLUMNS, ("todo", "doing", "done", "dropped"), strict=True
        ):
            assert statuses[status] in (None, own[column])
        if period == "last":
            assert line.since == group_figures(line.group, "last", now=now).since
    for column in COLUMNS:
        if column != "facilitators":
            assert data.total.counts[column] == sum(line.counts[column] for line in data.groups)


def test_the_built_history_in_figures(db, now):
    """The history's numbers, so that the comparison above compares something."""
    community = community_with_history(now)
    data = community_figures(community, "all", now=now)
    lines = {line.group.name: line.counts for line in data.groups}
    pick = (
        "sessions",
        "subjects_proposed",
        "subjects_handled",
        "present",
        "seats",
        "actions_planned",
        "actions_reported",
        "actions_done_now",
        "feedback_responses",
    )
    assert {name: [c[k] for k in pick] for name, c in lines.items()} == {
        "Pairs produit": [3, 12, 5, 14, 21, 4, 3, 1, 14],
        "Design ops": [1, 3, 1, 3, 7, 2, 0, 0, 3],
        "Data": [2, 7, 2, 7, 10, 1, 0, 0, 4],
        "Nouveau": [0] * 9,
    }
    # Lucie and Juliette drove in Pairs produit, Denis in Design ops, Hugo in Data.
    drove = [lines[name]["facilitators"] for name in ("Pairs produit", "Design ops", "Data")]
    assert drove == [2, 1, 1]
    assert data.total.counts["facilitators"] == 4
    assert data.total.counts["sessions"] == 6
    closed = next(line for line in data.groups if line.group.name == "Data")
    assert closed.group.is_closed and closed.counts["sessions"] == 2  # still counted
    assert [
        line.counts["sessions"] for line in community_figures(community, "12m", now=now).groups
    ] == [1, 1, 0, 3]


def test_a_person_who_drove_in_two_groups_counts_once_in_the_total(db, now):
    community = Community.objects.create(name="C")
    one, lucie, members = new_group(community, "Un", people=["Lucie", "Ada", "Bo", "Cy"])
    two, _other, others = new_group(community, "Deux", people=["Rui", "Dan", "Eli", "Fay"])
    two.memberships.create(user=lucie, role="facilitator")
    held(one, lucie, members, now, 5)
    held(two, lucie, others, now, 4)
    data = community_figures(community, "all", now=now)
    assert [line.counts["facilitators"] for line in data.groups] == [1, 1]
    assert data.total.counts["facilitators"] == 1


def test_a_community_without_groups_has_every_count_at_zero(db, now, django_assert_num_queries):
    community = Community.objects.create(name="Vide")
    with django_assert_num_queries(1):
        data = community_figures(community, "12m", now=now)
    assert data.groups == () and data.total.counts == dict.fromkeys(COLUMNS, 0)
    assert data.since == now - timedelta(days=365)
    assert figures_of_groups([], "all", now=now) == {}
    with pytest.raises(ValueError):
        community_figures(community, "week", now=now)


# --- Cost ------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_number_of_groups(
    db, now, django_assert_num_queries
):
    assert COMMUNITY_QUERIES == 1 + GROUP_QUERIES == 8
    community = Community.objects.create(name="C")
    for i in range(5):
        group, driver, members = new_group(
            community, f"G{i}", people=[f"D{i}", f"M{i}a", f"M{i}b", f"M{i}c"]
        )
        held(group, driver, members, now, 20 + i, handling=1, actions=(f"X-{i}",), scores=(4, 4, 5))
        if i == 0:
            with django_assert_num_queries(COMMUNITY_QUERIES):
                one = community_figures(community, "all", now=now)
            assert one.total.counts["sessions"] == 1
    for period in PERIODS:
        with django_assert_num_queries(COMMUNITY_QUERIES):
            five = community_figures(community, period, now=now)
        assert len(five.groups) == 5
    assert five.total.counts["sessions"] == 5


# --- Small counts ----------------------------------------------------------------------------


def given(values: dict[str, list[int]]):
    """A table of counts: column → one count per group; the totals added up."""
    groups = len(next(iter(values.values())))
    counts: dict[tuple[int | None, str], int] = {}
    for column, numbers in values.items():
        counts.update({(i, column): n for i, n in enumerate(numbers)})
        counts[(None, column)] = sum(numbers)
    return counts, list(range(groups)) + [None]


def test_a_small_count_alone_in_a_column_hides_another_so_that_the_total_gives_neither():
    counts, keys = given({"sessions": [1, 10, 0]})
    sums = [(parts, total) for parts, total in relations(keys) if total[1] == "sessions"]
    assert suppress(counts, sums) == {(0, "sessions"), (1, "sessions")}
    # Two small counts: the total would still pin them (1 + 1 = 2): a third one goes too.
    counts, keys = given({"sessions": [1, 1, 10]})
    sums = [(parts, total) for parts, total in relations(keys) if total[1] == "sessions"]
    assert suppress(counts, sums) == {(0, "sessions"), (1, "sessions"), (2, "sessions")}
    # A small total is hidden itself.
    counts, keys = given({"sessions": [2, 0]})
    sums = [(parts, total) for parts, total in relations(keys) if total[1] == "sessions"]
    assert suppress(counts, sums) == {(0, "sessions"), (None, "sessions")}
    # Nothing small, nothing hidden.
    counts, keys = given({"sessions": [3, 0, 7]})
    sums = [(parts, total) for parts, total in relations(keys) if total[1] == "sessions"]
    assert suppress(counts, sums) == set()


def worked_back(counts, hidden, sums) -> list:
    """The hidden counts a reader could find from what is shown, by one sum."""
    found = []
    for parts, total in sums:
        unknown = [cell for cell in (*parts, total) if cell in hidden]
        gone = [p for p in parts if p in hidden]
        if len(unknown) == 1 and counts[unknown[0]]:
            found.append(unknown[0])
        elif total not in hidden and gone and all(counts[p] < SMALL for p in gone):
            found.extend(gone)
    return found


def test_no_hidden_count_can_be_worked_back_from_a_sum_on_random_tables():
    rng = random.Random(27)
    for _round in range(300):
        groups = rng.randint(1, 5)
        values = {
            column: [rng.choice((0, 0, 1, 2, 3, 4, 9)) for _g in range(groups)]
            for column in COLUMNS
        }
        for i in range(groups):  # each line's parts add up to its total
            values["actions_planned"][i] = sum(values[c][i] for c in STATUS_COLUMNS)
            values["feedback_responses"][i] = sum(values[c][i] for c in SCORE_COLUMNS)
        counts, keys = given(values)
        sums = relations(keys)
        hidden = suppress(counts, sums)
        assert all(not 0 < n < SMALL for cell, n in counts.items() if cell not in hidden)
        assert worked_back(counts, hidden, sums) == []


def test_no_row_the_community_figures_read_holds_a_name_a_keyword_or_a_sentence(db, now):
    """Not even the feedback sentences shared with a group: they stay in it."""
    community = Community.objects.create(name="C")
    group, driver, members = new_group(community, "G", people=["Lucie", "Ada", "Bo", "Cy"])
    held(
        group,
        driver,
        members,
        now,
        5,
        handling=1,
        actions=("ACTION-X",),
        scores=(4, 4, 4),
        keeps="PARTAGE-AU-GROUPE",
        title="TITRE-X",
    )
    assert group_figures(group, "all", now=now).feedback.shared  # the group's own Bilan has it
    with CaptureQueriesContext(connection) as queries:
        community_figures(community, "all", now=now)
    read = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(query["sql"])  # the same query again, to see what it fetched
            read.append(repr(cursor.fetchall()))
    for said in ("PARTAGE-AU-GROUPE", "MOT-", "DIT-", "ACTION-X", "TITRE-X", "Lucie", "Ada"):
        assert said not in "".join(read), said
