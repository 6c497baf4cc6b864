"""The rules of a session, on plain State objects: no database, no clock."""

from dataclasses import replace

import pytest

from sessions_app.flow import (
    ACTION_MAX,
    FACILITATOR_ONLY,
    KEYWORD_MAX,
    FlowError,
    State,
    Subject,
    new_state,
    step,
)

FAC = 100  # the facilitator, not seated
A, B, C, D, E = 1, 2, 3, 4, 5


def do(state, kind, actor=FAC, *, now=0.0, **fields):
    """Apply one command; the facilitator is FAC."""
    return step(state, {"type": kind, **fields}, actor=actor, facilitator=actor == FAC, now=now)


def refused(code, state, kind, actor=FAC, **fields):
    with pytest.raises(FlowError) as info:
        do(state, kind, actor, **fields)
    assert info.value.code == code
    return info.value


def seated(*people, format="intervision", backlog=()):
    state = new_state(format, backlog)
    for person in people:
        state = do(state, "join", person)
    return state


def started(*people, **kwargs):
    return do(seated(*people, **kwargs), "start", now=1000.0)


def propose(state, keyword, actor=None):
    actor = state.speaker if actor is None else actor
    sid = 1000 + len(state.subjects)
    return do(state, "propose", actor, keyword=keyword, subject_id=sid, arrival=sid)


def pass_round(state):
    """Everyone whose turn it is in the current round passes, on their own device."""
    start = (state.stage, state.phase, state.round, state.current)
    while state.in_round and (state.stage, state.phase, state.round, state.current) == start:
        state = do(state, "pass", state.speaker)
    return state


def at_subject(*people, keywords=None, format="intervision"):
    """Triage where each person proposes their keyword, then the first subject begins."""
    state = started(*people, format=format)
    for person in people:
        state = propose(state, (keywords or {}).get(person, f"sujet de {person}"))
    state = do(state, "close_triage")
    return do(state, "begin_subject", now=2000.0)


def speakers(state):
    return [t.person for t in state.turns]


# --- Lobby -------------------------------------------------------------------------------


def test_people_take_their_seat_in_arrival_order():
    state = seated(C, A, B)
    assert state.seating == (C, A, B)
    assert state.stage == "lobby"


def test_joining_twice_is_refused():
    refused("already_seated", seated(A), "join", A)


def test_facilitator_seats_someone_for_them():
    state = do(seated(A), "join", person=B)
    assert state.seating == (A, B)


def test_participant_cannot_seat_someone_else():
    state = do(seated(A), "join", C, person=B)
    assert state.seating == (A, C)


def test_facilitator_reorders_the_table():
    state = do(seated(A, B, C), "seat", order=[C, A, B])
    assert state.seating == (C, A, B)


@pytest.mark.parametrize(
    "order",
    [[A, B], [A, B, C, D], [A, A, B], [A, B, "3"], [A, B, True], "ABC", None, [A, B, [C]]],
)
def test_seating_order_must_be_the_same_people(order):
    refused("bad_seating", seated(A, B, C), "seat", order=order)


def test_start_needs_someone_at_the_table():
    refused("nobody_seated", new_state("intervision"), "start")
    state = do(seated(A), "set_absent", person=A)
    refused("nobody_seated", state, "start")


def test_start_opens_the_keyword_round_in_seating_order():
    state = started(B, A, C)
    assert state.stage == "triage"
    assert state.round == 1
    assert state.queue == (B, A, C)
    assert state.speaker == B
    assert state.next_speaker == A
    assert state.started_at == 1000.0


def test_start_twice_is_refused():
    refused("already_started", started(A), "start")


def test_unknown_format_is_refused():
    with pytest.raises(FlowError) as info:
        new_state("improvisation")
    assert info.value.code == "unknown_format"


# --- Keyword round (triage) -----------------------------------------------------------------


def test_proposing_records_one_subject_and_passes_the_turn():
    state = propose(started(A, B, C), "équilibre")
    (subject,) = state.subjects
    assert (subject.owner, subject.keyword, subject.status) == (A, "équilibre", "open")
    assert state.speaker == B
    assert [(t.person, t.action) for t in state.turns] == [(A, "spoke")]


def test_one_keyword_per_turn():
    state = propose(started(A, B), "équilibre")
    refused("not_your_turn", state, "propose", A, keyword="deuxième", subject_id=9, arrival=9)


@pytest.mark.parametrize("keyword", ["", "   ", "\n\t", None])
def test_keyword_is_required(keyword):
    refused("text_required", started(A, B), "propose", A, keyword=keyword, subject_id=9, arrival=9)


def test_keyword_longer_than_the_limit_is_refused():
    state = started(A, B)
    error = refused(
        "text_too_long",
        state,
        "propose",
        A,
        keyword="x" * (KEYWORD_MAX + 1),
        subject_id=9,
        arrival=9,
    )
    assert error.params == {"limit": KEYWORD_MAX}
    assert propose(state, "x" * KEYWORD_MAX).subjects[0].keyword == "x" * KEYWORD_MAX


