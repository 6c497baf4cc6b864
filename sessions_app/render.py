"""Render a live page from a snapshot, region by region, each only when its inputs change.

The live region (``session.html#live``) is made of named partials, one per region of the
page: ``status``, ``notes``, ``speaker``, ``controls``, ``contributions``,
``facilitator-bar``, ``turn-order``, ``presence`` and ``subjects``, each in a
``<div class="region">`` with an id of its own (``REGION_IDS``); each renders alone from the
same context. A region is keyed on its audience, the language and the context values it reads
(``INPUTS``, the clocks' text included) and kept in ``region_cache``: a click renders again only
the regions whose inputs it changed, and sessions standing at the same step share them.

The consumer and the views both render from the broadcast snapshot, so an update costs no
SQL query per connection, and a process builds each (version, audience, language) once
whatever the number of sockets watching it (``live_render``); the consumer sends a page the
regions that changed since its previous frame (``Rendered.frame_after``), every region after
a (re)connect (``Rendered.whole``).
"""

import hashlib
import json
import math
import time
from collections import OrderedDict

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
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
    "not_your_subject": _(
        "Seules la personne qui a proposé ce sujet et celle qui anime peuvent le retirer."
    ),
    "not_in_order": _("Terminez d’abord le sujet en cours."),
    "no_subject_left": _("Il n’y a plus de sujet ouvert."),
    "keyword_required": _("Proposez un mot-clé ou passez."),
    "wrong_phase": _("Cette action n’appartient pas à la phase en cours."),
    "owner_only": _(
        "Seules la personne dont c’est le sujet et celle qui anime peuvent faire cela."
    ),
    "action_required": _("Écrivez au moins une action avant de continuer."),
    "unknown_contribution": _("Intervention inconnue."),
    "too_many_actions": _("Vingt actions au plus."),
    "unknown_action": _("Action inconnue dans le plan."),
    "nothing_to_undo": _("Rien à annuler."),
    "not_in_retour": _("Le retour sur les actions est terminé."),
    "already_reported": _("Le retour sur cette action est déjà fait."),
    "owner_absent": _("La personne dont c’est le sujet est absente : le sujet attend son retour."),
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


# --- Regions, rendered when their inputs change ----------------------------------------------

# The live region's parts, in page order: each a named partial of session.html wrapped in a
# ``<div id="..." class="region">`` of its own (app.css lays it out as if it were not there).
REGION_IDS = {
    "status": "live-status",
    "notes": "live-notes",
    "speaker": "live-speaker",
    "controls": "live-controls",
    "contributions": "live-contributions",
    "facilitator-bar": "live-tools",
    "turn-order": "live-turns",
    "presence": "live-presence",
    "subjects": "live-subjects",
}
REGIONS = tuple(REGION_IDS)


def _undoable(context: dict) -> bool:
    return bool(context["state"].version)


def _has_subjects(context: dict) -> bool:
    return bool(context["subjects"])


# What each region's template reads from ``live_context``: a name, a dotted path, or a function
# of the context for a value read only in part (``{% if state.version %}`` reads a yes or no).
# The region is rendered again only when one of these changes; one missing is a bug that
# tests/sessions_app/test_regions.py finds by rendering random states with and without cache.
INPUTS: dict = {
    "status": (
        "state.stage", "state.round", "subject", "stage_label", "phase", "phase_label",
        "owner_name", "rule", "phase_clock", "phase_total", "session_clock", "session_total",
        "open_count", "subject_count", "phase_steps", "phase_due", "session_due",
        "is_facilitator_view", "cmd",
    ),
    "notes": ("state.stage", "seating", "joining", "cmd", "job_aid"),
    "speaker": ("speaker", "speaker_name", "next_speaker", "next_name", "phase"),
    "controls": (
        "state.stage", "is_facilitator_view", "seating", "unseated", "cmd", _undoable, "snap.id",
        "speaker", "speaker_name", "report_items", "action_statuses", "reported", "phase",
        "subject", "keyword_max", "text_max", "action_max", "actions", "takeable",
        "next_subject", _has_subjects, "planner", "handled", "open_count",
    ),
    "contributions": ("contributions", "phase"),
    "facilitator-bar": (
        "is_facilitator_view", "state.stage", "phase", _undoable, "cmd", "snap.id",
    ),
    "turn-order": (
        "queue", "state.round", "state.stage", "seating", "is_facilitator_view", "present",
    ),
    "presence": ("state.stage", "is_facilitator_view", "seating", "cmd", "unseated", "joining"),
    "subjects": (
        "subject", "owner_name", "subjects", "handled", "state.stage", "is_facilitator_view",
        "cmd",
    ),
}


