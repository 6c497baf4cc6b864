"""Render a live page from a snapshot: once per version, audience and language.

The live region (``session.html#live``) is made of named partials, one per region of the
page: ``status``, ``speaker``, ``controls``, ``contributions``, ``facilitator-bar``,
``turn-order`` and ``subjects``; each renders alone from the same context.

The consumer and the views both render from the broadcast snapshot, so an update costs no
SQL query per connection, and a process renders each (version, audience, language) once
whatever the number of sockets watching it.
"""

import json
import math
import time
from collections import OrderedDict

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import flow, formats

PHASE_LABELS = {
    "expose": _("Exposé"),
    "clarification": _("Clarification"),
    "reaction": _("Réaction"),
    "panier": _("Panier"),
    "contrat": _("Contrat"),
    "consultation": _("Consultation"),
    "synthese": _("Synthèse et plan d’action"),
    "apprentissages": _("Apprentissages"),
}
PHASE_RULES = {
    "expose": _(
        "Le porteur du sujet expose sa situation (5 à 10 minutes) et peut déjà proposer "
        "ses prochaines actions. Les autres écoutent."
    ),
    "clarification": _(
        "Uniquement des questions : pas d’analyse, pas de solution. "
        "Personne n’est obligé d’avoir une question."
    ),
    "reaction": _(
        "Un tour : chacun donne son analyse, ce qu’il ferait, des pistes, des outils, "
        "ou dit qu’il vit la même chose — ou passe son tour."
    ),
    "panier": _(
        "Le porteur du sujet dit ce qu’il prend de chaque intervention dans son panier."
    ),
    "contrat": _("Le client précise l’aide qu’il attend des consultants."),
    "consultation": _(
        "Un tour : chaque consultant propose, partage son expérience, questionne pour "
        "faire émerger des solutions."
    ),
    "synthese": _(
        "Le client fait la synthèse et écrit son plan d’action, réalisable d’ici la "
        "prochaine séance (au moins une action)."
    ),
    "apprentissages": _(
        "Un tour pour tous, client compris : ce que j’apprends, mon ressenti sur la séance."
    ),
}
STAGE_LABELS = {
    "lobby": _("Accueil"),
    "retour": _("Retour sur les actions"),
    "triage": _("Tour de mots-clés"),
    "order": _("Ordre des sujets"),
    "subject": _("Sujet en cours"),
    "ended": _("Séance terminée"),
}
STAGE_RULES = {
    "retour": _(
        "Chacun à son tour, les porteurs repartis avec un plan disent ce que sont devenues "
        "leurs actions — ou passent. Une action peut devenir un nouveau sujet."
    ),
    "lobby": _("Les participants arrivent. La personne qui anime fixe l’ordre du tour de table."),
    "triage": _(
        "Chacun à son tour propose un mot-clé pour un sujet, ou passe. Un sujet par tour ; "
        "le tour de table s’arrête quand tout le monde passe."
    ),
    "order": _(
        "Les sujets urgents d’abord, puis dans l’ordre d’arrivée. La personne qui anime "
        "lance le sujet suivant."
    ),
    "ended": _(
        "Les sujets non traités restent en attente dans le groupe pour la prochaine séance."
    ),
}
ACTION_STATUS_LABELS = {
    "todo": _("à faire"),
    "doing": _("en cours"),
    "done": _("fait"),
    "dropped": _("abandonné"),
}
KIND_LABELS = {
    "question": _("question"),
    "reaction": _("réaction"),
    "suggestion": _("proposition"),
    "learning": _("apprentissage"),
    "request": _("demande"),
    "pass": _("passe"),
    "absent": _("absent·e"),
}
ERRORS = {
    "unknown_command": _("Action inconnue."),
    "facilitator_only": _("Seule la personne qui anime peut faire cela."),
    "session_ended": _("La séance est terminée."),
    "bad_text": _("Texte invalide."),
    "text_required": _("Le texte est obligatoire."),
    "text_too_long": _("Texte trop long (%(limit)s caractères au plus)."),
    "bad_person": _("Personne inconnue dans cette séance."),
    "no_turn": _("Ce n’est le tour de personne en ce moment."),
    "not_your_turn": _("Ce n’est pas votre tour."),
    "already_seated": _("Déjà à la table."),
    "bad_seating": _("Ordre de table invalide."),
    "already_started": _("La séance a déjà commencé."),
    "nobody_seated": _("Personne n’est encore à la table."),
    "not_in_triage": _("Le tour de mots-clés est terminé."),
    "bad_subject": _("Sujet invalide."),
    "unknown_subject": _("Sujet inconnu."),
    "subject_closed": _("Ce sujet n’est plus ouvert."),
    "subject_in_progress": _("Ce sujet est en cours."),
    "not_your_subject": _("Seuls le porteur du sujet et la personne qui anime peuvent le retirer."),
    "not_in_order": _("Terminez d’abord le sujet en cours."),
    "no_subject_left": _("Il n’y a plus de sujet ouvert."),
    "keyword_required": _("Proposez un mot-clé ou passez."),
    "wrong_phase": _("Cette action n’appartient pas à la phase en cours."),
    "owner_only": _("Seuls le porteur du sujet et la personne qui anime peuvent faire cela."),
    "action_required": _("Écrivez au moins une action avant de continuer."),
    "unknown_contribution": _("Intervention inconnue."),
    "too_many_actions": _("Vingt actions au plus."),
    "unknown_action": _("Action inconnue dans le plan."),
    "nothing_to_undo": _("Rien à annuler."),
    "not_in_retour": _("Le retour sur les actions est terminé."),
    "already_reported": _("Le retour sur cette action est déjà fait."),
    "owner_absent": _("Le porteur de ce sujet est absent : le sujet attend son retour."),
    "unknown_format": _("Format inconnu."),
    "bad_input": _("Valeur invalide."),
    "too_fast": _("Trop d’actions d’un coup : attendez quelques secondes."),
    "frame_too_long": _("Envoi trop long pour la connexion en direct."),
    "read_only": _("Cet affichage ne sert qu’à regarder : agissez depuis la page de la séance."),
    "conflict": _(
        "Quelqu’un d’autre vient d’agir : la page a été mise à jour, vérifiez avant de recliquer."
    ),
}


