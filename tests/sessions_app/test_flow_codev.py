"""Codéveloppement as its practitioners run it (002, 003): the group chooses the subject, the
contract is written after the consultants reformulate, the client harvests the consultation
(a secrétaire may write it), the synthèse is the client's with a dated plan, roles are held,
the animateur learns too. On plain states: no database, no clock."""

import pytest

from sessions_app.flow import (
    ALLOWANCE_MAX,
    FlowError,
    PlanItem,
    State,
    allowed,
    scrub_event,
    scrub_state,
    step,
)
from tests.sessions_app.test_flow import (
    FAC,
    A,
    B,
    C,
    D,
    do,
    pass_round,
    propose,
    refused,
    seated,
)


def triaged(*people, choice="votes", allowance=2, format="codev", next_on=""):
    """The keyword round done (each proposes one subject, in seating order), the group
    choosing."""
    state = do(
        seated(*people, format=format), "start", now=1000.0, choice=choice,
        allowance=allowance, next_on=next_on,
    )
    for person in people:
        state = propose(state, f"sujet de {person}")
    return do(state, "close_triage")


def subject_of(state, owner):
    return next(s.id for s in state.subjects if s.owner == owner)


# --- The group chooses the subject ------------------------------------------------------------


def test_without_a_choice_the_keyword_round_goes_to_the_order_as_before():
    state = triaged(A, B, choice="")
    assert state.stage == "order"
    assert [s.owner for s in state.open_subjects] == [A, B]


def test_votes_are_secret_until_everyone_at_the_table_has_voted_then_order_the_subjects():
    state = triaged(A, B, C)
    assert state.stage == "choice"
    a, b, c = (subject_of(state, p) for p in (A, B, C))
    state = do(state, "vote", A, subjects=[c, c])
    state = do(state, "vote", B, subjects=[b, c])
    assert state.voters == (A, B) and not state.votes_shown
    state = do(state, "vote", C, subjects=[b])
    assert state.votes_shown and state.vote_counts() == {c: 3, b: 2}
    state = do(state, "close_choice")
    assert state.stage == "order"
    assert [s.id for s in state.open_subjects] == [c, b, a]
    assert {s.id: s.votes for s in state.subjects} == {a: 0, b: 2, c: 3}
    # Once counted, who voted what is forgotten: counts only.
    assert state.ballots == ()


def test_a_session_ended_while_choosing_forgets_who_voted_what():
    state = triaged(A, B)
    state = do(state, "vote", A, subjects=[subject_of(state, B)])
    state = do(state, "end")
    assert state.stage == "ended" and state.ballots == ()


def test_a_ballot_is_at_most_the_allowance_on_open_subjects_and_replaces_the_last_one():
    state = triaged(A, B, allowance=2)
    a, b = subject_of(state, A), subject_of(state, B)
    refused("too_many_votes", state, "vote", A, subjects=[a, a, b])
    for bad in ([999], ["1"], [True], a, None):
        refused("bad_subject", state, "vote", A, subjects=bad)
    refused("not_seated", state, "vote", D, subjects=[a])
    state = do(state, "vote", A, subjects=[a, b])
    state = do(state, "vote", A, subjects=[])  # an abstention replaces the ballot
    assert state.ballot_of(A) == () and state.voters == (A,)
    refused("not_in_choice", do(state, "close_choice"), "vote", A, subjects=[a])


def test_the_allowance_is_checked_when_the_session_starts():
    for bad in (0, ALLOWANCE_MAX + 1, "2", True):
        with pytest.raises(FlowError):
            do(seated(A, B, format="codev"), "start", choice="votes", allowance=bad)
    with pytest.raises(FlowError):
        do(seated(A, B), "start", choice="à main levée")


def test_urgent_subjects_still_come_first_and_an_absent_owners_subject_is_never_begun():
    state = triaged(A, B, C)
    a, b, c = (subject_of(state, p) for p in (A, B, C))
    state = do(state, "set_urgent", subject=a)
    for person, ballot in ((A, [c, c]), (B, [c, b]), (C, [b])):
        state = do(state, "vote", person, subjects=ballot)
    state = do(do(state, "set_absent", person=C), "close_choice")
    assert [s.id for s in state.open_subjects] == [a, c, b]
    state = do(state, "set_urgent", subject=a, urgent=False)
    assert allowed(state, FAC, True).begin == b  # c's owner is absent: it waits
    state = do(state, "begin_subject")
    assert state.current == b


def test_the_facilitator_records_a_consensus():
    state = triaged(A, B, C, choice="consensus")
    a, b, c = (subject_of(state, p) for p in (A, B, C))
    refused("not_in_choice", state, "vote", A, subjects=[a])
    refused("facilitator_only", state, "choose", A, order=[b])
    refused("bad_subject", state, "choose", order=[b, b])
    state = do(do(state, "choose", order=[b]), "close_choice")
    assert [s.id for s in state.open_subjects] == [b, a, c]
    assert not state.votes_shown


