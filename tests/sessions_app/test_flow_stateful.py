"""Random sessions against the rules: whatever anyone clicks, the invariants hold.

A hypothesis state machine seats 1 to 8 people (some late), carries a random backlog, and
lets random people — the one whose turn it is, the facilitator, anyone, a stranger — send
random commands, valid or not. A refusal must be a FlowError that leaves the state as it
was; anything else that escapes is a bug. After every step the invariants of issue 2 are
checked.
"""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from sessions_app.flow import (
    BLOCKS,
    CHOICES,
    COMMANDS,
    FORMATS,
    KINDS,
    ROLES,
    FlowError,
    State,
    Subject,
    new_state,
    phase_due,
    plan,
    step,
)

FAC = 100  # the facilitator, never seated
STRANGER = 77  # never seated, never a facilitator
# Commands by which the facilitator may cut a round short on purpose.
ROUND_CLOSERS = {"close_triage", "next_phase", "begin_subject", "end"}

# Values of the wrong type or shape, from a fixed list: drawing them is cheap.
junk = st.sampled_from(
    [None, True, False, "", "1", "abc", 1.5, -1, 10**12, [], [1], {}, {"a": 1}, b"x"]
)
texts = st.one_of(
    st.sampled_from(["", "   ", "mot-clé", "  deux   mots ", "x" * 60, "x" * 61, "y" * 501]),
    st.text(max_size=20),
)

STATIC_FIELDS = {
    "arrival": st.one_of(st.integers(-5, 100), junk),
    "keyword": st.one_of(texts, junk),
    "text": st.one_of(texts, junk),
    "note": st.one_of(texts, junk),
    "n": st.one_of(st.integers(-1, 40), junk),
    "index": st.one_of(st.integers(-1, 21), junk),
    "urgent": st.one_of(st.booleans(), junk),
    "taken": st.one_of(st.booleans(), junk),
    "absent": st.one_of(st.booleans(), junk),
    "action": st.one_of(st.integers(199, 206), junk),
    "status": st.one_of(st.sampled_from(["todo", "doing", "done", "dropped", "fini"]), junk),
    "keep": st.one_of(st.booleans(), junk),
    "new_subject": st.one_of(st.booleans(), junk),
    "minutes": st.one_of(st.integers(-1, 31), junk),
    "reason": st.one_of(texts, junk),
    "sign": st.one_of(texts, junk),
    "due": st.one_of(st.sampled_from(["2027-01-05", "2027-01-12", "2027-06-30", "hier"]), junk),
    "role": st.one_of(st.sampled_from([*ROLES, "président"]), junk),
}
NEXT_ON = "2027-01-12"
FIELD_KEYS = st.sets(
    st.sampled_from(
        sorted([*STATIC_FIELDS, "person", "subject", "subject_id", "order", "subjects"])
    ),
    max_size=4,
)
ANY_TYPE = st.one_of(st.sampled_from(sorted(COMMANDS)), junk)