def test_keyword_spaces_are_collapsed():
    state = propose(started(A), "  charge   mentale \n")
    assert state.subjects[0].keyword == "charge mentale"


def test_speaking_in_the_keyword_round_asks_for_a_keyword():
    refused("keyword_required", started(A, B), "speak", A)


def test_keyword_rounds_repeat_while_someone_proposes():
    state = started(A, B)
    state = propose(state, "un")
    state = do(state, "pass", B)
    assert state.stage == "triage"
    assert state.round == 2
    assert state.speaker == A


def test_keyword_round_ends_when_a_whole_round_passes():
    state = started(A, B, C)
    state = propose(state, "un")
    state = do(do(state, "pass", B), "pass", C)
    assert state.round == 2
    state = pass_round(state)
    assert state.stage == "order"
    assert state.round == 0
    assert [s.keyword for s in state.open_subjects] == ["un"]


def test_facilitator_closes_the_keyword_round():
    state = propose(started(A, B, C), "un")
    state = do(state, "close_triage")
    assert state.stage == "order"
    assert state.speaker is None


def test_facilitator_proposes_for_the_person_whose_turn_it_is():
    state = propose(started(A, B), "un", actor=FAC)
    assert state.subjects[0].owner == A
    assert state.speaker == B


def test_a_subject_id_cannot_be_reused():
    state = propose(started(A, B), "un")
    sid = state.subjects[0].id
    refused("bad_subject", state, "propose", B, keyword="deux", subject_id=sid, arrival=sid)


def test_passing_out_of_turn_is_refused():
    refused("not_your_turn", started(A, B), "pass", B)


def test_passing_when_no_round_runs_is_refused():
    state = do(propose(started(A), "un"), "close_triage")
    refused("no_turn", state, "pass", A)


# --- Backlog and order ----------------------------------------------------------------------


def carried():
    return [
        Subject(id=7, owner=B, keyword="ancien B", arrival=7, urgent=True),
        Subject(id=3, owner=A, keyword="ancien A", arrival=3),
    ]


def test_carried_subjects_come_first_in_arrival_order():
    state = started(A, B, backlog=carried())
    state = propose(propose(state, "nouveau A"), "nouveau B")
    order = [s.keyword for s in state.open_subjects]
    assert order == ["ancien A", "ancien B", "nouveau A", "nouveau B"]
    assert [s.carried for s in state.open_subjects] == [True, True, False, False]


def test_urgency_of_an_earlier_session_does_not_carry_over():
    state = new_state("intervision", carried())
    assert not any(s.urgent for s in state.subjects)


def test_urgent_subjects_first_then_arrival():
    state = started(A, B, C, backlog=carried())
    for _ in range(3):
        state = propose(state, f"n{len(state.subjects)}")
    state = do(state, "close_triage")
    ids = {s.keyword: s.id for s in state.subjects}
    state = do(state, "set_urgent", subject=ids["n4"])
    state = do(state, "set_urgent", subject=ids["n2"])
    assert [s.keyword for s in state.open_subjects] == ["n2", "n4", "ancien A", "ancien B", "n3"]
    state = do(state, "set_urgent", subject=ids["n2"], urgent=False)
    assert [s.keyword for s in state.open_subjects] == ["n4", "ancien A", "ancien B", "n2", "n3"]


def test_only_the_facilitator_marks_urgent():
    state = do(propose(started(A, B), "un"), "close_triage")
    refused("facilitator_only", state, "set_urgent", A, subject=state.subjects[0].id)


def test_owner_withdraws_their_subject():
    state = started(A, B, backlog=carried())
    state = do(state, "withdraw", A, subject=3)
    assert state.subject(3).status == "withdrawn"
    assert [s.id for s in state.open_subjects] == [7]


def test_facilitator_withdraws_any_subject():
    state = do(started(A, B, backlog=carried()), "withdraw", subject=7)
    assert state.subject(7).status == "withdrawn"


def test_someone_else_cannot_withdraw_a_subject():
    refused("not_your_subject", started(A, B, backlog=carried()), "withdraw", A, subject=7)


def test_withdrawn_subject_cannot_be_withdrawn_again_or_begun():
    state = do(started(A, B, backlog=carried()), "withdraw", subject=7)
    refused("subject_closed", state, "withdraw", subject=7)
    refused("subject_closed", do(state, "close_triage"), "begin_subject", subject=7)


def test_unknown_subject_is_refused():
    state = started(A, B, backlog=carried())
    refused("unknown_subject", state, "withdraw", subject=999)
    refused("unknown_subject", state, "withdraw", subject="3")
    refused("unknown_subject", state, "set_urgent", subject=None)


def test_begin_subject_takes_the_first_in_order():
    state = do(started(A, B, backlog=carried()), "close_triage")
    state = do(state, "set_urgent", subject=7)
    state = do(state, "begin_subject")
    assert state.current == 7
    assert state.stage == "subject"


