"""Render a live page from a snapshot, region by region, each only when its inputs change.

``live_context`` is what the live region's templates read, for one audience, from the
snapshot alone (the texts from ``texts``, chosen by ``formats``; the clocks from ``clocks``;
what the codéveloppement method shows and offers from ``method``); ``display_context`` the
little the screen-sharing display shows. The region is made of named partials, each
rendered again only when the context values it reads change (``regions``).

The consumer and the views both render from the broadcast snapshot, so an update costs no
SQL query per connection, and a process builds each (version, audience, language) once
whatever the number of sockets watching it (``live_render``); the consumer sends a page the
regions that changed since its previous frame (``Rendered.frame_after``), every region after
a (re)connect (``Rendered.whole``).
"""

from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from . import flow, formats
from .clocks import timer_context
from .method import method_context
from .regions import (
    REGION_IDS,
    REGIONS,
    Context,
    Input,
    Rendered,
    region_cache,
    region_key,
    render_region,
)
from .snapshot import Snapshot
from .texts import ACTION_STATUS_LABELS, KIND_LABELS, STAGE_LABELS


def live_context(snap: Snapshot, audience: str) -> Context:
    state = flow.State.from_dict(snap["state"])
    people = {int(k): v for k, v in snap["people"].items()}

    def name(pid: int | None) -> str | None:
        return people.get(pid, "—") if pid is not None else None

    phase = state.current_phase
    subject = state.current_subject
    texts = snap.get("texts") or {}
    queue = []
    for index, pid in enumerate(state.queue):
        if index < len(state.turns):
            status = state.turns[index].action
        elif index == len(state.turns):
            status = "current"
        elif state.away(pid):
            status = "away"  # skipped when their turn comes
        else:
            status = "upcoming"
        queue.append({"id": pid, "name": name(pid), "status": status})
    confirming = state.stage in flow.CONFIRM_STAGES
    running = state.stage not in ("lobby", "ended")
    # What the page offers is what the rules accept (``flow.allowed``): the facilitator's
    # for whoever drives; on the participants' page, each subject's menu is its owner's.
    driving = flow.allowed(state, None, True)
    owners: dict[int, flow.Allowed] = {}
    subjects: list[Context] = []
    for i, s in enumerate(state.open_subjects):
        if s.id == state.current:
            continue
        # Still current? Asked of carried subjects before the keyword round (001).
        ask = confirming and s.carried and not s.confirmed
        away = running and s.owner not in state.present
        if audience == "facilitator":
            may = driving.of(s.id)
        else:
            if s.owner not in owners:
                owners[s.owner] = flow.allowed(state, s.owner, False)
            may = owners[s.owner].of(s.id)
        subjects.append({
            "s": s, "owner": name(s.owner), "position": i + 1, "ask": ask, "away": away,
            # What the subject's menu offers (the facilitator's; the owner's is withdraw).
            "withdrawable": running and not ask and "withdraw" in may,
            "urgent_toggle": "set_urgent" in may,
            # An absent owner's subject waits for them: never begun without them (flow).
            "beginnable": state.stage == "order" and "begin_subject" in may,
        })
    handled = [state.subject(sid) for sid in state.handled]
    contributions: list[Context] = [
        {"c": c, "name": name(c.person), "kind": KIND_LABELS.get(c.kind, c.kind)}
        for c in state.contributions
    ]
    outcomes = {o.action: o for o in state.outcomes}
    report_items = [
        {"a": a, "outcome": outcomes.get(a.id),
         "status": ACTION_STATUS_LABELS.get(a.status, a.status)}
        for a in state.plans
        if a.owner == state.speaker
    ] if state.stage == "retour" else []
    reported = [
        {"a": a, "owner": name(a.owner), "o": outcomes[a.id],
         "status": ACTION_STATUS_LABELS.get(outcomes[a.id].status, outcomes[a.id].status)}
        for a in state.plans
        if a.id in outcomes
    ]
    joining = state.joining_next_round
    return {
        "snap": snap,
        "report_items": report_items,
        "reported": reported,
        "action_statuses": list(ACTION_STATUS_LABELS.items()),
        "present": state.present,
        "cmd": reverse("session_command", args=[snap["id"]]),
        "state": state,
        "is_facilitator_view": audience == "facilitator",
        "stage_label": STAGE_LABELS[state.stage],
        "phase": phase,
        "phase_label": formats.label(phase.key, phase.label) if phase else None,
        "rule": (
            formats.rule(
                phase.key, texts.get("rule", ""), timebox=phase.timebox, family=state.format
            )
            if phase
            else formats.rule(state.stage, stage=True, family=state.format)
        ),
        # The job-aid of the current stage or phase, for whoever drives.
        "job_aid": (
            formats.aid(
                phase.key if phase else state.stage,
                texts.get("aid", ""),
                timebox=phase.timebox if phase else None,
                family=state.format,
            )
            if audience == "facilitator" else ""
        ),
        "phase_steps": [
            {
                "key": p.key,
                "label": formats.label(p.key, p.label),
                "current": phase is not None and i == state.phase,
                "done": phase is not None and i < state.phase,
            }
            for i, p in enumerate(state.phases)
        ],
        "subject": subject,
        "owner_name": name(subject.owner) if subject else None,
        "owner_id": subject.owner if subject else "",
        "speaker": state.speaker,
        "speaker_name": name(state.speaker),
        "next_speaker": state.next_speaker,
        "next_name": name(state.next_speaker),
        "queue": queue,
        "seating": [
            {
                "id": pid,
                "name": name(pid),
                "absent": pid in state.absent,
                "joining": pid in joining,
                "first": i == 0,
                "last": i == len(state.seating) - 1,
                **(presence_labels(name(pid)) if audience == "facilitator" else {}),
            }
            for i, pid in enumerate(state.seating)
        ],
        "unseated": [
            {"id": int(pid), "name": n}
            for pid, n in snap["people"].items()
            if int(pid) not in state.seating
        ],
        # Seated (or back) after the running round began: they speak from the next one.
        "joining": [{"id": pid, "name": name(pid)} for pid in joining],
        "subjects": subjects,
        # What "Commencer ce sujet" begins, as the rules choose it (``flow.allowed``).
        "next_subject": next((item for item in subjects if item["s"].id == driving.begin), None),
        "can_undo": driving.undo,
        "subject_count": sum(1 for s in state.subjects if s.status != "withdrawn"),
        # Waiting: open and not the one being handled now.
        "open_count": sum(1 for s in state.open_subjects if s.id != state.current),
        "handled": [{"s": s, "owner": name(s.owner)} for s in handled if s],
        "contributions": contributions,
        "takeable": [c for c in contributions if c["c"].kind in flow.KINDS],
        "actions": list(enumerate(state.actions)),
        "keyword_max": flow.KEYWORD_MAX,
        "text_max": flow.TEXT_MAX,
        "action_max": flow.ACTION_MAX,
        **timer_context(snap, state, name),
        **method_context(state, snap["facilitators"], audience, name, driving),
    }