def test_the_facilitator_overrides_the_choice_with_a_reason_shown_to_all():
    state = triaged(A, B)
    a, b = subject_of(state, A), subject_of(state, B)
    state = do(do(do(state, "vote", A, subjects=[b]), "vote", B, subjects=[b]), "close_choice")
    refused("text_required", state, "override", subject=a, reason=" ")
    refused("facilitator_only", state, "override", B, subject=a, reason="x")
    state = do(state, "override", subject=a, reason="A part en congé demain")
    assert [s.id for s in state.open_subjects] == [a, b]
    assert (state.override, state.override_reason) == (a, "A part en congé demain")
    assert allowed(state, FAC, True).begin == a


def test_the_page_offers_the_choice_commands_that_step_accepts():
    state = triaged(A, B)
    assert allowed(state, A, False).may("vote")
    assert not allowed(state, D, False).may("vote")  # not at the table
    assert allowed(state, FAC, True).may("close_choice")
    assert not allowed(state, FAC, True).may("choose")  # votes, not consensus
    state = do(state, "close_choice")
    assert allowed(state, FAC, True).may("override")
    assert not allowed(state, A, False).may("override")


# --- The contract, the harvest, the secrétaire ------------------------------------------------


def at_phase(key, *people, next_on=""):
    state = triaged(*(people or (A, B, C, D)), choice="", next_on=next_on)
    state = do(state, "begin_subject", now=2000.0)  # A's subject: the first arrived
    while state.current_phase.key != key:
        mode = state.current_phase.mode
        if mode == "contract":
            state = do(pass_round(state), "done", A, text="Aidez-moi à déléguer")
        elif mode in ("round", "harvest"):
            state = do(state, "next_phase")
        elif mode == "synthesis":
            state = do(do(state, "add_action", A, text="Appeler Paul"), "done", A)
        else:
            state = do(state, "done", A)
    return state


def test_the_contract_stays_shown_for_the_rest_of_the_subject():
    state = at_phase("contrat")
    state = do(do(do(state, "pass", B), "pass", C), "pass", D)
    state = do(state, "done", A, text="Aidez-moi à déléguer")
    state = do(state, "speak", B, text="Une idée")
    assert state.current_phase.key == "consultation"
    assert state.request == "Aidez-moi à déléguer"


def test_the_client_keeps_ideas_as_they_come_during_the_consultation():
    state = at_phase("consultation")
    state = do(state, "speak", B, text="Déléguer le reporting")
    idea = state.contributions[-1].n
    state = do(state, "take", A, n=idea, note="dès lundi")
    kept = state.contributions[-1]
    assert (kept.taken, kept.note, kept.kind) == (True, "dès lundi", "suggestion")
    refused("owner_only", state, "take", C, n=idea)
    refused("unknown_contribution", state, "take", A, n=999)


def test_the_secretaire_writes_the_ideas_for_the_client():
    state = at_phase("consultation")
    refused("facilitator_only", state, "set_role", A, role="secretaire", person=D)
    refused("owner_cannot_hold", state, "set_role", role="secretaire", person=A, subject=True)
    state = do(state, "set_role", role="secretaire", person=D, subject=True)
    assert state.holder("secretaire") == D
    assert allowed(state, D, False).may("idea")
    # On B's turn, D writes what B says; and an idea said out of turn, by C.
    state = do(state, "speak", D, text="Un tableau de délégation")
    assert (state.contributions[-1].person, state.contributions[-1].text) == (
        B, "Un tableau de délégation",
    )
    state = do(state, "idea", D, person=C, text="Un binôme")
    assert (state.contributions[-1].person, state.contributions[-1].kind) == (C, "suggestion")
    refused("secretaire_only", state, "idea", B, text="moi aussi")
    refused("bad_person", state, "idea", D, person=A, text="le client ne se conseille pas")
    # Not the client's secrétaire outside the consultation, nor for another subject.
    refused("no_turn", do(state, "next_phase"), "speak", D, text="x")


def test_the_secretaire_named_for_a_subject_is_no_longer_once_it_is_over():
    state = at_phase("consultation")
    state = do(state, "set_role", role="secretaire", person=D, subject=True)
    state = do(state, "set_role", role="gardien", person=C)
    assert state.holder("gardien") == C
    state = do(state, "end")
    assert state.holder("secretaire") is None and state.holder("gardien") == C