def test_facilitator_may_pick_any_open_subject():
    state = do(started(A, B, backlog=carried()), "close_triage")
    state = do(state, "begin_subject", subject=7)
    assert state.current_subject.keyword == "ancien B"


def test_no_subject_left_to_begin():
    state = do(started(A, B), "close_triage")
    refused("no_subject_left", state, "begin_subject")


def test_subject_in_progress_cannot_be_withdrawn_or_marked():
    state = at_subject(A, B)
    refused("subject_in_progress", state, "withdraw", A, subject=state.current)
    refused("subject_in_progress", state, "set_urgent", subject=state.current)


def test_a_subject_cannot_begin_while_another_runs():
    refused("not_in_order", at_subject(A, B), "begin_subject")


# --- Intervision ----------------------------------------------------------------------------


def test_expose_is_the_owners_speech():
    state = at_subject(A, B, C)
    assert state.current_phase.key == "expose"
    assert state.speaker == A
    assert not state.in_round
    assert state.phase_started_at == 2000.0
    refused("owner_only", state, "done", B)
    refused("no_turn", state, "pass", A)


def test_owner_ends_the_expose_and_clarification_starts_after_them():
    state = do(at_subject(A, B, C, D), "done", A)
    assert state.current_phase.key == "clarification"
    assert state.queue == (B, C, D)


def test_clarification_goes_round_the_table_from_the_person_after_the_owner():
    state = do(started(A, B, C, D), "pass", A)
    state = do(propose(state, "de B"), "close_triage")
    state = do(state, "begin_subject")
    assert state.current_subject.owner == B
    state = do(state, "done", B)
    assert state.queue == (C, D, A)


def test_clarification_rounds_repeat_until_a_whole_round_passes():
    state = do(at_subject(A, B, C), "done", A)
    state = do(state, "speak", B, text="Depuis quand ?")
    state = do(state, "pass", C)
    assert (state.current_phase.key, state.round) == ("clarification", 2)
    state = do(state, "speak", B, text="Et avec qui ?")
    state = do(state, "pass", C)
    assert state.round == 3
    state = pass_round(state)
    assert state.current_phase.key == "reaction"
    assert state.round == 1


def test_facilitator_ends_the_clarification():
    state = do(do(at_subject(A, B, C), "done", A), "speak", B)
    state = do(state, "next_phase")
    assert state.current_phase.key == "reaction"


def test_only_the_facilitator_ends_a_phase():
    refused("facilitator_only", do(at_subject(A, B), "done", A), "next_phase", B)


def test_reaction_is_one_round_without_the_owner():
    state = pass_round(do(at_subject(A, B, C), "done", A))
    assert state.current_phase.key == "reaction"
    assert state.queue == (B, C)
    state = do(do(state, "speak", B, text="Pareil chez moi"), "speak", C)
    assert state.current_phase.key == "panier"
    assert state.speaker == A


def test_contributions_record_who_phase_round_kind_and_text():
    state = do(at_subject(A, B, C), "done", A)
    state = do(state, "speak", B, text="  Depuis   quand ? ")
    state = do(state, "pass", C)
    state = pass_round(state)
    state = do(do(state, "speak", B, text="Essaie X"), "pass", C)
    got = [(c.person, c.phase, c.round, c.kind, c.text) for c in state.contributions]
    assert got == [
        (B, "clarification", 1, "question", "Depuis quand ?"),
        (C, "clarification", 1, "pass", ""),
        (B, "clarification", 2, "pass", ""),
        (C, "clarification", 2, "pass", ""),
        (B, "reaction", 1, "reaction", "Essaie X"),
        (C, "reaction", 1, "pass", ""),
    ]
    assert [c.n for c in state.contributions] == [1, 2, 3, 4, 5, 6]


def test_facilitator_records_a_turn_for_the_speaker():
    state = do(do(at_subject(A, B, C), "done", A), "speak", FAC, text="noté par Lucie")
    assert state.contributions[0].person == B
    assert state.speaker == C


def at_panier():
    state = do(at_subject(A, B, C), "done", A)
    state = do(do(state, "speak", B, text="question"), "pass", C)
    state = pass_round(state)
    state = do(do(state, "speak", B, text="piste"), "pass", C)
    assert state.current_phase.key == "panier"
    return state


def test_owner_takes_a_contribution_with_a_note():
    state = at_panier()
    reaction = next(c for c in state.contributions if c.text == "piste")
    state = do(state, "take", A, n=reaction.n, note="à essayer lundi")
    taken = state.contributions[reaction.n - 1]
    assert (taken.taken, taken.note) == (True, "à essayer lundi")
    state = do(state, "take", A, n=reaction.n, taken=False, note="ignored")
    untaken = state.contributions[reaction.n - 1]
    assert (untaken.taken, untaken.note) == (False, "")


