"""The page offers exactly what the rules accept: ``flow.allowed`` agrees with ``flow.step``
on random sessions, and every button the live region shows is one ``step`` takes.

The sessions are random walks of commands from a few people, with subjects carried from an
earlier session (some confirmed, some not), people away, subjects withdrawn or urgent.
"""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app import flow, render

A, B, C, D = 1, 2, 3, 4
PEOPLE = (A, B, C, D)
FAC = 9  # drives, not seated


def carried():
    return [
        flow.Subject(id=3, owner=A, keyword="ancien A", arrival=3),
        flow.Subject(id=7, owner=B, keyword="ancien B", arrival=7),
        flow.Subject(id=8, owner=D, keyword="ancien D", arrival=8),
    ]


def candidate(data, state):
    """One command a page could send (or one nobody would): any kind, any subject."""
    subject_ids = [s.id for s in state.subjects] + [999]
    kind = data.draw(
        st.sampled_from(
            [
                "join",
                "start",
                "propose",
                "pass",
                "skip",
                "close_triage",
                "set_urgent",
                "withdraw",
                "confirm",
                "begin_subject",
                "next_phase",
                "done",
                "set_absent",
                "end",
                "undo",
            ]
        ),
        label="kind",
    )
    command: dict = {"type": kind}
    if kind in ("set_urgent", "withdraw", "confirm") or (
        kind == "begin_subject" and data.draw(st.booleans(), label="pick")
    ):
        command["subject"] = data.draw(st.sampled_from(subject_ids), label="subject")
    if kind == "set_urgent":
        command["urgent"] = data.draw(st.booleans(), label="urgent")
    if kind == "confirm":
        command["keep"] = data.draw(st.booleans(), label="keep")
    if kind in ("join", "set_absent"):
        command["person"] = data.draw(st.sampled_from(PEOPLE), label="person")
    if kind == "set_absent":
        command["absent"] = data.draw(st.booleans(), label="absent")
    if kind == "propose":
        sid = 1000 + len(state.subjects)
        command.update(keyword=f"mot {sid}", subject_id=sid, arrival=sid)
    actor = data.draw(st.sampled_from((*PEOPLE, FAC)), label="actor")
    if kind == "join" and actor != FAC:
        command.pop("person")
    return command, actor


@st.composite
def sessions(draw):
    state = flow.new_state("intervision", carried())
    for person in PEOPLE[:3]:
        state = flow.step(state, {"type": "join"}, actor=person, facilitator=False, now=0)
    history: list[flow.State] = []
    for i in range(draw(st.integers(0, 40), label="steps")):
        command, actor = candidate(_Draw(draw), state)
        if command["type"] == "undo" and history:
            # As ``live`` gives it: the state before the last step, at the current version.
            command["previous"] = {**history.pop().to_dict(), "version": state.version}
        try:
            new = flow.step(state, command, actor=actor, facilitator=actor == FAC, now=i)
        except flow.FlowError:
            continue
        if command["type"] != "undo":
            history.append(state)
        state = new
    return state


class _Draw:
    """``candidate`` draws from the composite's ``draw``, as from ``st.data()``."""

    def __init__(self, draw):
        self.draw = draw


def accepted(state, command, actor, facilitator) -> flow.State | None:
    try:
        return flow.step(state, command, actor=actor, facilitator=facilitator, now=10**6)
    except flow.FlowError:
        return None


def trial(kind, subject):
    command: dict = {"type": kind, "subject": subject.id}
    if kind == "set_urgent":
        command["urgent"] = not subject.urgent
    if kind == "confirm":
        command["keep"] = True
    return command


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=sessions(), actor=st.sampled_from((*PEOPLE, FAC)))
def test_allowed_is_what_step_accepts(state, actor):
    facilitator = actor == FAC
    offer = flow.allowed(state, actor, facilitator)
    for subject in state.subjects:
        for kind in flow.SUBJECT_COMMANDS:
            took = accepted(state, trial(kind, subject), actor, facilitator) is not None
            assert (kind in offer.of(subject.id)) == took, (kind, subject, state.stage)
    begun = accepted(state, {"type": "begin_subject"}, actor, facilitator)
    assert offer.begin == (begun.current if begun else None)
    undo = {"type": "undo", "previous": state.to_dict()}
    if offer.undo:
        assert accepted(state, undo, actor, facilitator) is not None
    if accepted(state, undo, actor, facilitator) is None:
        assert not offer.undo


