"""The community's « Bilan », for its leaders: its groups' figures added up and group by
group, drawn as the group's Bilan draws its own, printable for sponsors, and their CSV.

Both pages start from the leader check: anyone else — a member of the community, an
organiser of one of its groups, a leader of another community — gets a 404. Counts only:
the groups' names (the leaders created the groups), never a person's, a keyword or a text.
"""

import csv
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from insights.charts import hbars
from insights.figures import ACTION_STATUSES, PERIODS, USEFULNESS
from insights.masking import SMALL
from insights.views.bilan import PERIOD_LABELS, STATUS_TOTAL_LABELS
from participants.access import get_leader_membership_or_404
from participants.http import AuthenticatedHttpRequest
from sessions_app.texts import ACTION_STATUS_LABELS

from ..figures import (
    COLUMNS,
    SCORE_COLUMNS,
    STATUS_COLUMNS,
    CommunityFigures,
    Line,
    community_figures,
)

LABEL_CHARS = 32  # a group's name in a chart's row, cut beyond (the table has it whole)


def _period(request: HttpRequest) -> str:
    period = request.GET.get("periode", "12m")
    return period if period in PERIODS else "12m"


def _masked(value: int | None):
    """A count the figures do not show (``figures.suppress``): said so beside its bar."""
    return (None, _("masqué")) if value is None else value


def _label(line: Line) -> str:
    assert line.group is not None
    name = Truncator(line.group.name).chars(LABEL_CHARS)
    return _("%(name)s (fermé)") % {"name": name} if line.group.is_closed else name


def _charts(data: CommunityFigures) -> list:
    rows = [(_label(line), line.shown) for line in data.groups]

    def per_group(chart_id: str, title: str, series: list[str], columns: tuple[str, ...]):
        return hbars(
            chart_id,
            title,
            series,
            [(label, [_masked(shown[c]) for c in columns]) for label, shown in rows],
        )

    return [
        per_group("c-sessions", _("Séances par groupe"), [_("séances")], ("sessions",)),
        per_group(
            "c-subjects",
            _("Sujets par groupe"),
            [_("proposés"), _("traités")],
            ("subjects_proposed", "subjects_handled"),
        ),
        per_group(
            "c-attendance",
            _("Présence par groupe, sur les places des séances tenues"),
            [_("présents"), _("places")],
            ("present", "seats"),
        ),
        per_group(
            "c-actions",
            _("Plans d’action par groupe : actions prévues, dont on a eu des nouvelles"),
            [_("prévues"), _("avec un retour")],
            ("actions_planned", "actions_reported"),
        ),
        per_group(
            "c-statuses",
            _("Actions prévues par groupe, selon leur statut aujourd’hui"),
            [str(ACTION_STATUS_LABELS[status]) for status in ACTION_STATUSES],
            STATUS_COLUMNS,
        ),
        hbars(
            "c-usefulness",
            _("Utilité des séances, selon les membres (1 à 5), tous groupes confondus"),
            [_("réponses")],
            [
                (f"{score}/5", [_masked(data.total.shown[column])])
                for score, column in zip(USEFULNESS, SCORE_COLUMNS, strict=True)
            ],
        ),
    ]


# The per-group table of the page: (column, heading).
TABLE_COLUMNS = (
    ("sessions", gettext_lazy("Séances")),
    ("subjects_proposed", gettext_lazy("Sujets proposés")),
    ("subjects_handled", gettext_lazy("Sujets traités")),
    ("present", gettext_lazy("Présents")),
    ("seats", gettext_lazy("Places")),
    ("actions_planned", gettext_lazy("Actions prévues")),
    ("actions_reported", gettext_lazy("Avec un retour")),
    ("actions_done_now", gettext_lazy("Faites")),
    ("facilitators", gettext_lazy("Personnes ayant animé")),
    ("feedback_responses", gettext_lazy("Réponses sur l’utilité")),
)


def _cells(line: Line) -> list[int | None]:
    return [line.shown[column] for column, _heading in TABLE_COLUMNS]


def _attendance(line: Line) -> int | None:
    """Present people per hundred seats, from the counts shown only."""
    present, seats = line.shown["present"], line.shown["seats"]
    if present is None or not seats:
        return None
    return round(100 * present / seats)


@login_required
@never_cache
@require_GET
def community_bilan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_leader_membership_or_404(request.user, pk)
    community, period = membership.community, _period(request)
    data = community_figures(community, period)
    held = bool(data.total.counts["sessions"])
    return render(
        request,
        "communities/bilan.html",
        {
            "community": community,
            "data": data,
            "period": period,
            "period_label": PERIOD_LABELS[period],
            "periods": [(key, PERIOD_LABELS[key]) for key in PERIODS],
            "held": held,
            "charts": _charts(data) if held else [],
            "headings": [heading for _column, heading in TABLE_COLUMNS],
            "lines": [(line, _cells(line)) for line in data.groups],
            "total_cells": _cells(data.total),
            "statuses": [
                (STATUS_TOTAL_LABELS[status], data.total.shown[column])
                for status, column in zip(ACTION_STATUSES, STATUS_COLUMNS, strict=True)
            ],
            "attendance": _attendance(data.total),
            "small": SMALL,
            "edited": timezone.localtime(),
        },
    )


def _csv_value(line: Line, column: str) -> object:
    value = line.shown[column]
    return "" if value is None else value


CSV_COLUMNS: tuple[tuple[str, Callable[[Line], object]], ...] = (
    ("scope", lambda line: "community" if line.group is None else "group"),
    ("name", lambda line: "" if line.group is None else line.group.name),
    (
        "closed_on",
        lambda line: (
            timezone.localtime(line.group.closed_at).date().isoformat()
            if line.group is not None and line.group.closed_at
            else ""
        ),
    ),
    (
        "last_session",
        lambda line: timezone.localtime(line.since).date().isoformat() if line.since else "",
    ),
    *((column, lambda line, column=column: _csv_value(line, column)) for column in COLUMNS),
    (
        "usefulness_average",
        lambda line: "" if line.average is None else f"{line.average:.1f}",
    ),
)


@login_required
@never_cache
@require_GET
def community_bilan_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Counts only, one line per group and one for the community: a count hidden on the
    page is an empty cell here."""
    membership = get_leader_membership_or_404(request.user, pk)
    period = _period(request)
    data = community_figures(membership.community, period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="bilan-communaute-{period}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([name for name, _get in CSV_COLUMNS])
    for line in (*data.groups, data.total):
        writer.writerow([get(line) for _name, get in CSV_COLUMNS])
    return response