def test_panier_refuses_a_pass_an_unknown_or_a_forged_contribution():
    state = at_panier()
    a_pass = next(c for c in state.contributions if c.kind == "pass")
    for n in (a_pass.n, 999, "1", True, None):
        refused("unknown_contribution", state, "take", A, n=n)


def test_only_the_owner_or_the_facilitator_fills_the_panier():
    state = at_panier()
    refused("owner_only", state, "take", B, n=1)
    assert do(state, "take", FAC, n=1).contributions[0].taken


def test_take_outside_the_panier_is_refused():
    refused("wrong_phase", do(at_subject(A, B), "done", A), "take", A, n=1)


def test_end_of_panier_handles_the_subject_and_returns_to_the_order():
    state = do(at_panier(), "done", A)
    assert state.stage == "order"
    assert state.current is None
    subject = state.subject(state.handled[0])
    assert subject.owner == A and subject.status == "handled"
    assert [s.owner for s in state.open_subjects] == [B, C]
    # The contributions of the subject just handled stay for the last view of it.
    assert state.contributions


def test_the_owner_may_note_next_actions_at_the_panier_without_being_obliged_to():
    state = at_panier()
    refused("owner_only", state, "add_action", B, text="pas à moi")
    state = do(state, "add_action", A, text="Essayer dès lundi")
    state = do(state, "add_action", FAC, text="Relire la charte")
    state = do(state, "remove_action", A, index=1)
    assert [a.text for a in state.actions] == ["Essayer dès lundi"]
    assert do(at_panier(), "done", A).stage == "order"  # a plan is optional in intervision


def test_actions_cannot_be_written_before_the_panier():
    refused("wrong_phase", at_subject(A, B), "add_action", A, text="trop tôt")


def test_next_subject_starts_with_fresh_contributions():
    state = do(do(at_panier(), "done", A), "begin_subject")
    assert state.current_subject.owner == B
    assert state.contributions == () and state.actions == ()


# --- Codéveloppement ------------------------------------------------------------------------


def test_codev_runs_six_steps():
    state = at_subject(A, B, C, format="codev")
    keys = []
    while state.stage == "subject":
        keys.append(state.current_phase.key)
        phase = state.current_phase
        if phase.mode in ("round", "harvest"):
            state = pass_round(state) if phase.rounds is None else do(state, "speak", state.speaker)
        elif phase.mode == "contract":
            state = do(pass_round(state), "done", A, text="Aidez-moi à déléguer")
        elif phase.mode == "synthesis":
            state = do(do(state, "add_action", A, text="appeler Marc"), "done", A)
        else:
            state = do(state, "done", A)
    assert list(dict.fromkeys(keys)) == [
        "expose",
        "clarification",
        "contrat",
        "consultation",
        "synthese",
        "apprentissages",
    ]
    assert state.subject(state.handled[0]).status == "handled"
    assert [a.text for a in state.actions] == ["appeler Marc"]


def codev_at(key, *people):
    state = at_subject(*(people or (A, B, C)), format="codev")
    while state.current_phase.key != key:
        if state.current_phase.mode in ("round", "harvest", "contract"):
            state = do(state, "next_phase")
        elif state.current_phase.mode == "synthesis":
            state = do(do(state, "add_action", A, text="une action"), "done", A)
        else:
            state = do(state, "done", A)
    return state


def test_contrat_records_the_clients_request_after_the_consultants_reformulate():
    state = codev_at("contrat")
    # The consultants first say what they understood of the request, in one round.
    assert state.queue == (B, C) and state.speaker == B
    refused("round_in_progress", state, "done", A, text="trop tôt")
    state = do(state, "speak", B, text="Ce que j’ai compris : tu veux déléguer")
    assert state.contributions[-1].kind == "reformulation"
    state = do(state, "pass", C)
    # Then the client states the help they want: required, it is the phase's point.
    assert state.current_phase.key == "contrat" and state.speaker == A
    refused("text_required", state, "done", A)
    refused("owner_only", state, "done", B, text="pas à moi")
    state = do(state, "done", A, text="Des idées pour déléguer")
    assert state.request == "Des idées pour déléguer"
    request = state.contributions[-1]
    assert (request.person, request.phase, request.kind, request.text) == (
        A,
        "contrat",
        "request",
        "Des idées pour déléguer",
    )
    assert state.current_phase.key == "consultation"


def test_consultation_is_one_round_without_the_client():
    state = codev_at("consultation", A, B, C, D)
    assert state.queue == (B, C, D)
    state = do(do(do(state, "speak", B, text="idée"), "speak", C), "speak", D)
    assert state.current_phase.key == "synthese"
    assert [c.kind for c in state.contributions[-3:]] == ["suggestion"] * 3


def test_synthesis_needs_at_least_one_action():
    state = codev_at("synthese")
    assert state.speaker == A
    refused("action_required", state, "done", A)
    refused("action_required", state, "next_phase")
    state = do(state, "add_action", A, text="Parler à mon n+1")
    assert do(state, "done", A).current_phase.key == "apprentissages"