def presence_labels(person: str | None) -> dict[str, str]:
    """The presence card's labels that name a person, for the facilitator's frame: the same
    messages as a ``blocktranslate`` would give, at a fraction of its cost per person."""
    values = {"name": person}
    return {
        "mark_present": gettext("Marquer %(name)s présent·e") % values,
        "confirm_absent": gettext(
            "Marquer %(name)s absent·e ? Son tour sera passé jusqu’à son retour."
        ) % values,
        "mark_absent": gettext("Marquer %(name)s absent·e") % values,
    }


def display_context(snap: Snapshot) -> Context:
    """What the screen-sharing display shows, and nothing more: the stage and phase, the
    current subject's keyword and owner, who speaks, the turn order and the clocks. None of
    the waiting subjects, contributions, plans or reports reaches its template."""
    full = live_context(snap, "display")
    state = full["state"]
    subject = full["subject"]
    return {
        "snap": {"id": snap["id"], "title": snap["title"], "duration": snap["duration"]},
        "version": state.version,
        "stage": state.stage,
        "round": state.round,
        "in_round": state.in_round,
        "started_at": state.started_at,
        "ended_at": state.ended_at,
        "phase_started_at": state.phase_started_at,
        "stage_label": full["stage_label"],
        "phase": full["phase"],
        "phase_label": full["phase_label"],
        "phase_steps": full["phase_steps"],
        "keyword": subject.keyword if subject else None,
        "owner_name": full["owner_name"],
        "speaker_name": full["speaker_name"],
        "next_name": full["next_name"],
        "queue": full["queue"],
        "seating": [p for p in full["seating"] if not p["absent"]],
        "open_count": full["open_count"],
        "subject_count": full["subject_count"],
        # The clocks with their unit, as on the session page (« 12 min sur 2 h »).
        "phase_clock": full["phase_clock"],
        "phase_total": full["phase_total"],
        "session_clock": full["session_clock"],
        "session_total": full["session_total"],
        # An overrun in words, as on the session page (the whole visio sees this screen).
        "phase_due": full["phase_due"],
        "session_due": full["session_due"],
    }