# --- What the live region shows -----------------------------------------------------------

BUTTON = re.compile(r"<button([^>]*)hx-vals='([^']*)'")
ONLY_FOR = re.compile(r'data-only-for="(\d+)"')


def snapshot(state):
    return {
        "id": 1,
        "stamp": "x",
        "version": state.version,
        "title": "Séance",
        "group": "G",
        "group_id": 1,
        "duration": 120,
        "visio_url": "",
        "facilitators": [FAC],
        "people": {str(p): f"P{p}" for p in (*PEOPLE, FAC)},
        "state": state.to_dict(),
        "texts": {},
        "created": "",
    }


def offered(html):
    """(command, the person it is shown to or None for anyone of the audience)."""
    found = []
    for match in BUTTON.finditer(html):
        values = json.loads(match.group(2))
        if values.get("type") not in ("begin_subject", "set_urgent", "withdraw", "undo", "confirm"):
            continue
        before = html[: match.start()]
        owner = ONLY_FOR.findall(before[before.rfind("<li") :]) if "<li" in before else []
        found.append((values, int(owner[-1]) if owner else None))
    return found


@pytest.mark.django_db
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(state=sessions())
def test_every_button_shown_is_accepted(state):
    snap = snapshot(state)
    for audience in ("facilitator", "participant"):
        html = render.live_html(snap, audience)
        for values, owner in offered(html):
            if audience == "facilitator":
                actor, facilitator = FAC, True
            else:
                assert owner is not None, values  # a participant's button is its owner's
                actor, facilitator = owner, False
            command = dict(values)
            if command["type"] == "undo":
                command["previous"] = state.to_dict()
            assert accepted(state, command, actor, facilitator) is not None, (
                audience,
                values,
                state.stage,
            )


# --- The rules the page used to state alone -----------------------------------------------


def started(backlog=()):
    state = flow.new_state("intervision", list(backlog))
    for person in (A, B, C):
        state = flow.step(state, {"type": "join"}, actor=person, facilitator=False, now=0)
    return flow.step(state, {"type": "start"}, actor=FAC, facilitator=True, now=1)


def refused(code, state, command):
    with pytest.raises(flow.FlowError) as info:
        flow.step(state, command, actor=FAC, facilitator=True, now=2)
    assert info.value.code == code


def test_urgency_is_marked_only_while_subjects_are_chosen():
    lobby = flow.new_state("intervision", carried())
    refused("not_in_order", lobby, {"type": "set_urgent", "subject": 7, "urgent": True})
    state = started(carried())
    state = flow.step(
        state, {"type": "confirm", "subject": 7, "keep": True}, actor=B, facilitator=False, now=2
    )
    state = flow.step(
        state,
        {"type": "set_urgent", "subject": 7, "urgent": True},
        actor=FAC,
        facilitator=True,
        now=2,
    )
    assert state.subject(7).urgent
    state = flow.step(state, {"type": "close_triage"}, actor=FAC, facilitator=True, now=3)
    state = flow.step(
        state, {"type": "begin_subject", "subject": 7}, actor=FAC, facilitator=True, now=4
    )
    # While a subject is handled, the others wait: no urgency to change until the order.
    refused("not_in_order", state, {"type": "set_urgent", "subject": 3, "urgent": True})


def test_a_carried_subject_is_marked_urgent_only_once_confirmed():
    state = started(carried())
    refused("bad_subject", state, {"type": "set_urgent", "subject": 3, "urgent": True})
    assert "set_urgent" not in flow.allowed(state, FAC, True).of(3)