def test_action_plan_is_edited_by_the_client_or_the_facilitator():
    state = codev_at("synthese")
    refused("owner_only", state, "add_action", B, text="pas à moi")
    state = do(state, "add_action", A, text="un")
    state = do(state, "add_action", FAC, text="deux")
    state = do(state, "remove_action", A, index=0)
    assert [a.text for a in state.actions] == ["deux"]
    for index in (1, -1, "0", True, None):
        refused("unknown_action", state, "remove_action", A, index=index)


def test_action_text_is_required_and_bounded():
    state = codev_at("synthese")
    refused("text_required", state, "add_action", A, text="  ")
    refused("text_too_long", state, "add_action", A, text="x" * (ACTION_MAX + 1))
    for i in range(20):
        state = do(state, "add_action", A, text=f"action {i}")
    refused("too_many_actions", state, "add_action", A, text="une de trop")


def test_learnings_go_round_everyone_including_the_client_once():
    state = codev_at("apprentissages", A, B, C)
    assert state.queue == (B, C, A)
    state = do(do(do(state, "speak", B), "speak", C), "speak", A, text="j’apprends")
    assert state.stage == "order"
    assert state.contributions[-1].kind == "learning"


# --- Presence -------------------------------------------------------------------------------


def test_facilitator_skips_someone_absent():
    state = do(started(A, B, C), "skip")
    assert [(t.person, t.action) for t in state.turns] == [(A, "skipped")]
    assert state.speaker == B


def test_only_the_facilitator_skips():
    refused("facilitator_only", started(A, B), "skip", A)


def test_setting_the_speaker_absent_moves_the_turn_on():
    state = do(started(A, B, C), "set_absent", person=A)
    assert state.speaker == B
    assert state.turns[0].action == "skipped"


def test_someone_set_absent_mid_round_is_skipped_when_their_turn_comes():
    state = do(started(A, B, C), "set_absent", person=B)
    assert state.speaker == A
    state = propose(state, "un")
    assert state.speaker == C
    assert [(t.person, t.action) for t in state.turns] == [(A, "spoke"), (B, "skipped")]


def test_someone_absent_is_never_announced_as_next():
    state = started(A, B, C)
    assert state.next_speaker == B
    state = do(state, "set_absent", person=B)
    # B will be skipped: the person who really speaks after A is C.
    assert state.speaker == A and state.next_speaker == C
    state = do(state, "set_absent", person=C)
    assert state.next_speaker is None


def test_absent_people_are_left_out_of_the_next_round_until_back():
    state = propose(do(started(A, B, C), "set_absent", person=B), "un")
    state = do(state, "pass", C)
    assert state.round == 2 and state.queue == (A, C)
    state = do(state, "set_absent", person=B, absent=False)
    state = propose(state, "deux")
    state = do(state, "pass", C)
    assert state.queue == (A, B, C)


def test_a_round_whose_last_people_are_absent_ends_at_once():
    state = do(do(started(A, B, C), "set_absent", person=B), "set_absent", person=C)
    state = do(state, "pass", A)
    assert state.stage == "order"


def test_absent_owner_is_still_out_of_the_clarification():
    state = do(at_subject(A, B, C), "set_absent", person=A)
    state = do(state, "done", FAC)
    assert state.queue == (B, C)


def test_absent_person_set_absent_again_changes_nothing_but_the_version():
    state = do(seated(A, B), "set_absent", person=A)
    again = do(state, "set_absent", person=A)
    assert again.absent == (A,)
    assert again.version == state.version + 1


def test_set_absent_for_someone_not_at_the_table_is_refused():
    refused("bad_person", seated(A), "set_absent", person=B)
    refused("bad_person", seated(A), "set_absent", person="1")


def test_absent_flag_must_be_yes_or_no():
    refused("bad_input", seated(A), "set_absent", person=A, absent="no")


def test_absent_person_comes_back_by_joining():
    state = do(seated(A, B), "set_absent", person=A)
    state = do(state, "join", A)
    assert state.absent == () and state.seating == (A, B)


def test_late_joiner_takes_part_from_the_next_round():
    state = propose(started(A, B), "un")
    state = do(state, "join", C)
    assert state.seating == (A, B, C)
    assert state.queue == (A, B)
    state = do(state, "pass", B)
    assert state.queue == (A, B, C)


def test_late_joiner_is_in_the_next_phase_of_a_subject():
    state = do(at_subject(A, B), "join", C)
    state = do(state, "done", A)
    assert state.queue == (B, C)


# --- End of the session ---------------------------------------------------------------------


def test_end_of_session_leaves_open_subjects_open():
    state = at_subject(A, B, C)
    current = state.current
    state = do(state, "end", now=9000.0)
    assert state.stage == "ended" and state.ended_at == 9000.0
    assert state.subject(current).status == "open"
    assert {s.owner for s in state.open_subjects} == {A, B, C}
    assert state.handled == ()