def error_message(code: str, params: dict | None = None) -> str:
    message = str(ERRORS.get(code, ERRORS["unknown_command"]))
    return message % params if params else message


def live_context(snap: dict, audience: str) -> dict:
    state = flow.State.from_dict(snap["state"])
    people = {int(k): v for k, v in snap["people"].items()}

    def name(pid):
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
    subjects = []
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
    contributions = [
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
            formats.rule(phase.key, texts.get("rule", ""), timebox=phase.timebox) if phase
            else formats.rule(state.stage, stage=True)
        ),
        # The job-aid of the current stage or phase, for whoever drives.
        "job_aid": (
            formats.aid(
                phase.key if phase else state.stage,
                texts.get("aid", ""),
                timebox=phase.timebox if phase else None,
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
    }


def presence_labels(person: str) -> dict:
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


def display_context(snap: dict) -> dict:
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
TEMPLATES = {DISPLAY: "sessions_app/display.html#display"}
CONTEXTS = {DISPLAY: lambda snap, audience: display_context(snap)}


def live_html(snap: dict, audience: str) -> str:
    template = TEMPLATES.get(audience, "sessions_app/session.html#live")
    return render_to_string(template, CONTEXTS.get(audience, live_context)(snap, audience))
def duration_label(minutes: float) -> str:
    """Minutes with their unit, the same in French and English: « 45 min », « 2 h »,
    « 1 h 05 » (no-break spaces; static/js/live.js and clock.js write them alike)."""
    total = max(0, round(minutes))
    if total < 60:
        return f"{total}\u00a0min"
    hours, rest = divmod(total, 60)
    return f"{hours}\u00a0h" + (f"\u00a0{rest:02d}" if rest else "")


def _epoch(value: float) -> str:
    # Plain digits whatever the language (data attributes read by the page's clock).
    return f"{value:.3f}"


def timer_context(snap: dict, state: flow.State, name) -> dict:
    """The clocks with their unit, when a phase or the session runs over (revealed by the
    page's clock at that moment: a frame is rendered once per version), and the planner of
    the order stage (re-planned at each version; between versions the page moves a subject
    from "fits" to "waits" at its ``until``, the one way time alone changes a plan)."""
    duration = snap.get("duration") or 0
    box = flow.phase_box(state)
    due = flow.phase_due(state)
    running = state.started_at is not None and state.stage != "ended"

    def clock(since, until, box_minutes):
        elapsed = ((until or time.time()) - since) / 60 if since else 0
        return format_html(
            '<span class="clock" data-since="{}" data-until="{}" data-box="{}">{}</span>',
            _epoch(since) if since else "",
            _epoch(until) if until else "",
            _epoch(box_minutes),
            duration_label(math.floor(elapsed)),
        )

    context: dict = {
        "phase_total": duration_label(box) if box is not None else "",
        "phase_extra_label": duration_label(state.phase_extra) if state.phase_extra else "",
        "phase_clock": clock(state.phase_started_at, None, box) if box is not None else "",
        "phase_due": _epoch(due) if due is not None else "",
        "session_total": duration_label(duration),
        "session_clock": clock(state.started_at, state.ended_at, duration),
        "session_due": (
            _epoch(state.started_at + duration * 60)
            if state.started_at is not None and running and duration
            else ""
        ),
        "planner": None,
    }
    if state.stage == "order":
        now = time.time()
        ends = (state.started_at or now) + duration * 60
        result = flow.plan(state, now, ends)
        context["planner"] = {
            "left": format_html(
                '<span class="countdown" data-until="{}">{}</span>',
                _epoch(ends),
                duration_label(math.ceil(result.left)),
            ),
            "per_subject": duration_label(result.per_subject),
            "items": [
                {
                    "s": p.subject,
                    "owner": name(p.subject.owner),
                    "status": p.status,
                    "until": _epoch(p.until) if p.until is not None else "",
                }
                for p in result.subjects
            ],
        }
    return context


CACHE_SIZE = 8192  # (session, audience, language) triples: latest version each
_frames: OrderedDict = OrderedDict()  # (id, audience, language) -> (version, digest, frame)
_digests: OrderedDict = OrderedDict()  # snapshot stamp -> hash of its content


def _digest(snap: dict) -> int:
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


def live_frame(snap: dict, audience: str, language: str) -> str:
    """The websocket message for one audience and language: rendered and encoded once per
    version, sent as is to every socket. Only the latest version of each session is kept
    (older ones are never asked again: a page always moves to the newest), so the memory
    held grows with the sessions, not with the clicks."""
    key = (snap["id"], audience, language)
    version, digest = snap["version"], _digest(snap)
    cached = _frames.get(key)
    if cached is not None and cached[0] == version and cached[1] == digest:
        return cached[2]
    with translation.override(language):
        html = live_html(snap, audience)
    frame = json.dumps({"version": version, "html": html})
    if cached is None or version >= cached[0]:
        _frames.pop(key, None)
        _frames[key] = (version, digest, frame)
        if len(_frames) > CACHE_SIZE:
            try:
                _frames.popitem(last=False)
            except KeyError:  # another thread emptied it meanwhile
                pass
    return frame


def render_live(snap: dict, audience: str, language: str) -> str:
    """The live region's HTML for one audience: the cached frame's (no SQL, no request)."""
    return json.loads(live_frame(snap, audience, language))["html"]
