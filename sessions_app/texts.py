"""The words of the live session, in one catalogue: the names of stages, phases, kinds of
contribution and action statuses, the rules and job-aids of each stage and phase (the
presets' own, in intervision's words and in codéveloppement's), the refusals' messages, and
durations with their unit.

French is the source language (``gettext_lazy``: each text is translated where it is shown).
``formats`` chooses among these texts and what an organiser wrote; ``render`` puts them on
the live page; the Bilan and the data download name phases and kinds with them.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

# --- Names, rules and refusals ---------------------------------------------------------------

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
    "contrat": _(
        "Un tour de reformulation : chaque consultant dit ce qu’il a compris de la demande, "
        "ou passe. Puis le client précise l’aide qu’il attend : « Aidez-moi à… »."
    ),
    "consultation": _(
        "Un tour : chaque consultant propose, partage son expérience, questionne pour "
        "faire émerger des solutions. Le client retient les idées au fil du tour."
    ),
    "synthese": _(
        "Le client dit ce qu’il retient, puis écrit son plan d’action : pour chaque action, "
        "une échéance et un signe de réussite ; au moins une réalisable d’ici la prochaine "
        "séance."
    ),
    "apprentissages": _(
        "Un tour pour tous, client compris : ce que j’apprends, mon ressenti sur la séance."
    ),
}
STAGE_LABELS = {
    "lobby": _("Accueil"),
    "retour": _("Retour sur les actions"),
    "triage": _("Tour de mots-clés"),
    "choice": _("Choix du sujet"),
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
    "choice": _(
        "Le groupe choisit les sujets de la séance. Les sujets urgents restent en tête ; "
        "celui d’une personne absente attend son retour."
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
    "reformulation": _("reformulation"),
    "synthesis": _("synthèse"),
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
    "not_in_choice": _("Le choix des sujets est terminé."),
    "not_seated": _("Seules les personnes à la table votent."),
    "too_many_votes": _("Trop de voix : %(limit)s au plus."),
    "owner_cannot_hold": _("Le client ne peut pas être secrétaire de son propre sujet."),
    "secretaire_only": _("Seules la ou le secrétaire et la personne qui anime notent les idées."),
    "round_in_progress": _("Attendez la fin du tour de reformulation."),
    "plan_not_due": _(
        "Il faut au moins une action réalisable d’ici la prochaine séance : laissez sa date "
        "vide ou choisissez une date au plus tard le jour de la prochaine séance."
    ),
    "bad_date": _("Date invalide."),
    "already_said": _("Vous avez déjà partagé vos apprentissages."),
}

# Optional roles of codéveloppement (003), held for a session or a subject (``flow.ROLES``).
ROLE_LABELS = {
    "secretaire": _("Secrétaire"),
    "gardien": _("Gardien·ne du temps"),
}


def error_message(code: str, params: Mapping[str, object] | None = None) -> str:
    """The message of a refusal's ``code`` (``flow.FlowError``) in the active language."""
    message = str(ERRORS.get(code, ERRORS["unknown_command"]))
    return message % params if params else message


def duration_label(minutes: float) -> str:
    """Minutes with their unit, the same in French and English: « 45 min », « 2 h »,
    « 1 h 05 » (no-break spaces; static/js/live.js and clock.js write them alike)."""
    total = max(0, round(minutes))
    if total < 60:
        return f"{total}\u00a0min"
    hours, rest = divmod(total, 60)
    return f"{hours}\u00a0h" + (f"\u00a0{rest:02d}" if rest else "")


# --- Job-aids, and the texts that depend on the format --------------------------------------

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
    "choice": _(
        "À dire : « Quels sujets voulons-nous travailler aujourd’hui ? »\n"
        "À surveiller : les voix restent secrètes jusqu’à ce que tout le monde ait voté ; "
        "un sujet urgent reste en tête ; si vous passez outre le choix, dites pourquoi.\n"
        "Rôles : chacun à la table choisit, le client comme les consultants."
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
        "À dire : « Qu’avez-vous compris de la demande ? » Puis au client : « Quelle aide "
        "attendez-vous des consultants ? »\n"
        "À surveiller : des reformulations, pas encore de conseils ; une demande claire, que "
        "le groupe peut servir.\n"
        "Rôles : les consultants reformulent ; le client formule sa demande."
    ),
    "consultation": _(
        "À dire : « Chacun son tour : une proposition, une expérience, une question qui "
        "ouvre. »\n"
        "À surveiller : en réponse à la demande du contrat ; pas de leçon ; le client "
        "note sans discuter.\n"
        "Rôles : les consultants proposent ; le client écoute et retient les idées ; le ou la "
        "secrétaire les note."
    ),
    "synthese": _(
        "À dire : « Que retenez-vous, et que ferez-vous d’ici la prochaine séance ? »\n"
        "À surveiller : au moins une action réalisable d’ici la prochaine séance, chacune "
        "avec un signe de réussite.\n"
        "Rôles : le client écrit sa synthèse et son plan ; les autres n’interviennent pas."
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