def test_nothing_happens_after_the_end():
    state = do(started(A, B), "end")
    refused("session_ended", state, "pass", A)
    refused("session_ended", state, "join", C)
    refused("session_ended", state, "end")


def ended_in_clarification():
    """A's exposé done, B asked a question, then the facilitator ended the session: the
    state just before the end, and the ended one."""
    before = do(do(at_subject(A, B, C), "done", A, now=2300.0), "speak", B, text="Depuis quand ?")
    return before, do(before, "end", now=9000.0)


def test_undo_after_the_end_reopens_the_session_at_its_last_step():
    before, ended = ended_in_clarification()
    assert ended.stage == "ended" and ended.current is None
    previous = {**before.to_dict(), "version": ended.version}  # live.apply adds it
    reopened = do(ended, "undo", now=9100.0, previous=previous)
    assert reopened.version == ended.version + 1
    assert replace(reopened, version=before.version) == before  # exactly where it stopped
    assert reopened.stage == "subject" and reopened.current_phase.key == "clarification"
    assert reopened.ended_at is None and reopened.speaker == before.speaker
    # And the session goes on from there.
    going_on = do(reopened, "pass", reopened.speaker)
    assert going_on.speaker != reopened.speaker


def test_undo_after_the_end_is_the_facilitators_and_needs_a_step_to_go_back_to():
    before, ended = ended_in_clarification()
    previous = {**before.to_dict(), "version": ended.version}
    refused("facilitator_only", ended, "undo", B, previous=previous)
    refused("nothing_to_undo", ended, "undo")


# --- Who may do what; bad input -------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(FACILITATOR_ONLY))
def test_participants_cannot_use_facilitator_commands(kind):
    state = propose(started(A, B), "un")
    refused("facilitator_only", state, kind, B)


def test_not_your_turn_in_a_round():
    state = do(at_subject(A, B, C), "done", A)
    refused("not_your_turn", state, "speak", C)
    refused("not_your_turn", state, "pass", A)


@pytest.mark.parametrize(
    "command",
    [
        {"type": "dance"},
        {"type": ["pass"]},
        {"type": {"pass": 1}},
        {"type": None},
        {},
    ],
)
def test_unknown_or_forged_commands_are_refused(command):
    with pytest.raises(FlowError) as info:
        step(started(A, B), command, actor=A, facilitator=False, now=0)
    assert info.value.code == "unknown_command"


@pytest.mark.parametrize("command", [None, "pass", ["pass"], 42])
def test_a_command_that_is_not_a_mapping_is_refused(command):
    with pytest.raises(FlowError):
        step(started(A, B), command, actor=A, facilitator=False, now=0)


@pytest.mark.parametrize("keyword", [42, ["un"], {"k": "v"}, b"un"])
def test_keyword_of_the_wrong_type_is_refused(keyword):
    refused("bad_text", started(A), "propose", A, keyword=keyword, subject_id=9, arrival=9)


def test_huge_texts_are_refused():
    huge = "mot " * 250_000
    refused("text_too_long", started(A), "propose", A, keyword=huge, subject_id=9, arrival=9)
    state = do(at_subject(A, B), "done", A)
    refused("text_too_long", state, "speak", B, text=huge)


@pytest.mark.parametrize("person", ["2", 2.0, True, None, [2]])
def test_person_must_be_a_whole_number(person):
    refused("bad_person", seated(A, B), "set_absent", person=person)


@pytest.mark.parametrize(
    "field",
    [{"subject_id": "9", "arrival": 9}, {"subject_id": 9}, {"subject_id": True, "arrival": 1}],
)
def test_proposal_needs_whole_number_ids(field):
    refused("bad_subject", started(A), "propose", A, keyword="un", **field)


def test_urgent_flag_must_be_yes_or_no():
    state = started(A, B, backlog=carried())
    refused("bad_input", state, "set_urgent", subject=3, urgent="false")


# --- Version, immutability, serialisation ----------------------------------------------------


def test_every_step_increases_the_version_by_one():
    state = seated(A, B)
    assert state.version == 2
    assert do(state, "start").version == 3


def test_a_step_leaves_its_input_untouched():
    state = propose(started(A, B), "un")
    before = state.to_dict()
    after = do(state, "pass", B)
    assert state.to_dict() == before
    assert after is not state


def test_a_refused_step_leaves_the_state_untouched():
    state = started(A, B)
    before = state.to_dict()
    refused("not_your_turn", state, "pass", B)
    assert state.to_dict() == before


def test_state_survives_a_round_trip_through_json_data():
    import json

    state = do(at_panier(), "take", A, n=1, note="oui")
    again = State.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert again.speaker == state.speaker


def test_derived_views_outside_a_subject():
    state = seated(A, B)
    assert state.current_phase is None and state.current_subject is None
    assert state.speaker is None and state.next_speaker is None
    assert replace(state, stage="order").speaker is None


