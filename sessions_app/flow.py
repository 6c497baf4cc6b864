"""The rules of a session: pure, no Django, no I/O, no clock.

A session is a ``State``; every change is ``step(state, command, actor=…, facilitator=…,
now=…)`` which returns the next state (version + 1) or raises ``FlowError``. The rules come
from the source texts (``shared/seeds``):

- triage, the keyword round (000): in turn each present person proposes one keyword or
  passes; rounds go on until a whole round passes;
- order (000): urgent subjects first, then arrival order (earlier sessions first);
- a subject runs through the phases of its session's format: intervision (000) exposé,
  clarification rounds (questions only) until a whole round passes, one réaction round,
  panier; codéveloppement (002, 003) exposé, clarification, contrat, consultation,
  synthèse and action plan, apprentissages (everyone, client included); as codev
  practitioners run it, the group may choose the subjects (dot voting or consensus, votes
  secret until everyone voted), the consultants reformulate before the client states the
  contract, the client keeps ideas from the consultation (a secrétaire may write them), the
  synthèse is the client's words and a plan with due dates and signs of success, one action
  at least due by the next session;
- what is not handled stays open, in the group's backlog, for the next session.

Time is passed in (``now``, seconds since the epoch) so tests need no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Protocol, TypedDict, TypeGuard

KEYWORD_MAX = 60
TEXT_MAX = 500
ACTION_MAX = 300
SYNTHESIS_MAX = 1500

# A command as the rules read it: its "type" and its fields, each checked where it is used
# (a page may send any JSON).
Command = Mapping[str, object]
# A state as stored (``State.to_dict``): JSON, in the session's row and in its events.
StateData = dict[str, Any]


class FlowError(Exception):
    """A command the rules refuse. ``code`` is stable; the interface translates it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# --- Formats: phases are data ------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    key: str
    # "speech": the owner speaks, then says done; "round": round-robin;
    # "panier": the owner marks what they take; "plan": the owner writes actions.
    mode: str
    timebox: int  # minutes
    speakers: str = "others"  # for rounds: "others" (not the owner) or "all"
    rounds: int | None = None  # 1, or None: rounds repeat until a whole round passes
    kind: str = ""  # what a spoken turn records: question, reaction, suggestion, learning
    label: str = ""  # a name an organiser gave the phase; empty: the preset's translated name


FORMATS: dict[str, tuple[Phase, ...]] = {
    "intervision": (
        Phase("expose", "speech", 10),
        Phase("clarification", "round", 15, "others", None, "question"),
        Phase("reaction", "round", 20, "others", 1, "reaction"),
        Phase("panier", "panier", 10),
    ),
    "codev": (
        Phase("expose", "speech", 10),
        Phase("clarification", "round", 15, "others", None, "question"),
        Phase("contrat", "contract", 5, "others", 1, "reformulation"),
        Phase("consultation", "harvest", 25, "others", 1, "suggestion"),
        Phase("synthese", "synthesis", 10),
        Phase("apprentissages", "round", 10, "all", 1, "learning"),
    ),
}
# Modes whose phase runs rounds: "round"; "harvest" (a round whose ideas the owner keeps as
# they come, a secrétaire may write them); "contract" (a round of reformulations, then the
# owner states the help they want).
ROUND_MODES = ("round", "harvest", "contract")

# The building blocks an organiser shapes a format from: each is a phase's mode, who speaks
# and how many rounds (None: rounds repeat until a whole round passes).
BLOCKS: dict[str, tuple[str, str, int | None]] = {
    "speech": ("speech", "others", None),  # parole du porteur
    "rounds": ("round", "others", None),  # tours jusqu'à ce que tous passent
    "round": ("round", "others", 1),  # un tour
    "round_all": ("round", "all", 1),  # un tour pour tous, porteur compris
    "panier": ("panier", "others", None),
    "plan": ("plan", "others", None),
    "contract": ("contract", "others", 1),  # reformulations, then « Aidez-moi à… »
    "harvest": ("harvest", "others", 1),  # consultation: the owner keeps ideas
    "synthesis": ("synthesis", "others", None),  # the owner's synthesis and dated plan
}
KINDS = ("question", "reaction", "suggestion", "learning")
# What the turns of a contract or harvest phase record, whatever the organiser chose.
FIXED_KINDS = {"contract": "reformulation", "harvest": "suggestion"}
PHASES_MAX = 12
TIMEBOX_MAX = 120
LABEL_MAX = 60


def block_of(phase: Phase) -> str:
    """The building block a phase is made of."""
    for name, (mode, speakers, rounds) in BLOCKS.items():
        if phase.mode == mode and (mode != "round" or (phase.speakers, phase.rounds) == (
            speakers, rounds
        )):
            return name
    return "round" if phase.mode == "round" else phase.mode


def make_phase(key: str, block: str, timebox: int, kind: str = "", label: str = "") -> Phase:
    """A phase from a building block; raises FlowError on anything the rules do not know."""
    if block not in BLOCKS:
        raise FlowError("bad_phase")
    if not _is_int(timebox) or not 1 <= timebox <= TIMEBOX_MAX:
        raise FlowError("bad_phase")
    if not isinstance(key, str) or not key or len(key) > 20:
        raise FlowError("bad_phase")
    if not isinstance(label, str) or len(label) > LABEL_MAX:
        raise FlowError("bad_phase")
    mode, speakers, rounds = BLOCKS[block]
    if mode == "round":
        kind = kind if kind in KINDS else "question"
    else:
        kind = FIXED_KINDS.get(mode, "")
    return Phase(key, mode, timebox, speakers, rounds, kind, label.strip())


def phases_from_data(items: object) -> tuple[Phase, ...]:
    """A format's phases from plain data (what a session freezes when it starts): each a
    dict with key, block, timebox, kind and label. At least one phase, at most PHASES_MAX,
    keys unique."""
    if not isinstance(items, (list, tuple)) or not 1 <= len(items) <= PHASES_MAX:
        raise FlowError("bad_phase")
    phases = []
    for item in items:
        if not isinstance(item, dict):
            raise FlowError("bad_phase")
        phases.append(make_phase(
            item.get("key", ""), item.get("block", ""), item.get("timebox", 0),
            item.get("kind", ""), item.get("label", ""),
        ))
    if len({p.key for p in phases}) != len(phases):
        raise FlowError("bad_phase")
    return tuple(phases)


class PhaseData(TypedDict):
    """A phase as plain data: what a format's editor and a session's frozen steps hold."""

    key: str
    block: str
    timebox: int
    kind: str
    label: str


def phase_data(phase: Phase) -> PhaseData:
    """A phase as plain data, the inverse of ``make_phase``."""
    return {"key": phase.key, "block": block_of(phase), "timebox": phase.timebox,
            "kind": phase.kind, "label": phase.label}


STAGES = ("lobby", "retour", "triage", "choice", "order", "subject", "ended")
# How the subjects of a session are ordered after the keyword round: by arrival (000), or
# chosen by the group (codev practice): dot voting, or a consensus the facilitator records.
CHOICES = ("", "votes", "consensus")
ALLOWANCE_MAX = 5
ROLES = ("secretaire", "gardien")


# --- State ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    id: int
    owner: int
    keyword: str
    arrival: int  # position in the group's arrival order: earlier sessions come first
    urgent: bool = False
    status: str = "open"  # open | handled | withdrawn
    carried: bool = False  # proposed at an earlier session
    confirmed: bool = False  # a carried subject its owner said is still current (001)
    votes: int = 0  # the votes it got when the group chose, once counted


