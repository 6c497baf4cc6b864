"""Formats as data: the two shipped presets, a group's own formats, and their texts.

A format is a list of phases, each made of a building block the rules know
(``flow.BLOCKS``), with a time box, an optional name, a rule text and a job-aid text;
plus job-aid texts for the stages around the subjects and whether sessions open with the
report back. An empty text means the preset's, translated, so presets stay bilingual;
what an organiser writes is shown as written.

When a session starts it freezes its format: the phases go into the state (``steps``),
the long texts onto the session's row (``Session.texts``); the live snapshot carries only
the current stage's or phase's texts.
"""

from django.utils.translation import gettext_lazy as _

from . import flow, render

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
}
KIND_LABELS = {
    "question": _("des questions"),
    "reaction": _("des réactions"),
    "suggestion": _("des propositions"),
    "learning": _("des apprentissages"),
}

# What the person who drives says and watches for, stage by stage and phase by phase
# (seeds 000 for intervision, 002 and 003 for codéveloppement).
AIDS = {
    "lobby": _(
        "À dire : « Bienvenue. Ce qui se dit ici reste ici ; on parle à tour de rôle. »\n"
        "À surveiller : que chacun soit à la table avant de lancer ; l’ordre de la table "
        "sera celui de tous les tours.\n"
        "Rôles : la personne qui anime tient le cadre et le temps, elle ne traite pas les sujets."
    ),
    "retour": _(
        "À dire : « Où en sont les actions que vous avez emportées la dernière fois ? »\n"
        "À surveiller : un retour court, pas un nouveau sujet ; si une action bloque, "
        "proposez d’en faire un sujet.\n"
        "Rôles : les autres écoutent, sans conseiller."
    ),
    "triage": _(
        "À dire : « Un mot-clé pour votre sujet, ou passez. »\n"
        "À surveiller : un mot-clé, pas une explication ; personne n’est obligé d’avoir "
        "un sujet ; le tour s’arrête quand tout le monde passe.\n"
        "Rôles : chacun propose ou passe, sans commenter les mots-clés des autres."
    ),
    "order": _(
        "À dire : « Un sujet est-il urgent ? » Puis annoncez l’ordre.\n"
        "À surveiller : l’urgent d’abord, puis l’ordre d’arrivée ; deux à quatre sujets "
        "tiennent dans une séance de deux heures.\n"
        "Rôles : le porteur du sujet peut retirer le sien."
    ),
    "expose": _(
        "À dire : « Vous avez 5 à 10 minutes pour exposer votre situation. »\n"
        "À surveiller : personne n’interrompt ; le porteur peut déjà dire ses prochaines "
        "actions.\n"
        "Rôles : le porteur expose ; les autres écoutent et notent leurs questions."
    ),
    "clarification": _(
        "À dire : « Uniquement des questions, pour comprendre. »\n"
        "À surveiller : ramenez à une question quiconque commence à conseiller ou analyser ; "
        "personne n’est obligé d’avoir une question ; on continue tant que quelqu’un en a.\n"
        "Rôles : le porteur répond brièvement, les autres ne posent que des questions."
    ),
    "reaction": _(
        "À dire : « Chacun son tour : votre analyse, ce que vous feriez, des pistes — "
        "ou passez. »\n"
        "À surveiller : un seul tour ; pas de débat entre participants ; partager qu’on "
        "vit la même chose compte aussi.\n"
        "Rôles : le porteur écoute sans répondre ni se justifier."
    ),
    "panier": _(
        "À dire : « Qu’est-ce que vous prenez de chaque intervention ? »\n"
        "À surveiller : le porteur choisit librement ; personne ne défend sa proposition.\n"
        "Rôles : le porteur parle, les autres écoutent."
    ),
    "contrat": _(
        "À dire : « Quelle aide attendez-vous des consultants ? »\n"
        "À surveiller : une demande claire, que le groupe peut servir.\n"
        "Rôles : le client formule sa demande ; les consultants la reçoivent."
    ),
    "consultation": _(
        "À dire : « Chacun son tour : une proposition, une expérience, une question qui "
        "ouvre. »\n"
        "À surveiller : en réponse à la demande du contrat ; pas de leçon ; le client "
        "note sans discuter.\n"
        "Rôles : les consultants proposent ; le client écoute."
    ),
    "synthese": _(
        "À dire : « Que retenez-vous, et que ferez-vous d’ici la prochaine séance ? »\n"
        "À surveiller : au moins une action réalisable d’ici la prochaine séance.\n"
        "Rôles : le client écrit son plan ; les autres n’interviennent pas."
    ),
    "apprentissages": _(
        "À dire : « Un tour pour tous, client compris : ce que j’apprends, mon ressenti. »\n"
        "À surveiller : des apprentissages pour soi, pas de nouveaux conseils au client.\n"
        "Rôles : chacun parle pour soi."
    ),
}