# --- Report back (003) and "still current?" (001) --------------------------------------------

PLANS = [
    {"id": 71, "owner": A, "text": "Proposer le binôme", "status": "todo"},
    {"id": 72, "owner": A, "text": "Écrire la grille", "status": "doing"},
    {"id": 73, "owner": C, "text": "Parler à mon n+1", "status": "todo"},
]


def opened_with_retour(*people, plans=PLANS, absent=()):
    state = seated(*people)
    for person in absent:
        state = do(state, "set_absent", person=person)
    return do(state, "start", plans=plans, retour=True, now=1000.0)


def test_the_session_opens_with_the_report_back_of_present_owners_in_seating_order():
    state = opened_with_retour(B, C, A)
    assert state.stage == "retour"
    assert state.queue == (C, A)  # B left without a plan
    assert state.speaker == C


def test_each_owner_reports_on_their_actions_then_the_keyword_round_begins():
    state = opened_with_retour(A, B, C)
    state = do(state, "report", A, action=71, status="done", note="Adopté")
    state = do(state, "report", A, action=72, status="dropped")
    state = do(state, "done", A)
    assert state.speaker == C
    state = do(state, "pass", C)  # nothing to say tonight
    assert state.stage == "triage" and state.queue == (A, B, C)
    assert [(o.action, o.status, o.note) for o in state.outcomes] == [
        (71, "done", "Adopté"), (72, "dropped", ""),
    ]


def test_an_action_is_reported_on_at_most_once_and_only_by_its_owner_in_turn():
    state = opened_with_retour(A, B, C)
    refused("not_your_turn", state, "report", C, action=73, status="done")
    refused("unknown_action", state, "report", A, action=73, status="done")
    refused("unknown_action", state, "report", A, action=999)
    refused("bad_input", state, "report", A, action=71, status="peut-être")
    state = do(state, "report", FAC, action=71, status="doing")  # the facilitator, for A
    refused("already_reported", state, "report", A, action=71, status="done")


def test_an_action_becomes_a_new_subject_in_one_click():
    state = opened_with_retour(A, B)
    state = do(state, "report", A, action=72, status="doing", new_subject=True, subject_id=500)
    new = state.subject(500)
    assert (new.owner, new.keyword, new.status) == (A, "Écrire la grille", "open")
    assert state.outcomes[0].subject == 500


def test_a_long_action_becomes_a_keyword_of_the_allowed_length():
    long = [{"id": 80, "owner": A, "text": "Revoir   " + "x" * 100, "status": "todo"}]
    state = opened_with_retour(A, plans=long)
    state = do(state, "report", A, action=80, new_subject=True, subject_id=501)
    assert state.subject(501).keyword == ("Revoir " + "x" * 100)[:KEYWORD_MAX]


def test_an_absent_owner_keeps_their_plan_for_next_time():
    state = opened_with_retour(A, B, C, absent=(C,))
    assert state.queue == (A,)
    state = do(state, "done", A)
    assert state.stage == "triage"
    assert all(o.action != 73 for o in state.outcomes)


def test_without_the_step_or_without_present_owners_the_keyword_round_starts_at_once():
    assert do(seated(A, B), "start", plans=PLANS, retour=False).stage == "triage"
    assert opened_with_retour(B, D).stage == "triage"


def test_the_facilitator_may_close_the_report_back():
    state = do(opened_with_retour(A, C), "next_phase")
    assert state.stage == "triage"


def backlog_of(*owners):
    return [Subject(id=10 + i, owner=o, keyword=f"ancien {i}", arrival=10 + i)
            for i, o in enumerate(owners)]


def test_carried_subjects_are_confirmed_or_withdrawn_by_their_owner_before_the_keyword_round():
    state = seated(A, B, backlog=backlog_of(A, B))
    state = do(state, "confirm", A, subject=10, keep=True)
    refused("not_your_subject", state, "confirm", A, subject=11, keep=False)
    state = do(state, "confirm", FAC, subject=11, keep=False)
    assert state.subject(10).confirmed and state.subject(11).status == "withdrawn"
    refused("subject_closed", state, "confirm", B, subject=11, keep=True)  # never comes back
    state = do(state, "start")
    assert [s.id for s in state.open_subjects] == [10]
    state = do(pass_round(state), "begin_subject")
    refused("not_in_triage", state, "confirm", A, subject=10, keep=True)


def test_a_confirmation_given_in_the_lobby_holds_once_the_start_reloads_the_backlog():
    state = seated(A, B, backlog=backlog_of(A, B))
    state = do(state, "confirm", A, subject=10, keep=True)
    # At start the group's backlog comes again from the database, which knows no confirmation.
    state = do(state, "start", backlog=backlog_of(A, B))
    assert state.subject(10).confirmed and not state.subject(11).confirmed