@dataclass(frozen=True)
class PlanItem:
    """One action of the current subject's plan: what, by when (an ISO date; empty: by the
    next session) and how its owner will know it worked (« signe de réussite »)."""

    text: str
    due: str = ""
    sign: str = ""


@dataclass(frozen=True)
class Ballot:
    """One person's votes while the group chooses (secret: the pages show counts only,
    once everyone at the table has voted). A subject may get several of one's votes."""

    person: int
    subjects: tuple[int, ...] = ()


@dataclass(frozen=True)
class Role:
    """An optional role (codev): ``secretaire`` writes the consultation's ideas for the
    client, ``gardien`` keeps the clocks; for the whole session (``subject`` None) or one
    subject."""

    role: str
    person: int
    subject: int | None = None


@dataclass(frozen=True)
class PlanAction:
    """An open action of a plan made at an earlier session, to report back on (003)."""

    id: int
    owner: int
    text: str
    status: str = "todo"
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    """What became of a plan's action, said at the report back; ``subject`` when it became
    a new subject."""

    action: int
    status: str
    note: str = ""
    subject: int | None = None


ACTION_STATUSES = ("todo", "doing", "done", "dropped")


@dataclass(frozen=True)
class Turn:
    person: int
    action: str  # spoke | passed | skipped


@dataclass(frozen=True)
class Contribution:
    n: int
    person: int
    phase: str
    round: int
    # question | reaction | suggestion | learning | reformulation (said on a turn), request
    # (the owner's contract), synthesis (the owner's), pass, absent
    kind: str
    text: str = ""
    taken: bool = False
    note: str = ""