class SessionMachine(RuleBasedStateMachine):
    @initialize(
        format=st.sampled_from(sorted(FORMATS)),
        size=st.integers(1, 8),
        late=st.integers(0, 2),
        backlog=st.lists(st.integers(1, 10), max_size=4),
        head_start=st.sampled_from(["lobby", "order", "subject", "choice"]),
        plan_owners=st.lists(st.integers(1, 10), max_size=5),
        retour=st.booleans(),
        # A format an organiser shaped from the building blocks, or the preset's phases.
        shaped=st.one_of(
            st.none(), st.lists(st.sampled_from(sorted(BLOCKS)), min_size=1, max_size=6)
        ),
        # How the group chooses its subjects after the keyword round, and its votes each.
        choice=st.sampled_from(CHOICES),
        allowance=st.integers(1, 3),
        next_on=st.sampled_from(["", NEXT_ON]),
    )
    def open_session(
        self, format, size, late, backlog, head_start, plan_owners, retour, shaped, choice,
        allowance, next_on,
    ):
        self.choice = {"choice": choice, "next_on": next_on}
        if choice == "votes":
            self.choice["allowance"] = allowance
        self.people = list(range(1, size + 1))
        # Carried subjects: owners may be at the table or not (10 never is).
        carried = [
            Subject(id=i + 1, owner=owner, keyword=f"ancien {i}", arrival=i + 1)
            for i, owner in enumerate(backlog)
        ]
        self.state = new_state(format, carried)
        self.seen = {s.id for s in carried}
        self.next_id = 50
        self.now = 0.0
        self.late = self.people[size - min(late, size - 1) :] if size > 1 else []
        self.refusals = 0
        self.successes = 0
        # Open actions of earlier plans: owners at the table or not.
        self.plans = [
            {"id": 200 + i, "owner": owner, "text": f"action {i}", "status": "todo"}
            for i, owner in enumerate(plan_owners)
        ]
        self.retour = retour
        self.steps = None if shaped is None else [
            {"key": f"p{i}", "block": block, "timebox": 5, "kind": "reaction"}
            for i, block in enumerate(shaped)
        ]
        for person in self.people:
            if person not in self.late:
                self.apply({"type": "join"}, person)
        # Random walks rarely get far from the lobby in 60 steps: most sessions start from
        # the order, from a first subject or while the group chooses, reached the normal way.
        if head_start != "lobby":
            self.apply(self.start_command(), FAC)
            if self.state.stage == "retour":
                self.apply({"type": "next_phase"}, FAC)
            for person in self.state.queue:
                sid = self.new_subject_id()
                self.apply(
                    {
                        "type": "propose",
                        "keyword": f"sujet {person}",
                        "subject_id": sid,
                        "arrival": sid,
                    },
                    person,
                )
            self.apply({"type": "close_triage"}, FAC)
            if self.state.stage == "choice" and head_start != "choice":
                self.apply({"type": "close_choice"}, FAC)
            assert self.state.stage == "order" or (
                head_start == "choice" and self.state.stage == "choice"
            )
        if head_start == "subject":
            self.apply({"type": "begin_subject"}, FAC)
            # A shaped format made only of rounds nobody is left to speak in handles the
            # subject at once (a table of one, where the owner is the only one seated).
            only_empty_rounds = self.steps is not None and len(self.state.present) == 1 and all(
                s["block"] in ("rounds", "round", "harvest") for s in self.steps
            )
            assert self.state.stage == ("order" if only_empty_rounds else "subject")

    # --- applying a command and checking what one step may do -----------------------------

    def apply(self, command, actor, facilitator=None):
        facilitator = actor == FAC if facilitator is None else facilitator
        before = self.state
        # States are frozen dataclasses of tuples: equal hashes before and after the step
        # show it was not mutated (asdict on every step would be ten times slower).
        frozen = hash(before)
        self.now += 7.0
        try:
            after = step(before, command, actor=actor, facilitator=facilitator, now=self.now)
        except FlowError as error:
            assert isinstance(error.code, str) and error.code
            assert hash(before) == frozen, "a refused step changed its input"
            self.refusals += 1
            return
        assert hash(before) == frozen, "a step mutated its input"
        assert after.version == before.version + 1
        # Clocks run in the browser from these: the session's start never moves, and a
        # phase never starts before the session or goes back in time.
        if before.started_at is not None:
            assert after.started_at == before.started_at
        if after.phase_started_at is not None and before.phase_started_at is not None:
            assert after.phase_started_at >= before.phase_started_at
        self.check_round_end(before, after, command)
        self.check_presence(before, after)
        self.check_plan(before, after, command)
        for subject in before.subjects:
            if subject.status == "withdrawn":  # never comes back
                assert after.subject(subject.id).status == "withdrawn", subject
        after_ids = {s.id for s in after.subjects}
        assert {s.id for s in before.subjects} <= after_ids, "a subject disappeared"
        self.seen |= after_ids
        self.successes += 1
        self.state = after

    def check_round_end(self, before, after, command):
        """A round ends only when every person of its queue has had the turn."""
        if not before.in_round or command.get("type") in ROUND_CLOSERS:
            return
        same_round = (before.stage, before.current, before.phase, before.round) == (
            after.stage,
            after.current,
            after.phase,
            after.round,
        )
        if same_round:
            return
        # This step took the turn of the speaker; whoever came after them was absent (or
        # had left the table) and skipped in the same step.
        still_to_speak = before.queue[len(before.turns) + 1 :]
        assert all(after.away(p) for p in still_to_speak), (before, after)

    def check_plan(self, before, after, command):
        """A subject leaves its synthèse with a plan, one action at least due by the next
        session (002); a plan's phase with one action at least."""
        phase = before.current_phase
        if phase is None or phase.mode not in ("plan", "synthesis"):
            return
        if command.get("type") not in ("done", "next_phase"):
            return
        if (after.current, after.phase) == (before.current, before.phase):
            return
        assert before.actions
        if phase.mode == "synthesis" and before.next_on:
            assert any(not a.due or a.due <= before.next_on for a in before.actions)

    def check_presence(self, before, after):
        """Presence may change at any stage: a subject begins only with its owner at the
        table, and a round in progress keeps its queue whoever arrives or leaves."""
        if after.stage == "subject" and after.current != before.current:
            assert after.current_subject.owner in before.present, "an absent owner's subject"
        same_round = (before.stage, before.current, before.phase, before.round) == (
            after.stage, after.current, after.phase, after.round,
        )
        if same_round and before.in_round:
            assert after.queue == before.queue, "a round's queue changed while it ran"
        if after.in_round:
            assert set(after.joining_next_round) <= set(after.present)
            assert not set(after.joining_next_round) & set(after.queue)

    def start_command(self):
        command = {"type": "start", "plans": self.plans, "retour": self.retour, **self.choice}
        if self.steps is not None:
            command["steps"] = self.steps
        return command

    def new_subject_id(self):
        self.next_id += 1
        return self.next_id

    def any_person(self):
        return st.sampled_from(self.people + [FAC, STRANGER])

    # --- rules: the useful moves, so sessions get deep --------------------------------------

    @precondition(lambda self: self.state.stage == "lobby")
    @rule()
    def facilitator_starts(self):
        self.apply(self.start_command(), FAC)

    @precondition(lambda self: self.state.stage == "retour")
    @rule(data=st.data(), by_facilitator=st.booleans(), new_subject=st.booleans())
    def owner_reports_back(self, data, by_facilitator, new_subject):
        action = data.draw(st.sampled_from(self.state.plans), label="action")
        command = {
            "type": "report",
            "action": action.id,
            "status": data.draw(st.sampled_from(["todo", "doing", "done", "dropped"])),
            "note": data.draw(texts, label="note"),
        }
        if new_subject:
            command.update(new_subject=True, subject_id=self.new_subject_id())
        self.apply(command, FAC if by_facilitator else self.state.speaker)
        if data.draw(st.booleans(), label="done"):
            self.apply({"type": "done"}, self.state.speaker)

    @rule(data=st.data(), keep=st.booleans())
    def owner_confirms_a_carried_subject(self, data, keep):
        carried = [s for s in self.state.subjects if s.carried]
        if carried:
            subject = data.draw(st.sampled_from(carried), label="subject")
            self.apply({"type": "confirm", "subject": subject.id, "keep": keep}, subject.owner)

    @precondition(lambda self: self.state.stage == "order" and self.state.open_subjects)
    @rule(data=st.data())
    def facilitator_begins_a_subject(self, data):
        command = {"type": "begin_subject"}
        if data.draw(st.booleans(), label="pick"):
            command["subject"] = data.draw(st.sampled_from(self.state.open_subjects)).id
        self.apply(command, FAC)

    def take_the_turn(self, data, by_facilitator, text):
        state = self.state
        actor = FAC if by_facilitator else state.speaker
        phase = state.current_phase
        # Biased towards passing once a few subjects or rounds exist, so that rounds end
        # and sessions reach their later phases.
        keen = data.draw(st.booleans(), label="keen")
        if state.stage == "triage":
            if keen and len(state.open_subjects) < 4:
                sid = self.new_subject_id()
                command = {"type": "propose", "keyword": text, "subject_id": sid, "arrival": sid}
            else:
                command = {"type": "pass"}
        elif state.stage == "retour":
            command = {"type": "done" if keen else "pass"}
        elif phase is not None and phase.mode in ("round", "harvest", "contract") and (
            state.in_round
        ):
            command = {"type": "speak" if keen and state.round < 3 else "pass", "text": text}
        elif phase is not None and phase.mode in ("plan", "synthesis") and (
            not state.actions or keen
        ):
            command = {
                "type": "add_action",
                "text": text or "une action",
                "due": data.draw(st.sampled_from(["", "2027-01-05", "2027-06-30"]), label="due"),
                "sign": text,
            }
        elif phase is not None and phase.mode == "synthesis" and keen:
            command = {"type": "synthesize", "text": text}
        elif phase is not None and phase.mode in ("panier", "harvest", "synthesis") and keen:
            n = data.draw(st.integers(0, len(state.contributions) + 1), label="n")
            command = {"type": "take", "n": n, "note": text, "taken": data.draw(st.booleans())}
        else:
            command = {"type": "done", "text": text}
        self.apply(command, actor)

    @precondition(lambda self: self.state.speaker is not None)
    @rule(data=st.data(), text=texts)
    def speaker_acts_on_their_device(self, data, text):
        self.take_the_turn(data, False, text)

    @precondition(lambda self: self.state.speaker is not None)
    @rule(data=st.data(), text=texts)
    def facilitator_acts_for_the_speaker(self, data, text):
        self.take_the_turn(data, True, text)

    @rule(data=st.data())
    def facilitator_drives(self, data):
        kind = data.draw(
            st.sampled_from(
                [
                    "close_triage",
                    "next_phase",
                    "skip",
                    "set_absent",
                    "set_urgent",
                    "withdraw",
                    "seat",
                    "join",
                ]
            ),
            label="kind",
        )
        command = {"type": kind}
        subjects = [s.id for s in self.state.subjects]
        if kind in ("set_urgent", "withdraw") and subjects:
            command["subject"] = data.draw(st.sampled_from(subjects), label="subject")
        if kind == "set_urgent":
            command["urgent"] = data.draw(st.booleans(), label="urgent")
        if kind in ("set_absent", "join"):
            command["person"] = data.draw(st.sampled_from(self.people), label="person")
        if kind == "set_absent":
            command["absent"] = data.draw(st.booleans(), label="absent")
        if kind == "seat":
            command["order"] = data.draw(st.permutations(list(self.state.seating)), label="order")
        self.apply(command, FAC)

    # --- the group chooses, roles, the secrétaire ---------------------------------------------

    @precondition(lambda self: self.state.stage == "choice" and self.state.open_subjects)
    @rule(data=st.data())
    def someone_votes(self, data):
        # Mostly someone at the table, within the allowance: ballots are cast and replaced.
        person = data.draw(st.sampled_from(self.state.present or self.people), label="voter")
        ids = [s.id for s in self.state.open_subjects]
        size = self.state.allowance + data.draw(st.sampled_from([0, 0, 0, 1]), label="over")
        ballot = data.draw(st.lists(st.sampled_from(ids), max_size=size), label="ballot")
        self.apply({"type": "vote", "subjects": ballot}, person)

    @precondition(lambda self: self.state.stage == "choice")
    @rule(data=st.data(), close=st.booleans())
    def facilitator_records_or_closes_the_choice(self, data, close):
        if close:
            self.apply({"type": "close_choice"}, FAC)
            return
        ids = [s.id for s in self.state.open_subjects]
        order = data.draw(st.permutations(ids), label="order")
        self.apply({"type": "choose", "order": order[: max(1, len(order) // 2)]}, FAC)

    @precondition(lambda self: self.state.stage == "order" and self.state.open_subjects)
    @rule(data=st.data(), reason=texts)
    def facilitator_overrides_the_choice(self, data, reason):
        subject = data.draw(st.sampled_from(self.state.open_subjects), label="subject")
        self.apply({"type": "override", "subject": subject.id, "reason": reason}, FAC)

    @precondition(lambda self: self.state.seating)
    @rule(data=st.data(), role=st.sampled_from(ROLES), for_subject=st.booleans(),
          nobody=st.booleans())
    def facilitator_names_a_role(self, data, role, for_subject, nobody):
        person = None if nobody else data.draw(st.sampled_from(self.state.seating))
        command = {"type": "set_role", "role": role, "person": person, "subject": for_subject}
        self.apply(command, FAC)

    @precondition(lambda self: self.state.holder("secretaire") is not None)
    @rule(text=texts)
    def secretaire_writes_an_idea(self, text):
        self.apply({"type": "idea", "text": text}, self.state.holder("secretaire"))

    @precondition(lambda self: self.late)
    @rule(data=st.data())
    def someone_arrives_late(self, data):
        person = data.draw(st.sampled_from(self.late), label="late")
        self.late.remove(person)
        self.apply({"type": "join"}, person)

    @precondition(lambda self: self.state.seating)
    @rule(data=st.data(), back=st.booleans())
    def someone_leaves_or_comes_back(self, data, back):
        """At any stage: the facilitator marks someone absent, or they reopen the page."""
        person = data.draw(st.sampled_from(self.state.seating), label="person")
        if back:
            self.apply({"type": "join"}, person)
        else:
            self.apply({"type": "set_absent", "person": person, "absent": True}, FAC)

    @precondition(lambda self: self.state.seating)
    @rule(data=st.data())
    def facilitator_takes_someone_off_the_table(self, data):
        """At any stage: the session stops saying its facilitator takes part."""
        person = data.draw(st.sampled_from(self.state.seating), label="person")
        before = self.state
        self.apply({"type": "unseat", "person": person}, FAC)
        if self.state is not before:
            assert person not in self.state.seating and person not in self.state.absent
            self.late.append(person)  # may be seated again

    @rule(data=st.data())
    def owner_withdraws_a_subject(self, data):
        if not self.state.subjects:
            return
        subject = data.draw(st.sampled_from(self.state.subjects), label="subject")
        self.apply({"type": "withdraw", "subject": subject.id}, subject.owner)

    @rule(data=st.data(), facilitator=st.booleans())
    def anyone_sends_anything(self, data, facilitator):
        """Random actor, random command, random fields: valid or not."""
        actor = data.draw(self.any_person(), label="actor")
        kind = data.draw(ANY_TYPE, label="type")
        command = {"type": kind}
        dynamic = {
            "person": lambda: st.one_of(self.any_person(), junk),
            "subject": lambda: st.one_of(st.sampled_from(sorted(self.seen) or [0]), junk),
            "subject_id": lambda: st.one_of(st.sampled_from(sorted(self.seen) or [0]), junk),
            "order": lambda: st.one_of(st.permutations(list(self.state.seating)), junk),
            "subjects": lambda: st.one_of(
                st.lists(st.sampled_from(sorted(self.seen) or [0]), max_size=4), junk
            ),
        }
        for key in data.draw(FIELD_KEYS, label="keys"):
            strategy = dynamic[key]() if key in dynamic else STATIC_FIELDS[key]
            command[key] = data.draw(strategy, label=key)
        # A seated person may also be a co-facilitator.
        self.apply(command, actor, facilitator=actor == FAC or (facilitator and actor != STRANGER))

    @precondition(lambda self: self.state.stage == "subject")
    @rule(minutes=st.one_of(st.none(), st.integers(1, 5)), late=st.floats(0, 2000))
    def facilitator_gives_more_time(self, minutes, late):
        """"+2 min" (or a few), sometimes long after the phase's box ran out."""
        before = self.state
        self.now += late
        command = {"type": "extend"} if minutes is None else {"type": "extend", "minutes": minutes}
        self.apply(command, FAC)
        due, due_before = phase_due(self.state), phase_due(before)
        assert due_before is not None  # a subject's phase always has a box
        # The phase now ends the minutes given after its former end, or after now if later.
        assert due == pytest.approx(max(due_before, self.now) + (minutes or 2) * 60)
        assert self.state.phase == before.phase and self.state.round == before.round

    @precondition(lambda self: self.state.handled)
    @rule()
    def facilitator_ends_the_session(self):
        # Only once a subject was handled, so most sessions run on further first.
        self.apply({"type": "end"}, FAC)

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def at_most_one_speaker(self):
        state = self.state
        if state.in_round:
            assert len(set(state.queue)) == len(state.queue), "someone twice in a round"
            assert state.speaker == state.queue[len(state.turns)]
            assert state.speaker not in state.absent, "an absent person has the turn"
            assert state.speaker in state.seating, "someone who left the table has the turn"
        elif state.stage in ("lobby", "order", "ended"):
            assert state.speaker is None

    @invariant()
    def turns_follow_the_queue(self):
        state = self.state
        assert [t.person for t in state.turns] == list(state.queue[: len(state.turns)])
        assert (state.round > 0) == state.in_round
        if state.stage == "triage":
            assert state.in_round, "a keyword round with nobody to speak"
        phase = state.current_phase
        if phase is not None and phase.mode == "round":
            assert state.in_round, "a round phase with nobody to speak"

    @invariant()
    def each_action_is_reported_on_at_most_once_by_a_present_owner(self):
        state = self.state
        reported = [o.action for o in state.outcomes]
        assert len(reported) == len(set(reported))
        plans = {a.id: a.owner for a in state.plans}
        assert set(reported) <= set(plans)
        if state.stage == "retour":
            assert set(state.queue) <= set(plans.values())

    @invariant()
    def owner_is_never_in_a_round_about_their_subject(self):
        phase = self.state.current_phase
        if phase is not None and phase.speakers == "others":
            assert self.state.current_subject.owner not in self.state.queue

    @invariant()
    def open_subjects_are_urgent_first_then_as_chosen_then_arrival(self):
        state = self.state
        ordered = state.open_subjects
        rank = {sid: i for i, sid in enumerate(state.ranking)}
        keys = [(not s.urgent, rank.get(s.id, len(rank)), s.arrival) for s in ordered]
        assert keys == sorted(keys)
        assert {s.id for s in ordered} == {s.id for s in state.subjects if s.status == "open"}
        if not state.choice:
            assert state.ranking == () and state.override is None

    @invariant()
    def votes_stay_within_the_allowance_and_secret_until_all_voted(self):
        state = self.state
        if state.stage != "choice":
            assert state.ballots == (), "who voted what outlives the choice"
        voters = [b.person for b in state.ballots]
        assert len(voters) == len(set(voters)), "two ballots of one person"
        for ballot in state.ballots:
            assert len(ballot.subjects) <= state.allowance
        if state.stage == "choice" and state.votes_shown:
            assert set(state.present) <= set(voters)
        assert all(s.votes == 0 for s in state.subjects) or state.choice == "votes"

    @invariant()
    def a_kept_idea_is_said_on_the_subject_in_progress(self):
        state = self.state
        keys = {p.key for p in state.phases}
        for contribution in state.contributions:
            if contribution.taken:
                assert contribution.kind in KINDS
                assert contribution.phase in keys
        if state.stage == "subject":
            assert all(c.phase in keys for c in state.contributions)

    @invariant()
    def the_client_is_never_secretaire_of_their_own_subject(self):
        for role in self.state.roles:
            if role.role == "secretaire" and role.subject is not None:
                subject = self.state.subject(role.subject)
                assert subject is not None and subject.owner != role.person

    @invariant()
    def no_subject_is_lost(self):
        state = self.state
        ids = [s.id for s in state.subjects]
        assert len(ids) == len(set(ids))
        assert self.seen == set(ids)
        assert all(s.status in ("open", "handled", "withdrawn") for s in state.subjects)
        assert len(state.handled) == len(set(state.handled))
        assert set(state.handled) == {s.id for s in state.subjects if s.status == "handled"}
        if state.stage == "subject":
            assert state.current_subject is not None
            assert state.current_subject.status == "open"
        else:
            assert state.current is None
        if state.stage == "ended":
            assert state.current is None and state.ended_at is not None

    @invariant()
    def extra_time_belongs_to_the_current_phase(self):
        state = self.state
        assert state.phase_extra >= 0
        if state.stage != "subject":
            assert state.phase_extra == 0

    @invariant()
    def the_planner_plans_every_open_subject_but_the_current_one(self):
        state = self.state
        result = plan(state, self.now, self.now + 120 * 60)
        others = [s.id for s in state.open_subjects if s.id != state.current]
        assert [p.subject.id for p in result.subjects] == others
        fits = [p.status == "fits" for p in result.subjects if p.status != "away"]
        assert fits == sorted(fits, reverse=True), "a subject fits after one that waits"
        for p in result.subjects:
            assert (p.status == "away") == (p.subject.owner not in state.present)
            assert (p.until is not None) == (p.status == "fits")

    def teardown(self):
        # Once per session rather than per step: JSON-like data gives back the same state.
        if hasattr(self, "state"):
            assert State.from_dict(self.state.to_dict()) == self.state


SessionMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=60,
    deadline=None,
    derandomize=True,  # the same sessions on every CI run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_random_sessions_keep_the_invariants = SessionMachine.TestCase