def test_the_gardien_du_temps_has_the_overrun_controls():
    state = at_phase("consultation")
    refused("facilitator_only", state, "extend", C)
    state = do(state, "set_role", role="gardien", person=C, subject=True)
    assert allowed(state, C, False).may("extend")
    assert do(state, "extend", C, minutes=2).phase_extra == 2
    refused("facilitator_only", state, "next_phase", C)


# --- The synthèse and the plan ---------------------------------------------------------------


def test_the_synthese_is_the_clients_own_words_and_can_be_rewritten():
    state = at_phase("synthese")
    refused("owner_only", state, "synthesize", B, text="pas à moi")
    state = do(state, "synthesize", A, text="Je délègue le reporting")
    state = do(state, "synthesize", A, text="Je délègue le reporting à Paul")
    assert state.synthesis == "Je délègue le reporting à Paul"
    assert [c.kind for c in state.contributions].count("synthesis") == 1
    assert do(state, "synthesize", A, text="").synthesis == ""


def test_each_action_has_a_due_date_and_a_sign_of_success():
    state = at_phase("synthese", next_on="2027-01-12")
    state = do(state, "add_action", A, text="Parler à Paul", due="2027-01-05",
               sign="Paul fait le reporting de janvier")
    assert state.actions == (PlanItem("Parler à Paul", "2027-01-05",
                                      "Paul fait le reporting de janvier"),)
    for bad in ("05/01/2027", "2027-13-01", "demain", 20270105):
        refused("bad_date", state, "add_action", A, text="x", due=bad)


def test_a_plan_needs_an_action_due_by_the_next_session():
    state = at_phase("synthese", next_on="2027-01-12")
    state = do(state, "add_action", A, text="Un projet de fond", due="2027-06-30")
    refused("plan_not_due", state, "done", A)
    refused("plan_not_due", state, "next_phase")
    assert do(do(state, "add_action", A, text="Un premier pas", due="2027-01-12"), "done", A)
    # Undated: by the next session.
    assert do(do(state, "add_action", A, text="Appeler Paul"), "done", A)


def test_the_kept_ideas_can_be_reviewed_at_the_synthese():
    state = at_phase("consultation")
    state = do(state, "speak", B, text="Déléguer")
    idea = state.contributions[-1].n
    state = do(do(state, "next_phase"), "take", A, n=idea)
    assert state.current_phase.key == "synthese" and state.contributions[idea - 1].taken


# --- Apprentissages: the animateur too ---------------------------------------------------------


def test_the_animateur_not_at_the_table_shares_learnings_once():
    state = at_phase("apprentissages")
    assert FAC not in state.queue
    assert allowed(state, FAC, True).may("learn")
    state = do(state, "learn", text="Laisser plus de silence")
    assert (state.contributions[-1].person, state.contributions[-1].kind) == (FAC, "learning")
    refused("already_said", state, "learn", text="encore")
    refused("wrong_phase", at_phase("consultation"), "learn", text="trop tôt")


# --- Data ----------------------------------------------------------------------------------------


def test_a_state_stored_before_plans_had_dates_still_reads():
    data = State().to_dict()
    data["actions"] = ["Appeler Marc"]
    assert State.from_dict(data).actions == (PlanItem("Appeler Marc"),)


def test_the_new_texts_are_scrubbed():
    state = at_phase("synthese", next_on="2027-01-12")
    state = do(state, "synthesize", A, text="SYNTHESE-A")
    state = do(state, "add_action", A, text="ACTION-A", sign="SIGNE-A")
    ordered = triaged(A, B)
    ordered = do(do(ordered, "close_choice"), "override", subject=subject_of(ordered, B),
                 reason="RAISON-FAC")
    for data, person in ((state.to_dict(), None), (state.to_dict(), A),
                         (ordered.to_dict(), None), (ordered.to_dict(), FAC)):
        assert not {"SYNTHESE-A", "ACTION-A", "SIGNE-A", "RAISON-FAC"} & set(
            str(scrub_state(data, person)).replace("'", " ").split()
        ) - {""}
    command, _ = scrub_event(
        {"type": "add_action", "text": "ACTION-A", "sign": "SIGNE-A"}, state.to_dict(), actor=A,
        person=A,
    )
    assert "SIGNE-A" not in str(command)
    # Someone else's erasure leaves the client's texts.
    assert "SYNTHESE-A" in str(scrub_state(state.to_dict(), B))


def test_step_refuses_every_new_command_after_the_end():
    state = do(at_phase("synthese"), "end")
    for kind in ("vote", "choose", "close_choice", "override", "set_role", "learn", "idea",
                 "synthesize"):
        with pytest.raises(FlowError):
            step(state, {"type": kind}, actor=FAC, facilitator=True, now=0.0)
    assert allowed(state, FAC, True).commands == frozenset()