def _read(context: dict, name) -> object:
    if callable(name):
        return name(context)
    value = context
    for part in name.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def _freeze(value):
    # Translated labels by their text (the key of a lazy string would be its address).
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def region_key(name: str, context: dict, audience: str, language: str) -> tuple:
    """What a region's HTML depends on: its audience, the language and the inputs it reads,
    clocks included (their text is the minutes elapsed when rendered)."""
    inputs = repr(tuple(_freeze(_read(context, i)) for i in INPUTS[name]))
    # Held by its digest: the cache's memory is the regions' HTML, not their inputs again.
    return (name, audience, language, hashlib.blake2b(inputs.encode(), digest_size=16).digest())


class RegionCache:
    """Regions' HTML by ``region_key``, the least recently used dropped past ``size``: a
    click re-renders only the regions whose inputs it changed, and every session standing
    still at the same step (the lobby of many sessions) shares one rendering."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_render(self, key: tuple, render) -> str:
        html = self._entries.get(key)
        if html is not None:
            try:
                self._entries.move_to_end(key)
            except KeyError:  # dropped meanwhile by another thread
                pass
            return html
        html = render()
        self._entries[key] = html
        while len(self._entries) > self.size:
            try:
                self._entries.popitem(last=False)
            except KeyError:
                break
        return html

    def clear(self) -> None:
        self._entries.clear()


region_cache = RegionCache(16384)


def render_region(name: str, context: dict) -> str:
    """One region's HTML, rendered (no cache): the named partial of session.html."""
    return render_to_string(f"sessions_app/session.html#{name}", context)


class Rendered:
    """One version of the live region for one audience and language: the section's opening
    tag and each region's HTML, with the frames made of them (encoded once, shared by every
    socket that needs the same one)."""

    __slots__ = ("version", "open", "regions", "_html", "_whole", "_diffs")

    def __init__(self, version: int, open_tag: str, regions: dict, html: str | None = None):
        self.version = version
        self.open = open_tag
        self.regions = regions  # DOM id -> HTML
        self._html = html
        self._whole: str | None = None
        self._diffs: dict = {}  # base version -> (base regions, frame)

    @property
    def html(self) -> str:
        """The whole live region, as the page's GET and the polling fallback serve it."""
        if self._html is None:
            names = {name.replace("-", "_"): self.regions[rid]
                     for name, rid in REGION_IDS.items()}
            names["open"] = self.open
            self._html = render_to_string("sessions_app/session.html#live", {"regions": names})
        return self._html

    @property
    def whole(self) -> str:
        """The frame of a (re)connect or a resync: every region."""
        if self._whole is None:
            self._whole = json.dumps({"version": self.version, "html": self.html})
        return self._whole

    def frame_after(self, base_version: int, base_regions: dict) -> str | None:
        """The frame for a page that was last sent ``base_regions`` at ``base_version``:
        only the regions whose HTML differs, or None when there is nothing to send (an older
        version, or the same one again)."""
        if self.version < base_version:
            return None
        cached = self._diffs.get(base_version)
        if cached is not None and cached[0] is base_regions:
            return cached[1]
        changed = {
            rid: html for rid, html in self.regions.items()
            if base_regions.get(rid) is not html and base_regions.get(rid) != html
        }
        if not changed and self.version == base_version:
            frame = None
        else:
            frame = json.dumps({
                "version": self.version, "base": base_version, "open": self.open,
                "regions": changed,
            })
        self._diffs[base_version] = (base_regions, frame)
        return frame


def _render(snap: dict, audience: str, language: str) -> Rendered:
    with translation.override(language):
        if audience in TEMPLATES:  # the display: one region of its own, sent whole
            html = live_html(snap, audience)
            return Rendered(snap["version"], "", {}, html=html)
        context = live_context(snap, audience)
        regions = {}
        for name in REGIONS:
            key = region_key(name, context, audience, language)
            regions[REGION_IDS[name]] = region_cache.get_or_render(
                key, lambda name=name: render_region(name, context)
            )
        open_tag = render_to_string("sessions_app/session.html#live-open", context)
    return Rendered(snap["version"], open_tag, regions)


CACHE_SIZE = 8192  # (session, audience, language) triples: latest version each
_frames: OrderedDict = OrderedDict()  # (id, audience, language) -> (version, digest, Rendered)
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


def live_render(snap: dict, audience: str, language: str) -> Rendered:
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


def live_frame(snap: dict, audience: str, language: str) -> str:
    """The websocket message with the whole live region (a connect's, the display's)."""
    return live_render(snap, audience, language).whole


def render_live(snap: dict, audience: str, language: str) -> str:
    """The live region's HTML for one audience (no SQL, no request)."""
    return live_render(snap, audience, language).html


def clear_caches() -> None:
    """Forget every rendering (tests)."""
    region_cache.clear()
    _frames.clear()
    _digests.clear()