# The template and context of each audience's live region.
DISPLAY = "display"
TEMPLATES: dict[str, str] = {DISPLAY: "sessions_app/display.html#display"}
CONTEXTS: dict[str, Callable[[Snapshot, str], Context]] = {
    DISPLAY: lambda snap, audience: display_context(snap)
}


def live_html(snap: Snapshot, audience: str) -> str:
    template = TEMPLATES.get(audience, "sessions_app/session.html#live")
    return render_to_string(template, CONTEXTS.get(audience, live_context)(snap, audience))


def _render(snap: Snapshot, audience: str, language: str) -> Rendered:
    with translation.override(language):
        if audience in TEMPLATES:  # the display: one region of its own, sent whole
            html = live_html(snap, audience)
            return Rendered(snap["version"], "", {}, html=html)
        context = live_context(snap, audience)
        regions: dict[str, str] = {}
        read: dict[Input, str] = {}  # each input read once for all the regions
        for name in REGIONS:
            key = region_key(name, context, audience, language, read)
            regions[REGION_IDS[name]] = region_cache.get_or_render(
                key, partial(render_region, name, context)
            )
        open_tag = render_to_string("sessions_app/session.html#live-open", context)
    return Rendered(snap["version"], open_tag, regions)


CACHE_SIZE = 8192  # (session, audience, language) triples: latest version each
# (id, audience, language) -> (version, digest, Rendered)
_frames: OrderedDict[tuple[int, str, str], tuple[int, int, Rendered]] = OrderedDict()
_digests: OrderedDict[str, int] = OrderedDict()  # snapshot stamp -> hash of its content


def _digest(snap: Snapshot) -> int:
    # Key on the snapshot's content, not on its stamp, so the snapshots loaded by thousands
    # of reconnects share one rendering, like a broadcast. The state is part of the key:
    # a session id and version do not identify a state once a database has been restored.
    # The content is hashed once per snapshot, not once per socket it is sent to.
    stamp = snap.get("stamp")
    digest = _digests.get(stamp) if stamp else None
    if digest is None:
        digest = hash(repr([(k, v) for k, v in snap.items() if k != "stamp"]))
        if stamp:
            _digests[stamp] = digest
            if len(_digests) > CACHE_SIZE:
                _digests.popitem(last=False)
    return digest


def live_render(snap: Snapshot, audience: str, language: str) -> Rendered:
    """The live region of one version for one audience and language: made once per version,
    whatever the number of sockets, from the regions' cache. Only the latest version of each
    session is kept (older ones are never asked again: a page always moves to the newest), so
    the memory held grows with the sessions, not with the clicks."""
    key = (snap["id"], audience, language)
    version, digest = snap["version"], _digest(snap)
    cached = _frames.get(key)
    if cached is not None and cached[0] == version and cached[1] == digest:
        return cached[2]
    rendered = _render(snap, audience, language)
    if cached is None or version >= cached[0]:
        _frames.pop(key, None)
        _frames[key] = (version, digest, rendered)
        if len(_frames) > CACHE_SIZE:
            try:
                _frames.popitem(last=False)
            except KeyError:  # another thread emptied it meanwhile
                pass
    return rendered


def live_frame(snap: Snapshot, audience: str, language: str) -> str:
    """The websocket message with the whole live region (a connect's, the display's)."""
    return live_render(snap, audience, language).whole


def render_live(snap: Snapshot, audience: str, language: str) -> str:
    """The live region's HTML for one audience (no SQL, no request)."""
    return live_render(snap, audience, language).html


def clear_caches() -> None:
    """Forget every rendering (tests)."""
    region_cache.clear()
    _frames.clear()
    _digests.clear()
