"""What a click costs the database: a fixed, small number of queries per command.

A command locks the session's row with the query that also checks membership, lets the
rules decide, inserts its event (whose unique index on the command id answers a retry:
no lookup first) and saves the row. The group's roster (who drives, names) is held beside
the session and read again only once it changed.
"""

import pytest

from sessions_app import live
from sessions_app.models import Session


def in_keyword_round(session, facilitator, participants):
    """The session in its first round (the keyword round of triage), everyone seated."""
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    return Session.objects.get(pk=session.pk)


def speaker(session):
    state = Session.objects.get(pk=session.pk).flow_state()
    return state.speaker


@pytest.mark.parametrize(
    ("command", "queries"),
    [
        # lock + membership, event insert, row update (and the test's savepoint around
        # them: in production the transaction's BEGIN and COMMIT, not counted)
        ({"type": "pass"}, 5),
        ({"type": "skip"}, 5),
        # ... and the subject's row (a proposal's new subject)
        ({"type": "propose", "keyword": "Un sujet"}, 6),
    ],
)
def test_a_click_in_a_round_costs_a_fixed_number_of_queries(
    session, facilitator, participants, django_assert_num_queries, command, queries
):
    in_keyword_round(session, facilitator, participants)
    live.apply(session.pk, facilitator, {"type": "skip"}, None, "warm-up-0001")  # roster held
    person = speaker(session)
    actor = next(p for p in participants if p.pk == person)
    if command["type"] == "skip":
        actor = facilitator
    with django_assert_num_queries(queries):
        live.apply(session.pk, actor, command, None, "click-00000001")


def test_next_phase_speak_and_undo_cost_a_fixed_number_of_queries(
    session, facilitator, participants, django_assert_num_queries
):
    in_keyword_round(session, facilitator, participants)
    live.apply(session.pk, participants[0], {"type": "propose", "keyword": "Sujet"}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    # The phase changes: savepoint, lock + membership, event insert, row update, release.
    with django_assert_num_queries(5):
        live.apply(session.pk, facilitator, {"type": "next_phase"}, None, "next-phase-0001")
    # A question in the clarification round.
    person = speaker(session)
    actor = next(p for p in participants if p.pk == person)
    with django_assert_num_queries(5):
        live.apply(session.pk, actor, {"type": "speak", "text": "Et alors ?"}, None, "speak-0001")
    # Undo reads the last event, marks it undone: two more.
    with django_assert_num_queries(7):
        live.apply(session.pk, facilitator, {"type": "undo"}, None, "undo-00000001")
