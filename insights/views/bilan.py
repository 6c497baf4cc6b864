"""The group's « Bilan »: its figures over a period, drawn as SVG, with the member's own
beside them, and their CSV for the community's sponsors.

Every page starts from a permission-checked getter: a group the person is not an active
member of is a 404. Figures count the group, never rank people: the names of who
facilitated are shown to organisers only, who plan the rota.
"""

import csv
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import User
from sessions_app.texts import ACTION_STATUS_LABELS, PHASE_LABELS

from .. import figures
from ..charts import hbars
from ..personal import personal_figures

# The period's actions, by their status today (« En bref »).
STATUS_TOTAL_LABELS = {
    "todo": gettext_lazy("Actions à faire"),
    "doing": gettext_lazy("Actions en cours"),
    "done": gettext_lazy("Actions faites"),
    "dropped": gettext_lazy("Actions abandonnées"),
}
PERIOD_LABELS = {
    "last": gettext_lazy("Dernière séance"),
    "3m": gettext_lazy("3 mois"),
    "12m": gettext_lazy("12 mois"),
    "all": gettext_lazy("Depuis le début"),
}


def _period(request: HttpRequest) -> str:
    period = request.GET.get("periode", "12m")
    return period if period in figures.PERIODS else "12m"


def _labels(sessions) -> list[str]:
    """Each session's row label: its date (the year when the sessions span several), and
    its time where two fall on the same day."""
    years = {timezone.localtime(s.scheduled_at).year for s in sessions}
    pattern = "j N" if len(years) == 1 else "j N Y"
    days = [formats.date_format(timezone.localtime(s.scheduled_at), pattern) for s in sessions]
    return [
        f"{day} {timezone.localtime(s.scheduled_at):%H:%M}" if days.count(day) > 1 else day
        for day, s in zip(days, sessions, strict=True)
    ]


def _minutes(value) -> tuple[float | None, str]:
    if value is None:
        return None, "—"
    return value, f"{value:.0f}"


def _charts(data: figures.GroupFigures) -> list:
    rows = list(zip(_labels(data.sessions), data.sessions, strict=True))
    charts = [
        hbars(
            "subjects",
            _("Sujets par séance"),
            [_("proposés"), _("traités"), _("retirés"), _("reportés d’avant")],
            [(day, [s.proposed, s.handled, s.withdrawn, s.carried]) for day, s in rows],
        ),
        hbars(
            "backlog",
            _("Sujets en attente à la fin de chaque séance"),
            [_("en attente")],
            [(day, [s.backlog_after]) for day, s in rows],
        ),
        hbars(
            "attendance",
            _("Présence par séance"),
            [_("présents"), _("inscrits"), _("places")],
            [(day, [_count(s.present), s.registered, s.seats]) for day, s in rows],
        ),
        hbars(
            "time",
            _("Durée des séances, prévue et réelle"),
            [_("prévue"), _("réelle")],
            [(day, [s.planned_minutes, _minutes(s.actual_minutes)]) for day, s in rows],
            unit="min",
        ),
    ]
    phases: dict[str, list[float]] = {}
    for s in data.sessions:
        for p in s.phases:
            name = p.label or str(PHASE_LABELS.get(p.key, p.key))
            planned, actual = phases.setdefault(name, [0, 0])[:2]
            phases[name] = [planned + p.planned, actual + (p.actual or 0)]
    if phases:
        charts.append(
            hbars(
                "phases",
                _("Temps par phase sur la période, prévu et réel"),
                [_("prévu"), _("réel")],
                [
                    (name, [round(planned), round(actual)])
                    for name, (planned, actual) in phases.items()
                ],
                unit="min",
            )
        )
    if any(s.votes != 0 or s.ideas_kept != 0 for s in data.sessions):
        charts.append(
            hbars(
                "harvest",
                _("Votes exprimés pour choisir les sujets, idées retenues par séance"),
                [_("votes exprimés"), _("idées retenues")],
                [(day, [_masked(s.votes), _masked(s.ideas_kept)]) for day, s in rows],
            )
        )
    if any(s.actions_planned for s in data.sessions):
        charts.append(
            hbars(
                "action_statuses",
                _("Actions prévues à chaque séance, selon leur statut aujourd’hui"),
                [str(ACTION_STATUS_LABELS[status]) for status in figures.ACTION_STATUSES],
                [(day, [_masked(n) for _status, n in s.actions_by_status]) for day, s in rows],
            )
        )
    if data.report_back:
        charts.append(
            hbars(
                "actions",
                _("Plans d’action : actions prévues, dont on a eu des nouvelles, faites"),
                [_("prévues"), _("avec un retour"), _("faites")],
                [
                    (day, [s.actions_planned, s.actions_reported, s.actions_done])
                    for day, s in rows
                ],
            )
        )
    return charts


