"""What the live page shows and offers of codéveloppement as practitioners run it (002, 003):
the group's choice of subjects, the override of that choice, the roles held, the contract,
the harvest of the consultation, the client's synthesis and dated plan, the animateur's
learnings.

``method_context`` adds these to ``render.live_context``, for one audience, from the state
alone. What each person may send is what the rules accept (``flow.allowed``): the
facilitator's frame offers what whoever drives may do; as one frame serves every person of
an audience, a control that only some people may use says who (``offered``: their ids, which
the page's script matches against its own, as ``data-only-for`` does), among the people of
that audience only.

Ballots are secret (``flow.Ballot``): nothing here reads them but through ``state.voters``
(who voted) and, once everyone has voted, ``state.vote_counts`` (counts per subject). A
person's own ballot reaches only their own page (``views.session.session_page``).
"""

from collections.abc import Iterable
from datetime import date

from . import flow
from .clocks import Namer
from .regions import Context
from .texts import KIND_LABELS, ROLE_LABELS

# The commands offered to some people only, in a frame every person of the audience gets.
PERSONAL = ("vote", "idea", "extend", "learn")
# Phase modes that belong to the method (a format built of them shows the roles).
METHOD_MODES = ("contract", "harvest", "synthesis")
# What a turn says that the client may keep: ideas, not questions or learnings.
IDEAS = ("suggestion", "reaction")


def _ids(people: Iterable[int]) -> str:
    return " ".join(str(p) for p in people)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def method_context(
    state: flow.State, facilitators: Iterable[int], audience: str, name: Namer,
    driving: flow.Allowed,
) -> Context:
    facilitating = set(facilitators)
    # The people this audience's frame is for: those who drive, or the others at the table.
    audience_of = facilitating if audience == "facilitator" else set(state.seating) - facilitating
    allowed = {
        pid: flow.allowed(state, pid, pid in facilitating).commands
        for pid in sorted(audience_of)
    }
    offered = {
        kind: _ids(pid for pid, kinds in allowed.items() if kind in kinds) for kind in PERSONAL
    }
    phase, subject = state.current_phase, state.current_subject
    shows_roles = state.format == "codev" or bool(state.roles) or any(
        p.mode in METHOD_MODES for p in state.phases
    )
    return {
        "drive": tuple(sorted(driving.commands)) if audience == "facilitator" else (),
        "offered": offered,
        "choice": _choice(state, name),
        "override": _override(state),
        "override_options": [
            {"s": s, "owner": name(s.owner)}
            for s in state.open_subjects
            if s.owner in state.present
        ] if audience == "facilitator" and driving.may("override") else [],
        "roles": [
            {"role": role, "label": ROLE_LABELS[role], "id": holder, "name": name(holder)}
            for role in flow.ROLES
            if (holder := state.holder(role)) is not None
        ] if state.stage != "ended" else [],
        "role_forms": _role_forms(state, name) if (
            audience == "facilitator" and driving.may("set_role") and shows_roles
        ) else [],
        "contract": state.request if subject is not None else "",
        "synthesis": state.synthesis if phase is not None and phase.mode == "synthesis" else "",
        "ideas": _ideas(state, name),
        "consultants": [
            {"id": pid, "name": name(pid)}
            for pid in state.seating
            if subject is not None and pid != subject.owner
        ] if phase is not None and phase.mode == "harvest" else [],
        "plan": [
            {"i": i, "a": item, "due": _date(item.due)} for i, item in enumerate(state.actions)
        ] if phase is not None and phase.mode == "synthesis" else [],
        "next_on": _date(state.next_on),
        "synthesis_max": flow.SYNTHESIS_MAX,
    }


def _choice(state: flow.State, name: Namer) -> Context | None:
    """The choice stage, as everyone may see it: how many voted, and the counts once
    everyone has (never who voted what)."""
    if state.stage != "choice":
        return None
    shown = state.votes_shown
    counts = state.vote_counts() if shown else {}
    subjects = state.open_subjects
    ids = [s.id for s in subjects]

    def moved(i: int, delta: int) -> str:
        order = list(ids)
        order.insert(i + delta, order.pop(i))
        return _ids(order)

    return {
        "mode": state.choice,
        "allowance": state.allowance,
        "voted": len(state.voters),
        "present": len(state.present),
        "voters": _ids(state.voters),
        "shown": shown,
        "subjects": [
            {
                "s": s, "owner": name(s.owner), "away": s.owner not in state.present,
                "votes": counts.get(s.id, 0) if shown else None,
                # The consensus being recorded: the order with this subject one place up
                # or down (the facilitator's arrows).
                "up": moved(i, -1) if i > 0 else "",
                "down": moved(i, 1) if i < len(ids) - 1 else "",
            }
            for i, s in enumerate(subjects)
        ],
    }


def _override(state: flow.State) -> Context | None:
    """The facilitator's override of the choice, shown to all while its subject waits or
    runs."""
    if state.override is None or state.stage not in ("order", "subject"):
        return None
    subject = state.subject(state.override)
    if subject is None or subject.status != "open":
        return None
    return {"s": subject, "reason": state.override_reason}


def _role_forms(state: flow.State, name: Namer) -> list[Context]:
    forms = []
    for role in flow.ROLES:
        for_subject = next(
            (r.person for r in state.roles
             if r.role == role and r.subject is not None and r.subject == state.current),
            None,
        )
        for_session = next(
            (r.person for r in state.roles if r.role == role and r.subject is None), None
        )
        forms.append({
            "role": role, "label": ROLE_LABELS[role], "holder": state.holder(role),
            "subject_holder": name(for_subject) if for_subject is not None else None,
            "session_holder": name(for_session) if for_session is not None else None,
        })
    return forms


def _ideas(state: flow.State, name: Namer) -> list[Context]:
    """The ideas the client may keep: those of the consultation as they come; at the
    synthèse, every idea of the subject, for review."""
    phase = state.current_phase
    if phase is None or phase.mode not in ("harvest", "synthesis"):
        return []
    return [
        {"c": c, "name": name(c.person), "kind": KIND_LABELS.get(c.kind, c.kind)}
        for c in state.contributions
        if c.kind in flow.KINDS
        and (c.phase == phase.key if phase.mode == "harvest" else c.kind in IDEAS)
    ]
