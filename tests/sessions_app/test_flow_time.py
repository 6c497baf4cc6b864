"""Time boxes, "+2 min" and the planner: rules on plain State objects, time passed in."""

import random
import time
from dataclasses import replace

import pytest

from sessions_app.flow import FlowError, State, Subject, phase_box, phase_due, plan, step

from .test_flow import FAC, A, B, C, D, at_subject, do, pass_round, refused, started

MIN = 60.0


# --- "+2 min" -----------------------------------------------------------------------------


def test_two_more_minutes_lengthen_the_current_phase_box():
    state = at_subject(A, B, C)  # the exposé began at 2000, a 10-minute box
    assert phase_box(state) == 10
    assert phase_due(state) == 2000 + 10 * MIN
    state = do(state, "extend", now=2000 + 5 * MIN)
    assert phase_box(state) == 12
    assert phase_due(state) == 2000 + 12 * MIN
    state = do(state, "extend", now=2000 + 6 * MIN, minutes=5)
    assert phase_box(state) == 17


def test_two_more_minutes_on_a_phase_over_its_box_count_from_now():
    state = at_subject(A, B, C)
    late = 2000 + 13 * MIN  # three minutes over the exposé's 10
    state = do(state, "extend", now=late)
    assert phase_due(state) == pytest.approx(late + 2 * MIN)
    assert phase_box(state) == pytest.approx(15)


def test_the_extra_time_is_the_phases_own():
    state = do(at_subject(A, B, C), "extend", now=2100.0)
    state = do(state, "done", A, now=2200.0)  # exposé over: clarification begins
    assert state.current_phase.key == "clarification"
    assert state.phase_extra == 0 and phase_box(state) == 15
    state = do(state, "extend", now=2300.0)
    state = do(state, "next_phase", now=2400.0)
    state = do(state, "extend", now=2500.0)
    state = do(state, "next_phase", now=2600.0)  # réaction → panier
    state = do(state, "extend", now=2700.0)
    state = do(state, "done", A, now=2800.0)  # the subject is handled: back to the order
    assert state.stage == "order" and state.phase_extra == 0
    assert phase_box(state) is None


def test_only_the_facilitator_gives_more_time():
    state = at_subject(A, B, C)
    refused("facilitator_only", state, "extend", A)
    refused("facilitator_only", state, "extend", B)


def test_more_time_only_within_a_subjects_phase():
    state = started(A, B)
    refused("wrong_phase", state, "extend")  # the keyword round
    state = pass_round(state)  # a whole round passes: the order of subjects
    assert state.stage == "order"
    refused("wrong_phase", state, "extend")


@pytest.mark.parametrize("minutes", [0, -2, 31, "2", 2.5, True, None])
def test_more_time_takes_a_sensible_number_of_minutes(minutes):
    refused("bad_input", at_subject(A, B, C), "extend", minutes=minutes)


def test_undo_takes_the_extra_time_back():
    before = at_subject(A, B, C)
    state = do(before, "extend", now=2100.0)
    state = step(
        state, {"type": "undo", "previous": before.to_dict()}, actor=FAC, facilitator=True,
        now=2200.0,
    )
    assert phase_box(state) == 10


def test_the_extra_time_survives_storage():
    state = do(at_subject(A, B, C), "extend", now=2000 + 13.5 * MIN)
    assert State.from_dict(state.to_dict()) == state
    assert State.from_dict({k: v for k, v in state.to_dict().items() if k != "phase_extra"})


# --- The planner --------------------------------------------------------------------------


def waiting(people, *, present=None, urgent=(), format="intervision"):
    """The order of subjects: one subject per person, arrival in the order given."""
    subjects = tuple(
        Subject(id=10 + i, owner=p, keyword=f"sujet {p}", arrival=i, urgent=p in urgent)
        for i, p in enumerate(people)
    )
    seated = tuple(present if present is not None else people)
    return State(
        format=format, stage="order", seating=tuple(people), subjects=subjects,
        absent=tuple(p for p in people if p not in seated), started_at=0.0,
    )


def statuses(result):
    return [(p.subject.owner, p.status) for p in result.subjects]


def test_five_subjects_of_55_minutes_in_120_minutes_two_fit_tonight():
    state = waiting([A, B, C, D, 5])
    result = plan(state, now=0.0, ends_at=120 * MIN)
    assert result.per_subject == 10 + 15 + 20 + 10
    assert result.left == 120
    assert statuses(result) == [
        (A, "fits"), (B, "fits"), (C, "waits"), (D, "waits"), (5, "waits")
    ]


def test_the_codev_format_takes_its_own_boxes():
    result = plan(waiting([A, B], format="codev"), now=0.0, ends_at=120 * MIN)
    assert result.per_subject == 10 + 15 + 5 + 25 + 10 + 10
    assert statuses(result) == [(A, "fits"), (B, "waits")]


def test_exactly_enough_time_fits():
    state = waiting([A, B])
    assert statuses(plan(state, 0.0, 110 * MIN)) == [(A, "fits"), (B, "fits")]
    assert statuses(plan(state, 1.0, 110 * MIN)) == [(A, "fits"), (B, "waits")]


