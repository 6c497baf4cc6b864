"""Formats as data: the two shipped presets, a group's own formats, and which texts they show.

A format is a list of phases, each made of a building block the rules know
(``flow.BLOCKS``), with a time box, an optional name, a rule text and a job-aid text;
plus job-aid texts for the stages around the subjects and whether sessions open with the
report back. An empty text means the preset's, translated, so presets stay bilingual;
what an organiser writes is shown as written (the presets' texts are in ``texts``).

When a session starts it freezes its format: the phases go into the state (``steps``),
the long texts onto the session's row (``Session.texts``); the live snapshot carries only
the current stage's or phase's texts.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import flow
from .models import Session
from .texts import (
    AIDS,
    CODEV_AIDS,
    CODEV_RULES,
    CODEV_STAGE_RULES,
    CODEV_TIMED_AIDS,
    CODEV_TIMED_RULES,
    PHASE_LABELS,
    PHASE_RULES,
    STAGE_RULES,
    TIMED_AIDS,
    TIMED_RULES,
    duration_label,
)

# A format's phase as its editor and the session's row hold it: key, block, timebox, kind,
# label, rule and aid (JSON).
Row = dict[str, Any]

RULE_MAX = 1000
AID_MAX = 2000
AID_STAGES = ("lobby", "retour", "triage", "order")

BLOCK_LABELS = {
    "speech": _("Parole du porteur du sujet"),
    "rounds": _("Tours jusqu’à ce que tous passent"),
    "round": _("Un tour (sans le porteur du sujet)"),
    "round_all": _("Un tour pour tous, porteur compris"),
    "panier": _("Panier : le porteur dit ce qu’il prend"),
    "plan": _("Plan d’action du porteur"),
    "contract": _("Contrat : reformulations puis demande"),
    "harvest": _("Consultation récoltée"),
    "synthesis": _("Synthèse et plan daté"),
}
KIND_LABELS = {
    "question": _("des questions"),
    "reaction": _("des réactions"),
    "suggestion": _("des propositions"),
    "learning": _("des apprentissages"),
}

# The presets' time boxes: a phase that lasts otherwise gets the timed texts (``TIMED_RULES``),
# which say its own box.
PRESET_BOXES = {p.key: p.timebox for phases in flow.FORMATS.values() for p in phases}


def _timed(texts: Mapping[str, Promise], key: str, timebox: int | None) -> str:
    """The preset's text for ``key`` with the format's time box, when it is not the
    preset's; "" when the preset's own text holds."""
    found = texts.get(key)
    if found is None or timebox is None or timebox == PRESET_BOXES.get(key):
        return ""
    return str(found) % {"box": duration_label(timebox)}


def with_boxes(rows: list[Row]) -> list[str]:
    """Each phase's name with its time box: « Exposé (10 min) »."""
    return [
        f"{label(r['key'], r.get('label', ''))} ({duration_label(r['timebox'])})"
        for r in rows
    ]


def preset_rows(family: str) -> list[Row]:
    """A preset's phases as a format's rows: every text empty, meaning the preset's."""
    return [
        {**flow.phase_data(p), "rule": "", "aid": ""}
        for p in flow.FORMATS.get(family, flow.FORMATS["intervision"])
    ]


def label(key: str, custom: str = "") -> str:
    return custom or str(PHASE_LABELS.get(key, key))


def rule(
    key: str, custom: str = "", *, stage: bool = False, timebox: int | None = None,
    family: str = "",
) -> str:
    if custom:
        return custom
    timed_rules = CODEV_TIMED_RULES if family == "codev" else TIMED_RULES
    if not stage and (timed := _timed(timed_rules, key, timebox)):
        return timed
    found = (STAGE_RULES if stage else PHASE_RULES).get(key)
    if family == "codev":
        found = (CODEV_STAGE_RULES if stage else CODEV_RULES).get(key, found)
    return str(found) if found else ""


def aid(key: str, custom: str = "", *, timebox: int | None = None, family: str = "") -> str:
    if custom:
        return custom
    if timed := _timed(CODEV_TIMED_AIDS if family == "codev" else TIMED_AIDS, key, timebox):
        return timed
    found = AIDS.get(key)
    if family == "codev":
        found = CODEV_AIDS.get(key, found)
    return str(found) if found else ""


def rows_of(session: Session) -> list[Row]:
    """The phases a session will run, as a format's rows."""
    shaped = session.shaped_format
    return list(shaped.phases) if shaped is not None else preset_rows(session.format)


def texts_of(session: Session) -> dict[str, Any]:
    """The texts a session's format gives its live page (what an organiser wrote)."""
    shaped = session.shaped_format
    rows = rows_of(session)
    return {
        "phases": {r["key"]: {"rule": r.get("rule", ""), "aid": r.get("aid", "")} for r in rows},
        "stages": dict(shaped.stage_aids) if shaped is not None else {},
    }


def freeze(session: Session) -> list[Row]:
    """Freeze the session's format on its row (texts) and return the phases for the rules
    (``start``'s ``steps``)."""
    session.texts = texts_of(session)
    return [
        {k: r.get(k, "") for k in ("key", "block", "timebox", "kind", "label")}
        for r in rows_of(session)
    ]


def runs_report_back(session: Session) -> bool:
    shaped = session.shaped_format
    if shaped is not None and shaped.report_back is not None:
        return shaped.report_back
    return session.group.runs_report_back


def current_texts(session: Session, state: flow.State) -> dict[str, str]:
    """The custom texts of the current stage or phase only (empty: the preset's): what the
    live snapshot carries, never the whole format."""
    texts = session.texts if state.stage != "lobby" and session.texts else None
    if texts is None:
        texts = texts_of(session) if session.shaped_format_id else {}
    phase = state.current_phase
    if phase is not None:
        found = texts.get("phases", {}).get(phase.key, {})
        return {"rule": found.get("rule", ""), "aid": found.get("aid", "")}
    return {"rule": "", "aid": texts.get("stages", {}).get(state.stage, "")}
