"""Leaving the table (« unseat »): the person who facilitates stops taking part, at any stage.

Unlike « absent », she is no longer at the table at all: not in the seating, not counted
absent, skipped in a round that counted her, left out of the next ones."""

from sessions_app.flow import FACILITATOR_ONLY
from tests.sessions_app.test_flow import FAC, A, B, C, at_subject, do, refused, seated, started


def test_only_the_facilitator_takes_someone_off_the_table():
    assert "unseat" in FACILITATOR_ONLY
    refused("facilitator_only", seated(A, B), "unseat", A, person=B)


def test_in_the_lobby_she_leaves_the_seating_and_is_not_counted_absent():
    state = do(seated(A, B, C), "set_absent", person=B)
    state = do(state, "unseat", person=B)
    assert state.seating == (A, C)
    assert state.absent == ()
    assert B not in state.present


def test_someone_not_at_the_table_cannot_leave_it():
    refused("bad_person", seated(A, B), "unseat", person=C)


def test_whose_turn_it_is_leaves_and_the_turn_moves_on_without_counting_her_absent():
    state = started(A, B, C)
    assert state.speaker == A
    state = do(state, "unseat", person=A)
    assert state.speaker == B
    assert state.seating == (B, C) and state.absent == ()
    assert state.round == 1  # the same round goes on


def test_later_in_the_round_she_is_skipped_and_left_out_of_the_next_round():
    state = started(A, B, C)
    state = do(state, "unseat", person=B)
    assert state.next_speaker == C, "never announced next once she left"
    state = do(state, "pass", A)
    assert state.speaker == C
    state = do(state, "propose", C, keyword="budget", subject_id=9, arrival=9)
    assert state.round == 2 and state.queue == (A, C)


def test_the_last_of_a_round_leaving_ends_it():
    state = started(A, B)
    state = do(state, "pass", A)
    state = do(state, "unseat", person=B)
    assert state.stage == "order"  # everyone still at the table passed


def test_the_owner_of_the_subject_in_progress_cannot_leave_the_table():
    state = at_subject(A, B, C)
    refused("subject_in_progress", state, "unseat", person=state.current_subject.owner)


def test_she_may_come_back_with_join():
    state = do(seated(A, B), "unseat", person=B)
    state = do(state, "join", FAC, person=B)
    assert state.seating == (A, B)
