"""Formats as data in the rules: a session runs the phases its format froze at start."""

import pytest

from sessions_app.flow import (
    FORMATS,
    PHASES_MAX,
    FlowError,
    Phase,
    State,
    block_of,
    make_phase,
    phase_data,
    phases_from_data,
)

from .test_flow import A, B, C, do, pass_round, propose, seated

INCIDENT = [
    {"key": "incident", "block": "speech", "timebox": 5, "label": "Récit de l’incident"},
    {"key": "faits", "block": "rounds", "timebox": 10, "kind": "question",
     "label": "Questions sur les faits"},
    {"key": "pistes", "block": "round_all", "timebox": 15, "kind": "suggestion",
     "label": "Pistes"},
    {"key": "decision", "block": "plan", "timebox": 5, "label": "Décision"},
]


def test_every_preset_phase_is_made_of_a_known_building_block():
    for phases in FORMATS.values():
        for phase in phases:
            assert make_phase(**phase_data(phase)) == phase


def test_building_blocks_map_to_the_rules_modes():
    assert make_phase("x", "rounds", 10, "question") == Phase(
        "x", "round", 10, "others", None, "question"
    )
    assert make_phase("x", "round_all", 10, "learning").speakers == "all"
    assert make_phase("x", "round", 10, "reaction").rounds == 1
    assert make_phase("x", "panier", 10, "reaction").kind == ""  # not a round: no kind
    assert block_of(make_phase("x", "plan", 3)) == "plan"


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"key": "a", "block": "speech", "timebox": 0}],
        [{"key": "a", "block": "speech", "timebox": 121}],
        [{"key": "a", "block": "chaise", "timebox": 10}],
        [{"key": "a", "block": "speech", "timebox": "10"}],
        [{"key": "a", "block": "speech", "timebox": 10},
         {"key": "a", "block": "plan", "timebox": 5}],
        [{"key": f"p{i}", "block": "speech", "timebox": 5} for i in range(PHASES_MAX + 1)],
        "speech",
    ],
)
def test_a_format_the_rules_do_not_know_is_refused(items):
    with pytest.raises(FlowError) as info:
        phases_from_data(items)
    assert info.value.code == "bad_phase"


def test_a_session_runs_the_phases_frozen_at_start():
    state = do(seated(A, B, C), "start", now=1000.0, steps=INCIDENT)
    assert [p.key for p in state.phases] == ["incident", "faits", "pistes", "decision"]
    assert state.phases[0].label == "Récit de l’incident"
    state = propose(state, "incident client")
    state = pass_round(state)
    state = do(state, "begin_subject")
    assert state.current_phase.key == "incident"
    state = do(state, "done", state.current_subject.owner)
    assert state.current_phase.key == "faits" and state.in_round
    state = pass_round(state)  # a whole round passes: the questions are over
    # Everyone speaks in « Pistes », the subject's owner included.
    assert state.current_phase.key == "pistes"
    assert state.current_subject.owner in state.queue
    state = pass_round(state)
    assert state.current_phase.mode == "plan"
    refused = pytest.raises(FlowError)
    with refused:
        do(state, "done", state.current_subject.owner)  # a plan needs an action
    state = do(state, "add_action", state.current_subject.owner, text="Appeler le client")
    state = do(state, "done", state.current_subject.owner)
    assert state.stage == "order" and state.handled


def test_the_frozen_format_survives_storage_and_the_preset_is_the_default():
    state = do(seated(A, B), "start", now=1000.0, steps=INCIDENT)
    assert State.from_dict(state.to_dict()) == state
    # A stored state of a session started before formats were data has no steps.
    old = state.to_dict()
    del old["steps"]
    assert State.from_dict(old).phases == FORMATS["intervision"]
    assert do(seated(A, B), "start", now=1000.0).phases == FORMATS["intervision"]


def test_a_bad_format_at_start_leaves_the_session_in_its_lobby():
    with pytest.raises(FlowError):
        do(seated(A, B), "start", now=1000.0, steps=[{"key": "a", "block": "?", "timebox": 5}])


def test_undoing_the_start_forgets_the_frozen_format():
    lobby = seated(A, B)
    state = do(lobby, "start", now=1000.0, steps=INCIDENT)
    state = do(state, "undo", previous={**lobby.to_dict(), "version": state.version})
    assert state.stage == "lobby" and state.phases == FORMATS["intervision"]