def test_a_subject_whose_owner_is_absent_waits_and_is_never_the_default_next():
    state = seated(A, B, backlog=backlog_of(C))
    state = propose(do(state, "start"), "nouveau", A)
    state = do(pass_round(state), "close_triage")
    refused("owner_absent", state, "begin_subject", subject=10)
    state = do(state, "begin_subject")
    assert state.current_subject.keyword == "nouveau"
    assert state.subject(10).status == "open"  # still in the backlog, visible


# --- Presence at any stage -----------------------------------------------------------------


def test_a_late_arrival_mid_clarification_joins_the_turn_order_at_the_next_round():
    state = at_subject(A, B, C)  # A's subject; clarification after the exposé
    state = do(state, "done", A)
    assert state.queue == (B, C)
    state = do(state, "join", D)  # D opens the page during round 1
    assert state.queue == (B, C), "a round in progress keeps its queue"
    assert state.joining_next_round == (D,)
    state = do(state, "speak", B, text="Depuis quand ?")
    state = do(state, "pass", C)
    assert state.round == 2 and state.queue == (B, C, D)
    assert state.joining_next_round == ()


def test_a_departure_mid_round_is_skipped_in_this_round_and_the_next_ones():
    state = do(at_subject(A, B, C, D), "done", A)
    assert state.queue == (B, C, D)
    state = do(state, "set_absent", person=C, absent=True)  # C leaves while B speaks
    state = do(state, "speak", B, text="Une question")
    assert state.speaker == D, "C is skipped without anyone doing it by hand"
    state = do(state, "speak", D, text="Une autre")
    assert state.round == 2 and state.queue == (B, D)


def test_someone_marked_absent_who_comes_back_takes_the_turn_again_from_the_next_round():
    state = do(at_subject(A, B, C), "done", A)
    state = do(state, "set_absent", person=C, absent=True)
    state = do(state, "speak", B)
    assert state.round == 2 and state.queue == (B,)
    state = do(state, "join", C)  # C reopens the page: back at the table
    assert C in state.present and state.joining_next_round == (C,)
    state = do(state, "speak", B)
    assert state.queue == (B, C)


def test_presence_changes_in_the_order_stage_decide_the_next_subject():
    state = at_subject(A, B, keywords={A: "feedback", B: "budget"})
    state = do(do(state, "done", A), "next_phase")
    state = do(do(state, "next_phase"), "done", A)  # réaction, panier: back in the order
    state = do(state, "set_absent", person=B, absent=True)
    refused("owner_absent", state, "begin_subject")
    state = do(state, "set_absent", person=B, absent=False)
    assert do(state, "begin_subject").current_subject.keyword == "budget"


def test_a_carried_subject_of_someone_not_at_the_table_is_never_begun_by_default():
    # Amina (C) carried « feedback » from the last session but is not at the table.
    state = seated(A, B, backlog=backlog_of(C))
    state = do(state, "start")
    state = do(propose(state, "budget", A), "close_triage")
    assert state.open_subjects[0].owner == C  # first in the order…
    begun = do(state, "begin_subject")
    assert begun.current_subject.keyword == "budget"  # …but never begun without her
    assert begun.speaker == A


def test_the_turn_of_someone_absent_is_recorded_as_absent_not_as_a_pass():
    # A owns the subject; in the clarification B is marked absent, C asks, D passes.
    state = do(do(at_subject(A, B, C, D), "done", FAC), "set_absent", person=B)
    state = do(state, "speak", FAC, text="Depuis quand ?")
    state = do(state, "pass", FAC)
    said = [(c.person, c.kind) for c in state.contributions if c.phase == "clarification"]
    assert said == [(B, "absent"), (C, "question"), (D, "pass")]


def test_the_owner_cannot_take_an_absent_persons_turn_into_their_panier():
    state = do(do(at_subject(A, B, C), "done", FAC), "set_absent", person=B)
    while state.current_phase.key != "panier":
        state = do(state, "next_phase", FAC)
    absent = [c.n for c in state.contributions if c.kind == "absent"]
    assert absent
    refused("unknown_contribution", state, "take", A, n=absent[0], taken=True)


def test_the_facilitators_skip_records_the_turn_as_absent():
    # « Absent·e : tour suivant » on someone not marked absent: their turn reads absent too.
    state = do(do(at_subject(A, B, C), "done", FAC), "skip", FAC)
    assert [(c.person, c.kind) for c in state.contributions if c.phase == "clarification"] == [
        (B, "absent")
    ]
    assert state.absent == () and state.speaker == C


def test_the_owner_cannot_take_their_own_request_into_their_panier():
    state = do(at_subject(A, B), "done", FAC, text="Comment garder l’équilibre ?")
    while state.current_phase.key != "panier":
        state = do(state, "next_phase", FAC)
    request = [c.n for c in state.contributions if c.kind == "request"]
    assert request
    refused("unknown_contribution", state, "take", A, n=request[0], taken=True)