# Texts of the presets that say a phase's duration hold for the preset's time box only; in a
# format whose phase lasts otherwise, they say the format's (« 5 à 10 minutes » is wrong for
# an exposé of 1 minute).
PRESET_BOXES = {p.key: p.timebox for phases in flow.FORMATS.values() for p in phases}
TIMED_RULES = {
    "expose": _(
        "Le porteur du sujet expose sa situation (%(box)s) et peut déjà proposer "
        "ses prochaines actions. Les autres écoutent."
    ),
}
TIMED_AIDS = {
    "expose": _(
        "À dire : « Vous avez %(box)s pour exposer votre situation. »\n"
        "À surveiller : personne n’interrompt ; le porteur peut déjà dire ses prochaines "
        "actions.\n"
        "Rôles : le porteur expose ; les autres écoutent et notent leurs questions."
    ),
}


def _timed(texts: dict, key: str, timebox: int | None) -> str:
    """The preset's text for ``key`` with the format's time box, when it is not the
    preset's; "" when the preset's own text holds."""
    found = texts.get(key)
    if found is None or timebox is None or timebox == PRESET_BOXES.get(key):
        return ""
    return str(found) % {"box": render.duration_label(timebox)}


def with_boxes(rows) -> list[str]:
    """Each phase's name with its time box: « Exposé (10 min) »."""
    return [
        f"{label(r['key'], r.get('label', ''))} ({render.duration_label(r['timebox'])})"
        for r in rows
    ]


def preset_rows(family: str) -> list[dict]:
    """A preset's phases as a format's rows: every text empty, meaning the preset's."""
    return [
        {**flow.phase_data(p), "rule": "", "aid": ""}
        for p in flow.FORMATS.get(family, flow.FORMATS["intervision"])
    ]


def label(key: str, custom: str = "") -> str:
    return custom or str(render.PHASE_LABELS.get(key, key))


# In codéveloppement the person whose subject it is is « le client » from the exposé to the
# apprentissages (003): the texts intervision words with « le porteur » say « le client » there.
CODEV_RULES = {
    "expose": _(
        "Le client expose sa situation et peut déjà proposer ses prochaines actions. "
        "Les autres écoutent."
    ),
}
CODEV_STAGE_RULES = {
    "retour": _(
        "Chacun à son tour, les clients repartis avec un plan disent ce que sont devenues "
        "leurs actions — ou passent. Une action peut devenir un nouveau sujet."
    ),
}
CODEV_AIDS = {
    "order": _(
        "À dire : « Un sujet est-il urgent ? » Puis annoncez l’ordre.\n"
        "À surveiller : l’urgent d’abord, puis l’ordre d’arrivée ; deux à quatre sujets "
        "tiennent dans une séance de deux heures.\n"
        "Rôles : le client peut retirer son sujet."
    ),
    "expose": _(
        "À dire : « Exposez votre situation. »\n"
        "À surveiller : personne n’interrompt ; le client peut déjà dire ses prochaines "
        "actions.\n"
        "Rôles : le client expose ; les consultants écoutent et notent leurs questions."
    ),
    "clarification": _(
        "À dire : « Uniquement des questions, pour comprendre. »\n"
        "À surveiller : ramenez à une question quiconque commence à conseiller ou analyser ; "
        "personne n’est obligé d’avoir une question ; on continue tant que quelqu’un en a.\n"
        "Rôles : le client répond brièvement, les consultants ne posent que des questions."
    ),
}


CODEV_TIMED_RULES = {
    "expose": _(
        "Le client expose sa situation (%(box)s) et peut déjà proposer "
        "ses prochaines actions. Les autres écoutent."
    ),
}
CODEV_TIMED_AIDS = {
    "expose": _(
        "À dire : « Vous avez %(box)s pour exposer votre situation. »\n"
        "À surveiller : personne n’interrompt ; le client peut déjà dire ses prochaines "
        "actions.\n"
        "Rôles : le client expose ; les consultants écoutent et notent leurs questions."
    ),
}


def rule(
    key: str, custom: str = "", *, stage: bool = False, timebox: int | None = None,
    family: str = "",
) -> str:
    if custom:
        return custom
    timed_rules = CODEV_TIMED_RULES if family == "codev" else TIMED_RULES
    if not stage and (timed := _timed(timed_rules, key, timebox)):
        return timed
    found = (render.STAGE_RULES if stage else render.PHASE_RULES).get(key)
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


def rows_of(session) -> list[dict]:
    """The phases a session will run, as a format's rows."""
    shaped = session.shaped_format
    return list(shaped.phases) if shaped is not None else preset_rows(session.format)


def texts_of(session) -> dict:
    """The texts a session's format gives its live page (what an organiser wrote)."""
    shaped = session.shaped_format
    rows = rows_of(session)
    return {
        "phases": {r["key"]: {"rule": r.get("rule", ""), "aid": r.get("aid", "")} for r in rows},
        "stages": dict(shaped.stage_aids) if shaped is not None else {},
    }


def freeze(session) -> list[dict]:
    """Freeze the session's format on its row (texts) and return the phases for the rules
    (``start``'s ``steps``)."""
    session.texts = texts_of(session)
    return [
        {k: r.get(k, "") for k in ("key", "block", "timebox", "kind", "label")}
        for r in rows_of(session)
    ]


def runs_report_back(session) -> bool:
    shaped = session.shaped_format
    if shaped is not None and shaped.report_back is not None:
        return shaped.report_back
    return session.group.runs_report_back


def current_texts(session, state: flow.State) -> dict:
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