@dataclass(frozen=True)
class State:
    format: str = "intervision"
    version: int = 0
    stage: str = "lobby"
    seating: tuple[int, ...] = ()
    absent: tuple[int, ...] = ()
    subjects: tuple[Subject, ...] = ()
    current: int | None = None  # id of the subject being handled
    phase: int = 0  # index into the format's phases
    round: int = 0  # number of the current round, 0 when no round runs
    queue: tuple[int, ...] = ()  # turn order of the current round
    turns: tuple[Turn, ...] = ()  # turns already taken in the current round
    contributions: tuple[Contribution, ...] = ()  # of the current subject
    actions: tuple[PlanItem, ...] = ()  # the current subject's plan (synthèse or panier)
    handled: tuple[int, ...] = ()  # subjects handled in this session, in order
    started_at: float | None = None
    phase_started_at: float | None = None
    ended_at: float | None = None
    plans: tuple[PlanAction, ...] = ()  # open actions of earlier plans, for the report back
    outcomes: tuple[Outcome, ...] = ()  # what the report back said of them
    phase_extra: float = 0  # minutes added to the current phase's time box ("+2 min")
    # The phases of the session's format, frozen when it starts; empty: the preset's.
    steps: tuple[Phase, ...] = ()
    choice: str = ""  # how the group chooses its subjects (CHOICES), set at start
    allowance: int = 0  # votes per person when it votes
    ballots: tuple[Ballot, ...] = ()  # while choosing; emptied once counted
    ranking: tuple[int, ...] = ()  # subjects in the order the choice gave
    override: int | None = None  # a subject the facilitator put first after the choice…
    override_reason: str = ""  # …and why, shown to all
    override_by: int | None = None
    roles: tuple[Role, ...] = ()
    next_on: str = ""  # the group's next session (ISO date), when one is planned

    # Derived views, used by the pages and the tests.

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.steps or FORMATS[self.format]

    @property
    def current_phase(self) -> Phase | None:
        if self.stage != "subject":
            return None
        return self.phases[self.phase]

    @property
    def current_subject(self) -> Subject | None:
        return self.subject(self.current) if self.current is not None else None

    def subject(self, subject_id: int) -> Subject | None:
        for subject in self.subjects:
            if subject.id == subject_id:
                return subject
        return None

    @property
    def present(self) -> tuple[int, ...]:
        return tuple(p for p in self.seating if p not in self.absent)

    @property
    def in_round(self) -> bool:
        return self.round > 0 and len(self.turns) < len(self.queue)

    @property
    def speaker(self) -> int | None:
        """The one person whose turn it is, if anybody's."""
        if self.in_round:
            return self.queue[len(self.turns)]
        phase, subject = self.current_phase, self.current_subject
        if phase is not None and phase.mode not in ("round", "harvest") and subject is not None:
            return subject.owner
        return None

    @property
    def joining_next_round(self) -> tuple[int, ...]:
        """Present people the running round does not include (seated or back after it began):
        a round in progress keeps its queue, they take the turn from the next one."""
        if not self.in_round:
            return ()
        return tuple(p for p in _round_queue(self) if p not in self.queue)

    @property
    def next_speaker(self) -> int | None:
        """Who speaks after the current speaker in this round: someone absent is skipped
        when their turn comes, so they are never "next"."""
        if not self.in_round:
            return None
        for person in self.queue[len(self.turns) + 1 :]:
            if not self.away(person):
                return person
        return None

    def away(self, person: int) -> bool:
        """Skipped when their turn comes: marked absent, or no longer at the table."""
        return person in self.absent or person not in self.seating

    @property
    def open_subjects(self) -> tuple[Subject, ...]:
        """Open subjects in the order they will be handled: urgent first, then as the group
        chose (if it did), then arrival."""
        rank = {sid: i for i, sid in enumerate(self.ranking)}
        return tuple(
            sorted(
                (s for s in self.subjects if s.status == "open"),
                key=lambda s: (not s.urgent, rank.get(s.id, len(rank)), s.arrival),
            )
        )

    @property
    def voters(self) -> tuple[int, ...]:
        """Who at the table has voted, while the group chooses by votes."""
        cast = {b.person for b in self.ballots}
        return tuple(p for p in self.present if p in cast)

    @property
    def votes_shown(self) -> bool:
        """Votes are secret until everyone at the table has voted, then shown as counts."""
        if self.choice != "votes":
            return False
        if self.stage != "choice":
            return self.stage in ("order", "subject", "ended")
        return bool(self.present) and len(self.voters) == len(self.present)

    def vote_counts(self) -> dict[int, int]:
        """Votes per subject: counted from the ballots while choosing, else as counted."""
        if self.stage == "choice":
            counts: dict[int, int] = {}
            for ballot in self.ballots:
                for sid in ballot.subjects:
                    counts[sid] = counts.get(sid, 0) + 1
            return counts
        return {s.id: s.votes for s in self.subjects if s.votes}

    def ballot_of(self, person: int | None) -> tuple[int, ...]:
        for ballot in self.ballots:
            if ballot.person == person:
                return ballot.subjects
        return ()

    def holder(self, role: str) -> int | None:
        """Who holds ``role`` now: for the subject in progress, else for the session."""
        session_wide = None
        for held in self.roles:
            if held.role != role:
                continue
            if held.subject is not None and held.subject == self.current:
                return held.person
            if held.subject is None:
                session_wide = held.person
        return session_wide

    @property
    def request(self) -> str:
        """The contract the owner stated for the subject in progress (« Aidez-moi à… »)."""
        return next((c.text for c in self.contributions if c.kind == "request"), "")

    @property
    def synthesis(self) -> str:
        return next((c.text for c in self.contributions if c.kind == "synthesis"), "")

    def to_dict(self) -> StateData:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> State:
        data = dict(data)
        data["subjects"] = tuple(Subject(**s) for s in data.get("subjects", ()))
        data["turns"] = tuple(Turn(**t) for t in data.get("turns", ()))
        data["contributions"] = tuple(Contribution(**c) for c in data.get("contributions", ()))
        data["plans"] = tuple(PlanAction(**a) for a in data.get("plans", ()))
        data["outcomes"] = tuple(Outcome(**o) for o in data.get("outcomes", ()))
        data["steps"] = tuple(Phase(**p) for p in data.get("steps", ()))
        data["actions"] = tuple(
            PlanItem(text=a) if isinstance(a, str) else PlanItem(**a)
            for a in data.get("actions", ())
        )
        data["ballots"] = tuple(
            Ballot(b["person"], tuple(b.get("subjects", ()))) for b in data.get("ballots", ())
        )
        data["roles"] = tuple(Role(**r) for r in data.get("roles", ()))
        for key in ("seating", "absent", "queue", "handled", "ranking"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def new_state(format: str, backlog: list[Subject] | tuple[Subject, ...] = ()) -> State:
    """A session in its lobby, with the group's open subjects carried over."""
    if format not in FORMATS:
        raise FlowError("unknown_format")
    carried = tuple(replace(s, carried=True, urgent=False, votes=0) for s in backlog)
    return State(format=format, subjects=carried)


def stage_and_times(data: Mapping[str, Any]) -> tuple[str, float | None, float | None]:
    """A stored state's stage, start and end (seconds since the epoch): what the session's
    columns hold, read here so that nothing else reads the state by key."""
    return data.get("stage", "lobby"), data.get("started_at"), data.get("ended_at")


def at_table(data: Mapping[str, Any], person: int) -> bool:
    """Whether ``person`` is seated, and not marked absent, in a stored state."""
    return person in data.get("seating", ()) and person not in data.get("absent", ())


@dataclass(frozen=True)
class Structure:
    """What an ended session's state holds apart from its texts, for counting (the Bilan):
    who was at the table, the steps it froze (empty: its preset's), how many of its
    subjects were carried from an earlier session and how many are still open, how many
    votes the group gave when it chose its subjects (counts only: no ballot). The session
    keeps it in a column of its own, so the figures never load a state (no keyword, no
    text)."""

    present: tuple[int, ...] = ()
    steps: tuple[Phase, ...] = ()
    carried: int = 0
    open: int = 0
    votes: int = 0

    def as_data(self) -> dict[str, object]:
        return {
            "present": list(self.present),
            "steps": [asdict(p) for p in self.steps],
            "carried": self.carried,
            "open": self.open,
            "votes": self.votes,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Structure:
        return cls(
            present=tuple(data.get("present", ())),
            steps=tuple(Phase(**p) for p in data.get("steps", ())),
            carried=data.get("carried", 0),
            open=data.get("open", 0),
            votes=data.get("votes", 0),
        )


def structure(data: Mapping[str, Any]) -> Structure:
    """The ``Structure`` of a stored state."""
    absent = set(data.get("absent", ()))
    subjects = data.get("subjects", ())
    return Structure(
        present=tuple(p for p in data.get("seating", ()) if p not in absent),
        steps=tuple(Phase(**p) for p in data.get("steps", ())),
        carried=sum(1 for s in subjects if s.get("carried")),
        open=sum(1 for s in subjects if s.get("status", "open") == "open"),
        votes=sum(s.get("votes", 0) for s in subjects),
    )


# --- Commands ------------------------------------------------------------------------------

FACILITATOR_ONLY = {
    "choose",
    "close_choice",
    "override",
    "set_role",
    "learn",
    "seat",
    "shuffle",
    "move",
    "undo",
    "start",
    "skip",
    "set_absent",
    "unseat",
    "close_triage",
    "set_urgent",
    "begin_subject",
    "next_phase",
    "end",
    "extend",
}
COMMANDS = FACILITATOR_ONLY | {
    "join",
    "propose",
    "pass",
    "speak",
    "done",
    "withdraw",
    "take",
    "add_action",
    "remove_action",
    "report",
    "confirm",
    "vote",
    "idea",
    "synthesize",
}


def step(
    state: State,
    command: Command,
    *,
    actor: int,
    facilitator: bool,
    now: float,
    members: Collection[int] | None = None,
) -> State:
    """Apply one command for ``actor``; return the next state or raise FlowError.

    ``facilitator`` says whether ``actor`` drives this session; ``members`` are the group's
    active members (who may be seated), when the caller knows them. What needs chance or
    the database comes in the command: the shuffled ``order`` of a shuffle, the
    ``subject_id`` of a proposal, the group's ``backlog`` at start, the ``previous`` state
    an undo goes back to.
    """
    kind = command.get("type") if isinstance(command, dict) else None
    if not isinstance(kind, str) or kind not in COMMANDS:
        raise FlowError("unknown_command")
    # The gardien·ne du temps has the overrun controls of their subject (or session).
    if kind in FACILITATOR_ONLY and not facilitator and not (
        kind == "extend" and state.holder("gardien") == actor
    ):
        raise FlowError("facilitator_only")
    # An ended session takes no command but its facilitator's undo, which reopens a session
    # ended by mistake where it stopped (the page offers it once the session has ended).
    if state.stage == "ended" and kind != "undo":
        raise FlowError("session_ended")
    handler = _HANDLERS[kind]
    result = handler(state, command, actor=actor, facilitator=facilitator, now=now)
    if members is not None and set(result.seating) - set(state.seating) - set(members):
        raise FlowError("bad_person")  # only the group's active members are seated
    return replace(result, version=state.version + 1)


@dataclass(frozen=True)
class Allowed:
    """What one person may send now, as ``step`` decides it: the page offers these and no
    other (``allowed``)."""

    # The subject ``begin_subject`` without a subject begins, if it may be sent.
    begin: int | None
    # Whether ``undo`` may be sent (the state it returns to comes from the event log).
    undo: bool
    # Per open subject: which of SUBJECT_COMMANDS ``step`` accepts for it.
    subjects: Mapping[int, frozenset[str]]
    # Which of FREE_COMMANDS (the choice, roles, harvest, synthesis, clocks) it accepts now.
    commands: frozenset[str] = frozenset()

    def of(self, subject_id: int) -> frozenset[str]:
        return self.subjects.get(subject_id, frozenset())

    def may(self, kind: str) -> bool:
        return kind in self.commands


SUBJECT_COMMANDS = ("begin_subject", "set_urgent", "withdraw", "confirm")
FREE_COMMANDS = (
    "vote", "choose", "close_choice", "override", "set_role", "learn", "idea", "synthesize",
    "take", "add_action", "extend",
)


def allowed(state: State, actor: int | None, facilitator: bool) -> Allowed:
    """The commands on subjects, ``begin_subject`` and ``undo`` that ``step`` accepts from
    ``actor`` (who drives if ``facilitator``) in ``state``: the same rules as the handlers,
    asked before a click instead of after (tests check they agree on random sessions)."""

    def may(kind: str) -> bool:
        if kind in FACILITATOR_ONLY and not facilitator:
            return False
        return state.stage != "ended" or kind == "undo"

    present = set(state.present)
    ordering = state.stage in ("order", "triage")
    subjects: dict[int, frozenset[str]] = {}
    for subject in state.subjects:
        if subject.status != "open":
            continue
        kinds = set()
        mine = subject.owner == actor or facilitator
        in_progress = subject.id == state.current
        if may("begin_subject") and ordering and subject.owner in present:
            kinds.add("begin_subject")
        if (
            may("set_urgent")
            and state.stage in URGENT_STAGES
            and not in_progress
            and not _awaits_confirmation(state, subject)
        ):
            kinds.add("set_urgent")
        if may("withdraw") and mine and not in_progress:
            kinds.add("withdraw")
        if may("confirm") and state.stage in CONFIRM_STAGES and subject.carried and mine:
            kinds.add("confirm")
        subjects[subject.id] = frozenset(kinds)
    begin = None
    if may("begin_subject") and ordering:
        begin = next((s.id for s in state.open_subjects if s.owner in present), None)
    return Allowed(
        begin=begin,
        undo=may("undo") and state.version > 0,
        subjects=subjects,
        commands=frozenset(
            _free_commands(state, actor, facilitator) if state.stage != "ended" else ()
        ),
    )


def _free_commands(state: State, actor: int | None, facilitator: bool) -> set[str]:
    """``allowed``'s FREE_COMMANDS, by the handlers' rules."""
    kinds = set()
    choosing = state.stage == "choice"
    if choosing and state.choice == "votes" and actor in state.present:
        kinds.add("vote")
    if facilitator and choosing:
        kinds.add("close_choice")
        if state.choice == "consensus":
            kinds.add("choose")
    if (
        facilitator
        and state.stage == "order"
        and state.choice
        and any(s.owner in state.present for s in state.open_subjects)
    ):
        kinds.add("override")
    if facilitator and state.seating:
        kinds.add("set_role")
    phase, subject = state.current_phase, state.current_subject
    if phase is None or subject is None:
        return kinds
    owner = facilitator or subject.owner == actor
    if (
        facilitator
        and actor not in state.seating
        and phase.mode == "round"
        and phase.kind == "learning"
        and not _has_learned(state, actor)
    ):
        kinds.add("learn")
    if phase.mode == "harvest" and state.in_round and (
        facilitator or (actor is not None and state.holder("secretaire") == actor)
    ):
        kinds.add("idea")
    if phase.mode == "synthesis" and owner:
        kinds.add("synthesize")
    if phase.mode in ("panier", "harvest", "synthesis") and owner:
        kinds.add("take")
    if phase.mode in ("plan", "panier", "synthesis") and owner:
        kinds.add("add_action")
    if facilitator or (actor is not None and state.holder("gardien") == actor):
        kinds.add("extend")
    return kinds


def action_keyword(text: str) -> str:
    """The keyword an action becomes when it turns into a new subject."""
    return " ".join(text.split())[:KEYWORD_MAX].strip()


def clean_keyword(command: Command) -> str:
    """The keyword of a proposal, as the rules accept it (spaces folded), or FlowError."""
    return _text(command, "keyword", KEYWORD_MAX, required=True)


def _text(command: Command, key: str, limit: int, *, required: bool = False) -> str:
    value = command.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FlowError("bad_text")
    value = " ".join(value.split())
    if required and not value:
        raise FlowError("text_required")
    if len(value) > limit:
        raise FlowError("text_too_long", limit=limit)
    return value


def _is_int(value: object) -> TypeGuard[int]:
    # bool is a subclass of int: True must not pass for person or subject 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _person(command: Command, key: str = "person") -> int:
    value = command.get(key)
    if not _is_int(value):
        raise FlowError("bad_person")
    return value


def _is_date(value: object) -> TypeGuard[str]:
    """An ISO date (``YYYY-MM-DD``), as the pages' date fields send it."""
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _flag_false(command: Command, key: str) -> bool:
    """An optional yes/no field, false when absent."""
    value = command.get(key, False)
    if not isinstance(value, bool):
        raise FlowError("bad_input")
    return value


def _flag(command: Command, key: str) -> bool:
    """An optional yes/no field, true when absent."""
    value = command.get(key, True)
    if not isinstance(value, bool):
        raise FlowError("bad_input")
    return value


def _require_turn(state: State, actor: int, facilitator: bool) -> int:
    speaker = state.speaker
    if speaker is None or not state.in_round:
        raise FlowError("no_turn")
    if speaker != actor and not facilitator:
        raise FlowError("not_your_turn")
    return speaker


def _in_triage_or_round_phase(state: State) -> str:
    if state.stage in ("triage", "retour"):
        return state.stage
    phase = state.current_phase
    if phase is not None and phase.mode in ROUND_MODES:
        return "round"
    raise FlowError("no_turn")


# Seating and presence


def _join(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    person = _person(command) if facilitator and "person" in command else actor
    if person in state.seating:
        if person in state.absent:
            return replace(state, absent=tuple(p for p in state.absent if p != person))
        raise FlowError("already_seated")
    return replace(state, seating=state.seating + (person,))


def _seat(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    order = command.get("order")
    if not isinstance(order, list) or not all(_is_int(p) for p in order):
        raise FlowError("bad_seating")
    if len(set(order)) != len(order) or sorted(order) != sorted(state.seating):
        raise FlowError("bad_seating")
    return replace(state, seating=tuple(order))


def _shuffle(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    return _seat(state, command, actor=actor, facilitator=facilitator, now=now)


def _move(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    person, delta = command.get("person"), command.get("delta")
    if person not in state.seating or delta not in (-1, 1) or not _is_int(delta):
        raise FlowError("bad_seating")
    order = list(state.seating)
    at = state.seating.index(person)
    order.insert(max(0, min(len(order) - 1, at + delta)), order.pop(at))
    return replace(state, seating=tuple(order))


def _set_absent(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    person = _person(command)
    if person not in state.seating:
        raise FlowError("bad_person")
    if _flag(command, "absent"):
        if person in state.absent:
            return state
        state = replace(state, absent=state.absent + (person,))
        if state.in_round and state.speaker == person:
            state = _record_turn(state, person, "skipped", now=now)
        return state
    return replace(state, absent=tuple(p for p in state.absent if p != person))


def _unseat(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """``person`` leaves the table: the person who facilitates stops taking part (the
    session no longer says she does). Not absent: gone from the seating, so nothing counts
    her absent; a round that counted her skips her turn, the next ones leave her out. The
    owner of the subject in progress stays until it is over."""
    person = _person(command)
    if person not in state.seating:
        raise FlowError("bad_person")
    subject = state.current_subject
    if subject is not None and subject.owner == person:
        raise FlowError("subject_in_progress")
    speaking = state.in_round and state.speaker == person
    state = replace(
        state,
        seating=tuple(p for p in state.seating if p != person),
        absent=tuple(p for p in state.absent if p != person),
    )
    if speaking:
        state = _record_turn(state, person, "skipped", now=now)
    return state


# Triage


def _start(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage != "lobby":
        raise FlowError("already_started")
    if not state.present:
        raise FlowError("nobody_seated")
    backlog = command.get("backlog")
    if isinstance(backlog, list):
        # The group's open subjects when the session starts: another session of the group
        # may have run since this one's lobby was opened.
        subjects = [Subject(**s) if isinstance(s, dict) else s for s in backlog]
        # What owners said in the lobby still holds: « toujours d'actualité ».
        confirmed = {s.id for s in state.subjects if s.confirmed}
        state = replace(
            state,
            subjects=tuple(
                replace(s, confirmed=s.id in confirmed)
                for s in new_state(state.format, subjects).subjects
            ),
        )
    plans = command.get("plans")
    if isinstance(plans, list):
        state = replace(state, plans=tuple(
            PlanAction(**a) if isinstance(a, dict) else a for a in plans
        ))
    steps = command.get("steps")
    if steps is not None:
        # The session's format, as it stands when the session starts: it keeps it.
        state = replace(state, steps=phases_from_data(steps))
    choice = command.get("choice", "")
    if not isinstance(choice, str) or choice not in CHOICES:
        raise FlowError("bad_input")
    allowance = command.get("allowance", 2 if choice == "votes" else 0)
    if not _is_int(allowance) or not 0 <= allowance <= ALLOWANCE_MAX or (
        choice == "votes" and not allowance
    ):
        raise FlowError("bad_input")
    next_on = command.get("next_on") or ""
    if next_on != "" and not _is_date(next_on):
        raise FlowError("bad_input")
    assert isinstance(next_on, str)
    state = replace(state, started_at=now, choice=choice, allowance=allowance, next_on=next_on)
    if command.get("retour") is True and _reporting_owners(state):
        # The session opens with the report back of those who left with a plan (003).
        state = replace(state, stage="retour", phase_started_at=now)
        return _start_round(state, now=now)
    return _to_triage(state, now)


def _to_triage(state: State, now: float) -> State:
    state = replace(
        state, stage="triage", round=0, queue=(), turns=(), phase_started_at=now, phase_extra=0
    )
    return _start_round(state, now=now)


def _reporting_owners(state: State) -> tuple[int, ...]:
    """Present owners of a plan, in seating order; an absent owner's plan waits (003)."""
    owners = {a.owner for a in state.plans}
    return tuple(p for p in state.present if p in owners)


# Report back


def _report(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The speaker says what became of one of their actions: at most once per session."""
    if state.stage != "retour":
        raise FlowError("not_in_retour")
    speaker = _require_turn(state, actor, facilitator)
    action_id = command.get("action")
    found = [a for a in state.plans if _is_int(action_id) and a.id == action_id]
    if not found or found[0].owner != speaker:
        raise FlowError("unknown_action")
    if any(o.action == action_id for o in state.outcomes):
        raise FlowError("already_reported")
    status = command.get("status", found[0].status)
    if not isinstance(status, str) or status not in ACTION_STATUSES:
        raise FlowError("bad_input")
    note = _text(command, "note", TEXT_MAX)
    subject = None
    if command.get("new_subject") is True:
        # "Cela devient un nouveau sujet": the action comes back as a keyword of its owner.
        subject_id = command.get("subject_id")
        if not _is_int(subject_id) or state.subject(subject_id) is not None:
            raise FlowError("bad_subject")
        keyword = action_keyword(found[0].text)
        state = replace(state, subjects=state.subjects + (
            Subject(id=subject_id, owner=speaker, keyword=keyword, arrival=subject_id,
                    confirmed=True),
        ))
        subject = subject_id
    outcome = Outcome(action=found[0].id, status=status, note=note, subject=subject)
    return replace(state, outcomes=state.outcomes + (outcome,))


# Still current? (001)


def _confirm(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The owner (or the facilitator) says a carried subject is still current, or withdraws
    it, before the keyword round."""
    if state.stage not in CONFIRM_STAGES:
        raise FlowError("not_in_triage")
    subject = _open_subject(state, command)
    if not subject.carried:
        raise FlowError("bad_subject")
    if subject.owner != actor and not facilitator:
        raise FlowError("not_your_subject")
    if _flag(command, "keep"):
        return _replace_subject(state, replace(subject, confirmed=True))
    return _replace_subject(state, replace(subject, status="withdrawn", urgent=False))


def _propose(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage != "triage":
        raise FlowError("not_in_triage")
    speaker = _require_turn(state, actor, facilitator)
    keyword = clean_keyword(command)
    subject_id = command.get("subject_id")
    arrival = command.get("arrival")
    if not _is_int(subject_id) or not _is_int(arrival):
        raise FlowError("bad_subject")
    if state.subject(subject_id) is not None:
        raise FlowError("bad_subject")
    subject = Subject(id=subject_id, owner=speaker, keyword=keyword, arrival=arrival)
    state = replace(state, subjects=state.subjects + (subject,))
    return _record_turn(state, speaker, "spoke", now=now)


def _close_triage(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage != "triage":
        raise FlowError("not_in_triage")
    return _after_triage(state, now)


def _after_triage(state: State, now: float) -> State:
    """After the keyword round: the group chooses its subjects, if it does and there is a
    subject to choose from; else on to the order."""
    if not state.choice or not state.open_subjects:
        return _to_order(state, now)
    return replace(
        _to_order(state, now), stage="choice", ballots=(), ranking=(), override=None,
        override_reason="", override_by=None,
    )


# The choice of subjects (codev practice)


def _require_choice(state: State, mode: str | None = None) -> None:
    if state.stage != "choice" or (mode is not None and state.choice != mode):
        raise FlowError("not_in_choice")


def _vote(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """``actor``'s ballot: up to the allowance of votes on open subjects (several on one is
    fine, none is an abstention); sent again, it replaces the previous one."""
    _require_choice(state, "votes")
    if actor not in state.present:
        raise FlowError("not_seated")
    chosen = command.get("subjects")
    if not isinstance(chosen, list) or not all(_is_int(sid) for sid in chosen):
        raise FlowError("bad_subject")
    open_ids = {s.id for s in state.open_subjects}
    if any(sid not in open_ids for sid in chosen):
        raise FlowError("bad_subject")
    if len(chosen) > state.allowance:
        raise FlowError("too_many_votes", limit=state.allowance)
    ballots = tuple(b for b in state.ballots if b.person != actor)
    return replace(state, ballots=ballots + (Ballot(actor, tuple(chosen)),))


def _choose(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The facilitator records the group's consensus: the subjects in the order chosen
    (those not named follow, by arrival)."""
    _require_choice(state, "consensus")
    order = command.get("order")
    open_ids = {s.id for s in state.open_subjects}
    if (
        not isinstance(order, list)
        or not order
        or not all(_is_int(sid) and sid in open_ids for sid in order)
        or len(set(order)) != len(order)
    ):
        raise FlowError("bad_subject")
    return replace(state, ranking=tuple(order))


def _close_choice(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The choice is over: votes are counted (and the ballots, who voted what, forgotten)
    and order the subjects, urgent ones still first; on to the order."""
    _require_choice(state)
    if state.choice == "votes":
        counts = state.vote_counts()
        subjects = tuple(
            replace(s, votes=counts.get(s.id, 0)) if s.status == "open" else s
            for s in state.subjects
        )
        ranked = sorted(
            (s for s in subjects if s.status == "open"), key=lambda s: (-s.votes, s.arrival)
        )
        state = replace(state, subjects=subjects, ranking=tuple(s.id for s in ranked))
    return replace(_to_order(state, now), ballots=())


def _override(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """After the choice, the facilitator puts a subject first, with a reason shown to all."""
    if state.stage != "order" or not state.choice:
        raise FlowError("not_in_order")
    subject = _open_subject(state, command)
    if subject.owner not in state.present:
        raise FlowError("owner_absent")
    reason = _text(command, "reason", TEXT_MAX, required=True)
    rest = tuple(sid for sid in state.ranking if sid != subject.id)
    return replace(
        state, ranking=(subject.id,) + rest, override=subject.id, override_reason=reason,
        override_by=actor,
    )


# Roles (codev)


def _set_role(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The facilitator names who holds a role — for the subject in progress (``subject``
    true) or the session — or nobody (``person`` null). The client is not the secrétaire
    of their own subject."""
    role = command.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise FlowError("bad_input")
    for_subject = _flag_false(command, "subject")
    if for_subject and state.current is None:
        raise FlowError("wrong_phase")
    scope = state.current if for_subject else None
    person = command.get("person")
    if person is not None:
        if not _is_int(person) or person not in state.seating:
            raise FlowError("bad_person")
        owner = state.current_subject.owner if state.current_subject else None
        if role == "secretaire" and for_subject and person == owner:
            raise FlowError("owner_cannot_hold")
    roles = tuple(r for r in state.roles if not (r.role == role and r.subject == scope))
    if person is not None:
        roles += (Role(role, person, scope),)
    return replace(state, roles=roles)


def _to_order(state: State, now: float) -> State:
    # The contributions and actions of the subject just handled stay in the state until
    # the next subject begins, so the last step of a subject still carries them.
    return replace(
        state,
        stage="order",
        current=None,
        phase=0,
        round=0,
        queue=(),
        turns=(),
        phase_started_at=now,
        phase_extra=0,
    )


# Order


def _set_urgent(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    subject = _open_subject(state, command)
    if subject.id == state.current:
        raise FlowError("subject_in_progress")
    urgent = _flag(command, "urgent")
    # Urgency orders the subjects still to choose from: from the keyword round until one
    # is begun, once a carried subject is said to be still current.
    if state.stage not in URGENT_STAGES:
        raise FlowError("not_in_order")
    if _awaits_confirmation(state, subject):
        raise FlowError("bad_subject")
    return _replace_subject(state, replace(subject, urgent=urgent))


URGENT_STAGES = ("triage", "choice", "order")
CONFIRM_STAGES = ("lobby", "retour", "triage")


def _awaits_confirmation(state: State, subject: Subject) -> bool:
    """A subject carried from an earlier session, before its owner said it is still current."""
    return state.stage in CONFIRM_STAGES and subject.carried and not subject.confirmed


def _withdraw(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    subject = _open_subject(state, command)
    if subject.owner != actor and not facilitator:
        raise FlowError("not_your_subject")
    if subject.id == state.current:
        raise FlowError("subject_in_progress")
    return _replace_subject(state, replace(subject, status="withdrawn", urgent=False))


def _open_subject(state: State, command: Command) -> Subject:
    subject_id = command.get("subject")
    subject = state.subject(subject_id) if _is_int(subject_id) else None
    if subject is None:
        raise FlowError("unknown_subject")
    if subject.status != "open":
        raise FlowError("subject_closed")
    return subject


def _replace_subject(state: State, subject: Subject) -> State:
    return replace(
        state, subjects=tuple(subject if s.id == subject.id else s for s in state.subjects)
    )


# Subjects and phases


def _begin_subject(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage not in ("order", "triage"):
        raise FlowError("not_in_order")
    if command.get("subject") is None:
        ordered = state.open_subjects
        if not ordered:
            raise FlowError("no_subject_left")
        # Never an absent owner's subject by default: it waits for them (001).
        here = [s for s in ordered if s.owner in state.present]
        if not here:
            raise FlowError("owner_absent")
        subject = here[0]
    else:
        subject = _open_subject(state, command)
        if subject.owner not in state.present:
            raise FlowError("owner_absent")
    state = replace(
        _to_order(state, now),
        stage="subject",
        current=subject.id,
        phase=0,
        contributions=(),
        actions=(),
    )
    return _enter_phase(state, 0, now)


def _enter_phase(state: State, index: int, now: float) -> State:
    if index >= len(state.phases):
        return _finish_subject(state, now)
    state = replace(
        state, phase=index, round=0, queue=(), turns=(), phase_started_at=now, phase_extra=0
    )
    if state.phases[index].mode in ROUND_MODES:
        return _start_round(state, now=now)
    return state


def _finish_subject(state: State, now: float) -> State:
    _, subject = _in_subject(state)
    state = _replace_subject(state, replace(subject, status="handled", urgent=False))
    state = replace(state, handled=state.handled + (subject.id,))
    return _to_order(state, now)


def _in_subject(state: State) -> tuple[Phase, Subject]:
    """The current phase and subject of a state at the "subject" stage, which has both."""
    phase, subject = state.current_phase, state.current_subject
    assert phase is not None and subject is not None, state.stage
    return phase, subject


def _round_queue(state: State) -> tuple[int, ...]:
    present = state.present
    if state.stage == "triage":
        return present
    if state.stage == "retour":
        return _reporting_owners(state)
    phase, subject = _in_subject(state)
    owner = subject.owner
    if owner in state.seating:
        # Start with the person seated after the owner, go round the table.
        at = state.seating.index(owner)
        around = state.seating[at + 1 :] + state.seating[: at + 1]
    else:
        around = state.seating
    order = tuple(p for p in around if p in present)
    if phase.speakers == "others":
        order = tuple(p for p in order if p != owner)
    return order


def _start_round(state: State, *, now: float) -> State:
    queue = _round_queue(state)
    if not queue:
        return _end_of_rounds(state, now)
    return replace(state, round=state.round + 1, queue=queue, turns=())


def _record_turn(state: State, person: int, action: str, *, now: float, text: str = "") -> State:
    """``person`` has had the turn; anyone absent next in the queue is skipped at once."""
    state = _append_turn(state, person, action, text)
    while len(state.turns) < len(state.queue) and state.away(state.queue[len(state.turns)]):
        state = _append_turn(state, state.queue[len(state.turns)], "skipped", "")
    if len(state.turns) < len(state.queue):
        return state
    return _round_complete(state, now)


def _add_contribution(
    state: State, person: int, phase_key: str, round_number: int, kind: str, text: str
) -> State:
    contribution = Contribution(
        n=len(state.contributions) + 1,
        person=person,
        phase=phase_key,
        round=round_number,
        kind=kind,
        text=text,
    )
    return replace(state, contributions=state.contributions + (contribution,))


def _append_turn(state: State, person: int, action: str, text: str) -> State:
    state = replace(state, turns=state.turns + (Turn(person, action),))
    if state.stage == "subject":
        phase, _ = _in_subject(state)
        # A skipped turn is someone's who is not there (marked absent, or « Absent·e : tour
        # suivant »): nothing said, as a pass, but not by them.
        kind = {"spoke": phase.kind, "skipped": "absent"}.get(action, "pass")
        state = _add_contribution(state, person, phase.key, state.round, kind, text)
    return state


def _round_complete(state: State, now: float) -> State:
    """Every person of the round has had the turn: another round, or the phase is over."""
    if state.stage == "retour":  # one round: each owner once
        return _to_triage(state, now)
    everyone_passed = all(t.action != "spoke" for t in state.turns)
    limit = None if state.stage == "triage" else _in_subject(state)[0].rounds
    if everyone_passed or (limit is not None and state.round >= limit):
        return _end_of_rounds(state, now)
    return _start_round(state, now=now)


def _end_of_rounds(state: State, now: float) -> State:
    if state.stage == "retour":
        return _to_triage(state, now)
    if state.stage == "triage":
        return _after_triage(state, now)
    if _in_subject(state)[0].mode == "contract":
        # The reformulations are over: the owner states the help they want.
        return replace(state, round=0, queue=(), turns=())
    return _enter_phase(state, state.phase + 1, now)


def _pass(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    _in_triage_or_round_phase(state)
    speaker = _require_turn(state, actor, facilitator)
    return _record_turn(state, speaker, "passed", now=now)


def _speak(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if _in_triage_or_round_phase(state) == "triage":
        raise FlowError("keyword_required")
    speaker = _require_turn(state, actor, facilitator or _writes_ideas(state, actor))
    text = _text(command, "text", TEXT_MAX)
    return _record_turn(state, speaker, "spoke", now=now, text=text)


def _skip(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    _in_triage_or_round_phase(state)
    speaker = _require_turn(state, actor, facilitator)
    return _record_turn(state, speaker, "skipped", now=now)


def _require_owner_phase(state: State, actor: int, facilitator: bool, *modes: str) -> Phase:
    if state.current_phase is None or state.current_phase.mode not in modes:
        raise FlowError("wrong_phase")
    phase, subject = _in_subject(state)
    if subject.owner != actor and not facilitator:
        raise FlowError("owner_only")
    return phase


def _done(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage == "retour":  # the speaker has reported back
        return _record_turn(state, _require_turn(state, actor, facilitator), "spoke", now=now)
    phase = _require_owner_phase(
        state, actor, facilitator, "speech", "panier", "plan", "contract", "synthesis"
    )
    _require_plan(state, phase)
    if phase.mode in ("speech", "contract"):
        if state.in_round:
            raise FlowError("round_in_progress")
        # At the contrat, the help the owner wants is the point of the phase (« Aidez-moi
        # à… »); after an exposé, what they ask is optional.
        text = _text(command, "text", TEXT_MAX, required=phase.mode == "contract")
        if text:
            state = _add_contribution(
                state, _in_subject(state)[1].owner, phase.key, 0, "request", text
            )
    return _enter_phase(state, state.phase + 1, now)


def _require_plan(state: State, phase: Phase) -> None:
    """Leaving a synthèse (or a plan) needs a plan; a synthèse's plan needs an action due by
    the next session (002): undated (the next session), or dated no later than it."""
    if phase.mode not in ("plan", "synthesis"):
        return
    if not state.actions:
        raise FlowError("action_required")
    if phase.mode == "synthesis" and state.next_on and not any(
        not a.due or a.due <= state.next_on for a in state.actions
    ):
        raise FlowError("plan_not_due")


def _next_phase(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    if state.stage == "retour":
        return _to_triage(state, now)
    if state.stage == "triage":
        return _to_order(state, now)
    phase = state.current_phase
    if phase is None:
        raise FlowError("wrong_phase")
    _require_plan(state, phase)
    return _enter_phase(state, state.phase + 1, now)


def _take(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    # The panier (000); in codev, the ideas the client keeps from the consultation, as they
    # come and again at the synthèse (002: every proposal counts).
    _require_owner_phase(state, actor, facilitator, "panier", "harvest", "synthesis")
    n = command.get("n")
    # What a turn said (not a pass, an absence or the owner's own request).
    found = [c for c in state.contributions if _is_int(n) and c.n == n and c.kind in KINDS]
    if not found:
        raise FlowError("unknown_contribution")
    note = _text(command, "note", TEXT_MAX)
    taken = _flag(command, "taken")
    updated = replace(found[0], taken=taken, note=note if taken else "")
    return replace(
        state,
        contributions=tuple(updated if c.n == n else c for c in state.contributions),
    )


def _add_action(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    # codev: the synthèse writes the plan; intervision: the owner may already note their
    # next actions at the panier (seed 000).
    _require_owner_phase(state, actor, facilitator, "plan", "panier", "synthesis")
    text = _text(command, "text", ACTION_MAX, required=True)
    due = command.get("due") or ""
    if due != "" and not _is_date(due):
        raise FlowError("bad_date")
    assert isinstance(due, str)
    sign = _text(command, "sign", ACTION_MAX)
    if len(state.actions) >= 20:
        raise FlowError("too_many_actions")
    return replace(state, actions=state.actions + (PlanItem(text, due, sign),))


def _remove_action(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    _require_owner_phase(state, actor, facilitator, "plan", "panier", "synthesis")
    index = command.get("index")
    if not _is_int(index) or not 0 <= index < len(state.actions):
        raise FlowError("unknown_action")
    return replace(state, actions=state.actions[:index] + state.actions[index + 1 :])


def _synthesize(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The client's synthèse, in their words: what they take from the consultation. Sent
    again, it replaces the previous one; empty, it removes it."""
    phase = _require_owner_phase(state, actor, facilitator, "synthesis")
    text = _text(command, "text", SYNTHESIS_MAX)
    kept = tuple(c for c in state.contributions if c.kind != "synthesis")
    state = replace(state, contributions=kept)
    if not text:
        return state
    n = max((c.n for c in kept), default=0) + 1
    said = Contribution(
        n=n, person=_in_subject(state)[1].owner, phase=phase.key, round=0, kind="synthesis",
        text=text,
    )
    return replace(state, contributions=kept + (said,))


def _writes_ideas(state: State, actor: int) -> bool:
    """The secrétaire writes the consultation's ideas for the client."""
    phase = state.current_phase
    return (
        phase is not None and phase.mode == "harvest" and state.holder("secretaire") == actor
    )


def _idea(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The secrétaire (or the facilitator) writes an idea said during the consultation, by
    the consultant who said it (``person``; the speaker by default)."""
    phase = state.current_phase
    if phase is None or phase.mode != "harvest" or not state.in_round:
        raise FlowError("wrong_phase")
    if not facilitator and not _writes_ideas(state, actor):
        raise FlowError("secretaire_only")
    person = command.get("person", state.speaker)
    owner = _in_subject(state)[1].owner
    if not _is_int(person) or person not in state.seating or person == owner:
        raise FlowError("bad_person")
    text = _text(command, "text", TEXT_MAX, required=True)
    return _add_contribution(state, person, phase.key, state.round, phase.kind, text)


def _has_learned(state: State, actor: int | None) -> bool:
    phase = state.current_phase
    return any(
        c.person == actor and phase is not None and c.phase == phase.key
        for c in state.contributions
    )


def _learn(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The facilitator who is not at the table shares their learnings too (003: the
    animateur learns the method as well), once, during the learnings round."""
    phase = state.current_phase
    if phase is None or phase.mode != "round" or phase.kind != "learning":
        raise FlowError("wrong_phase")
    if actor in state.seating:
        raise FlowError("not_your_turn")  # at the table: on their turn
    if _has_learned(state, actor):
        raise FlowError("already_said")
    text = _text(command, "text", TEXT_MAX, required=True)
    return _add_contribution(state, actor, phase.key, state.round, "learning", text)


def _undo(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """Back to the state before the last step not yet undone, passed in as ``previous``."""
    previous = command.get("previous")
    if not isinstance(previous, dict):
        raise FlowError("nothing_to_undo")
    return State.from_dict(previous)


def _end(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    # A subject interrupted by the end of the session is not handled: it stays open. Ballots
    # of a choice never closed are forgotten uncounted: who voted what never outlives it.
    return replace(_to_order(state, now), stage="ended", ended_at=now, ballots=())


# Time boxes


EXTEND_MAX = 30  # minutes one "+ n min" may add


def phase_box(state: State) -> float | None:
    """The current phase's time box in minutes, what "+2 min" added included; None outside
    a subject's phase."""
    phase = state.current_phase
    return None if phase is None else phase.timebox + state.phase_extra


def phase_due(state: State) -> float | None:
    """When the current phase runs over its box (seconds since the epoch), if it has one."""
    box = phase_box(state)
    if box is None or state.phase_started_at is None:
        return None
    return state.phase_started_at + box * 60


def _extend(
    state: State, command: Command, *, actor: int, facilitator: bool, now: float
) -> State:
    """The facilitator gives the current phase ``minutes`` more (2 by default). A phase
    already over its box gets them from now: "+2 min" always means two minutes more."""
    if state.current_phase is None:
        raise FlowError("wrong_phase")
    minutes = command.get("minutes", 2)
    if not _is_int(minutes) or not 1 <= minutes <= EXTEND_MAX:
        raise FlowError("bad_input")
    due = phase_due(state)
    overrun = max(0.0, (now - due) / 60) if due is not None else 0.0
    return replace(state, phase_extra=state.phase_extra + overrun + minutes)


# The planner


@dataclass(frozen=True)
class Planned:
    """One open subject in the plan of the rest of a session. ``status``: "fits" (should be
    handled tonight), "waits" (will likely wait for the next session) or "away" (its owner
    is absent: it waits for them). ``until``: for a subject that fits, the moment (seconds
    since the epoch) after which it no longer would, if nothing else changes."""

    subject: Subject
    status: str
    until: float | None = None


@dataclass(frozen=True)
class Plan:
    per_subject: int  # minutes: the sum of the format's time boxes
    current_left: float  # minutes the subject in progress still needs (0 between subjects)
    left: float  # minutes until the session's planned end
    subjects: tuple[Planned, ...]

    @property
    def fitting(self) -> tuple[Planned, ...]:
        return tuple(p for p in self.subjects if p.status == "fits")


def plan(state: State, now: float, ends_at: float) -> Plan:
    """Which open subjects should fit before ``ends_at``, in the order they will be handled.

    The subject in progress first runs to the end of its boxes (its current phase to the end
    of its box, or from now when over it); then each subject whose owner is here takes the
    sum of the format's boxes, in order, while time is left. Subjects of absent owners wait
    and take no time. As time passes with nothing else changing, a subject only ever goes
    from fitting to waiting, at its ``until``.
    """
    per_subject = sum(p.timebox for p in state.phases)
    later = 0.0
    busy_until = now
    if state.stage == "subject":
        later = float(sum(p.timebox for p in state.phases[state.phase + 1 :]))
        due = phase_due(state)
        busy_until = max(now, due if due is not None else now) + later * 60
    planned = []
    k = 0
    for subject in state.open_subjects:
        if subject.id == state.current:
            continue
        if subject.owner not in state.present:
            planned.append(Planned(subject, "away"))
            continue
        k += 1
        need = k * per_subject * 60
        if busy_until + need <= ends_at:
            planned.append(Planned(subject, "fits", ends_at - later * 60 - need))
        else:
            planned.append(Planned(subject, "waits"))
    return Plan(
        per_subject=per_subject,
        current_left=(busy_until - now) / 60,
        left=max(0.0, (ends_at - now) / 60),
        subjects=tuple(planned),
    )


class _Handler(Protocol):
    def __call__(
        self, state: State, command: Command, *, actor: int, facilitator: bool, now: float
    ) -> State: ...


_HANDLERS: dict[str, _Handler] = {
    "join": _join,
    "seat": _seat,
    "shuffle": _shuffle,
    "move": _move,
    "undo": _undo,
    "set_absent": _set_absent,
    "unseat": _unseat,
    "start": _start,
    "propose": _propose,
    "close_triage": _close_triage,
    "set_urgent": _set_urgent,
    "withdraw": _withdraw,
    "begin_subject": _begin_subject,
    "pass": _pass,
    "speak": _speak,
    "skip": _skip,
    "done": _done,
    "next_phase": _next_phase,
    "take": _take,
    "add_action": _add_action,
    "remove_action": _remove_action,
    "end": _end,
    "extend": _extend,
    "report": _report,
    "confirm": _confirm,
    "vote": _vote,
    "choose": _choose,
    "close_choice": _close_choice,
    "override": _override,
    "set_role": _set_role,
    "learn": _learn,
    "idea": _idea,
    "synthesize": _synthesize,
}


# --- Forgetting ------------------------------------------------------------------------------
# A state is stored as ``to_dict()``: in the session's row and, as ``state_before`` and an
# undo's ``previous``, in every event. Erasing a text means erasing it from every copy: these
# take stored dicts and return copies without the texts, all of them (``person`` None, the
# retention delay: the subjects' keywords stay, they are the backlog) or those one person
# wrote (their erasure: their subjects' keywords too).

ERASED_KEYWORD = "—"
_SAID = ("text", "note", "reason", "sign")


def scrub_state(data: StateData, person: int | None = None) -> StateData:
    """A copy of a stored state without the texts said (see above)."""
    if not data:
        return dict(data)

    def theirs(owner: object) -> bool:
        return person is None or owner == person

    data = dict(data)
    owners = {s.get("id"): s.get("owner") for s in data.get("subjects", ())}
    # The contributions and plan are of the current subject, else of the last one handled
    # (they stay in the state until the next subject begins).
    about = data.get("current")
    if about is None and data.get("handled"):
        about = data["handled"][-1]
    current_owner = owners.get(about)
    data["contributions"] = [
        {
            **c,
            "text": "" if theirs(c.get("person")) else c.get("text", ""),
            # The note is the subject owner's, on what they took into their panier.
            "note": "" if theirs(current_owner) else c.get("note", ""),
        }
        for c in data.get("contributions", ())
    ]
    if person is not None:
        data["subjects"] = [
            {**s, "keyword": ERASED_KEYWORD} if s.get("owner") == person else s
            for s in data.get("subjects", ())
        ]
    if theirs(current_owner):
        data["actions"] = [
            {**a, "text": "", "sign": ""} if isinstance(a, dict) else ""
            for a in data.get("actions", ())
        ]
    if theirs(data.get("override_by")):
        data["override_reason"] = ""
    plan_owners = {a.get("id"): a.get("owner") for a in data.get("plans", ())}
    data["plans"] = [
        {**a, "text": "", "note": ""} if theirs(a.get("owner")) else a
        for a in data.get("plans", ())
    ]
    data["outcomes"] = [
        {**o, "note": ""} if theirs(plan_owners.get(o.get("action"))) else o
        for o in data.get("outcomes", ())
    ]
    return data


def scrub_event(
    command: dict[str, Any],
    state_before: StateData,
    *,
    actor: int | None,
    person: int | None = None,
) -> tuple[dict[str, Any], StateData]:
    """Copies of one event's command and ``state_before`` without the texts said (see above).

    What a command carries was written by whoever it speaks for: its actor, or the person
    whose turn it was (a facilitator may type for them), or the owner of the subject or plan
    action it names.
    """
    command = dict(command)
    if person is None:
        ours = True
    else:
        before = State.from_dict(state_before) if state_before else State()
        owners = {s.id: s.owner for s in before.subjects}
        plan_owners = {a.id: a.owner for a in before.plans}
        ours = person in (
            actor,
            before.speaker,
            command.get("person"),
            owners.get(command.get("subject_id")),  # type: ignore[arg-type]
            plan_owners.get(command.get("action")),  # type: ignore[arg-type]
        )
    if ours:
        for key in _SAID:
            if isinstance(command.get(key), str):
                command[key] = ""
        if person is not None and isinstance(command.get("keyword"), str):
            command["keyword"] = ERASED_KEYWORD
    if isinstance(command.get("plans"), list):
        command["plans"] = [
            {**a, "text": "", "note": ""}
            if person is None or a.get("owner") == person
            else a
            for a in command["plans"]
        ]
    if person is not None and isinstance(command.get("backlog"), list):
        command["backlog"] = [
            {**s, "keyword": ERASED_KEYWORD} if s.get("owner") == person else s
            for s in command["backlog"]
        ]
    if isinstance(command.get("previous"), dict):
        command["previous"] = scrub_state(command["previous"], person)
    return command, scrub_state(state_before, person)