def _count(value):
    return (None, "—") if value is None else value


def _masked(value):
    """A count the figures did not show apart (``figures.masked``): said so."""
    return (None, _("masqué")) if value is None else value


def _feedback_chart(feedback: figures.FeedbackFigures):
    return hbars(
        "usefulness",
        _("Utilité de la séance, selon les membres (1 à 5)"),
        [_("réponses")],
        [(f"{score}/5", [_masked(count)]) for score, count in feedback.distribution],
    )


@login_required
@never_cache
@require_GET
def bilan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_or_404(request.user, pk)
    group, period = membership.group, _period(request)
    data = figures.group_figures(group, period)
    facilitation = []
    if membership.is_organiser and data.facilitation:
        people = User.objects.in_bulk([uid for uid, _n in data.facilitation])
        facilitation = [
            (people[uid].name if uid in people else "—", n) for uid, n in data.facilitation
        ]
    return render(
        request,
        "insights/bilan.html",
        {
            "group": group,
            "membership": membership,
            "data": data,
            "period": period,
            "periods": [(key, PERIOD_LABELS[key]) for key in figures.PERIODS],
            "charts": _charts(data) if data.sessions else [],
            "feedback_chart": _feedback_chart(data.feedback) if data.feedback.responses else None,
            "feedback_hidden": any(n is None for _score, n in data.feedback.distribution),
            "statuses": [
                (STATUS_TOTAL_LABELS[status], n) for status, n in data.actions_by_status
            ],
            "masked_statuses": any(n is None for _status, n in data.actions_by_status),
            "facilitation": facilitation,
            "mine": personal_figures(request.user, group),
            "small": figures.SMALL,
        },
    )


CSV_COLUMNS: tuple[tuple[str, Callable[[figures.SessionFigures], object]], ...] = (
    ("date", lambda s: timezone.localtime(s.scheduled_at).date().isoformat()),
    ("subjects_proposed", lambda s: s.proposed),
    ("subjects_handled", lambda s: s.handled),
    ("subjects_withdrawn", lambda s: s.withdrawn),
    ("subjects_carried", lambda s: s.carried),
    ("backlog_after", lambda s: s.backlog_after),
    ("present", lambda s: s.present),
    ("registered", lambda s: s.registered),
    ("seats", lambda s: s.seats),
    ("planned_minutes", lambda s: s.planned_minutes),
    ("actual_minutes", lambda s: None if s.actual_minutes is None else round(s.actual_minutes)),
    ("actions_planned", lambda s: s.actions_planned),
    ("actions_reported", lambda s: s.actions_reported),
    ("actions_done", lambda s: s.actions_done),
    ("facilitators", lambda s: len(s.facilitators)),
    # Empty when masked: too small a count to be shown apart.
    ("votes_cast", lambda s: s.votes),
    ("ideas_kept", lambda s: s.ideas_kept),
    *(
        (f"actions_{status}_now", lambda s, status=status: dict(s.actions_by_status).get(status))
        for status in figures.ACTION_STATUSES
    ),
)


@login_required
@never_cache
@require_GET
def bilan_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Counts only, one line per session, for the community's sponsors: no name, no title,
    no keyword."""
    membership = get_membership_or_404(request.user, pk)
    if not membership.is_organiser:
        raise Http404
    data = figures.group_figures(membership.group, _period(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bilan-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([name for name, _get in CSV_COLUMNS])
    for s in data.sessions:
        writer.writerow(["" if (v := get(s)) is None else v for _name, get in CSV_COLUMNS])
    return response