def test_urgent_subjects_are_planned_first():
    state = waiting([A, B, C], urgent=(C,))
    assert statuses(plan(state, 0.0, 60 * MIN)) == [(C, "fits"), (A, "waits"), (B, "waits")]


def test_an_absent_owners_subject_waits_and_takes_no_time():
    state = waiting([A, B, C], present=(A, C))
    assert statuses(plan(state, 0.0, 110 * MIN)) == [(A, "fits"), (B, "away"), (C, "fits")]


def test_no_time_left_nothing_fits():
    state = waiting([A, B])
    result = plan(state, now=200 * MIN, ends_at=120 * MIN)
    assert result.left == 0
    assert statuses(result) == [(A, "waits"), (B, "waits")]


def test_a_fitting_subject_says_until_when_it_fits():
    state = waiting([A, B, C])
    result = plan(state, now=0.0, ends_at=120 * MIN)
    first, second, third = result.subjects
    assert first.until == 65 * MIN  # 55 minutes still needed: fits until 65 min
    assert second.until == 10 * MIN
    assert third.until is None
    # Re-planned at those moments, they tip over exactly then.
    assert statuses(plan(state, 10 * MIN, 120 * MIN))[1] == (B, "fits")
    assert statuses(plan(state, 10 * MIN + 1, 120 * MIN))[1] == (B, "waits")
    assert statuses(plan(state, 65 * MIN + 1, 120 * MIN))[0] == (A, "waits")


def test_the_subject_in_progress_first_needs_the_rest_of_its_boxes():
    # A's subject began at 2000; 4 minutes into its 10-minute exposé, then 45 more minutes.
    state = at_subject(A, B, C)
    now = 2000 + 4 * MIN
    result = plan(state, now=now, ends_at=now + 100 * MIN)
    assert result.current_left == pytest.approx(6 + 15 + 20 + 10)
    assert [p.subject.owner for p in result.subjects] == [B, C]
    # 100 minutes left: 51 for A's subject, 49 are not enough for another 55.
    assert statuses(result) == [(B, "waits"), (C, "waits")]
    assert statuses(plan(state, now, now + 106 * MIN)) == [(B, "fits"), (C, "waits")]


def test_a_phase_over_its_box_pushes_the_plan_back_as_time_passes():
    state = at_subject(A, B, C)
    ends = 2000 + 112 * MIN  # A's subject 55 minutes from 2000, then B's 55: 2 to spare
    # Within its box, the exposé's pace does not matter: B fits all along.
    assert statuses(plan(state, 2000 + 9 * MIN, ends))[0] == (B, "fits")
    until = plan(state, 2000.0, ends).subjects[0].until
    assert until == pytest.approx(2000 + 12 * MIN)  # the exposé may run 2 minutes over
    assert statuses(plan(state, 2000 + 12 * MIN, ends))[0] == (B, "fits")
    assert statuses(plan(state, 2000 + 12 * MIN + 1, ends))[0] == (B, "waits")


def test_more_time_for_the_phase_is_planned_for():
    state = at_subject(A, B, C)
    ends = 2000 + 110 * MIN
    assert statuses(plan(state, 2000.0, ends))[0] == (B, "fits")
    longer = do(state, "extend", now=2000.0, minutes=5)
    assert statuses(plan(longer, 2000.0, ends))[0] == (B, "waits")


def test_handled_and_withdrawn_subjects_are_not_planned():
    state = waiting([A, B, C])
    state = replace(state, subjects=(
        replace(state.subjects[0], status="handled"),
        replace(state.subjects[1], status="withdrawn"),
        state.subjects[2],
    ))
    assert statuses(plan(state, 0.0, 60 * MIN)) == [(C, "fits")]


def test_the_planner_is_pure(monkeypatch):
    """plan() reads its arguments and nothing else: no clock, no randomness, nothing kept
    from one call to the next; and its answer follows the time it is given."""
    state = at_subject(A, B, C)  # A's exposé began at 2000 (a 10-minute box); B and C wait
    twin = at_subject(A, B, C)  # equal, built apart
    assert twin == state and twin is not state

    def no_clock(*args):
        raise AssertionError("the planner read a clock or drew a random number")

    for name in ("time", "monotonic", "perf_counter", "time_ns", "monotonic_ns"):
        monkeypatch.setattr(time, name, no_clock)
    monkeypatch.setattr(random, "random", no_clock)
    monkeypatch.setattr(random, "shuffle", no_clock)

    now, ends = 2000 + 5 * MIN, 2000 + 120 * MIN
    first = plan(state, now, ends)
    assert statuses(first) == [(B, "fits"), (C, "waits")]
    assert first.current_left == 50  # the exposé's 5 minutes left, then 15 + 20 + 10
    plan(waiting([D]), 0.0, 10 * MIN)  # another call in between changes nothing
    assert plan(twin, now, ends) == first
    assert state == twin  # the state it was given is untouched
    # Its answer follows ``now`` and ``ends_at``, and only them.
    assert plan(state, now + MIN, ends).current_left == 49
    assert statuses(plan(state, now, ends - 20 * MIN)) == [(B, "waits"), (C, "waits")]
    # And it is no step: "+2 min" outside a subject is refused, as any step out of place.
    with pytest.raises(FlowError):
        do(waiting([A, B]), "extend")
