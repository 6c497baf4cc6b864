"""« Mon attestation de participation »: the person's own, over a period they choose, as a
page that prints on one sheet and as a standalone HTML file to keep.

Only the signed-in person's figures (``insights.attestation``): their name, never anyone
else's, never a group's name or anything said in it.
"""

from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.http import AuthenticatedHttpRequest
from sessions_app.texts import duration_label

from ..attestation import Attestation, attestation
from ..forms import AttestationPeriodForm

STYLESHEET = "css/attestation.css"


def _form(request: AuthenticatedHttpRequest) -> AttestationPeriodForm:
    data = request.GET if request.GET else {"periode": AttestationPeriodForm.ALL}
    return AttestationPeriodForm(data, today=timezone.localdate())


def _day(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def _kind(data: Attestation) -> str:
    if data.intervision and data.codev:
        return _("d’intervision et de codéveloppement")
    return _("de codéveloppement") if data.codev else _("d’intervision")


def _when(data: Attestation) -> str:
    if data.first is None or data.last is None:
        return ""
    if data.first == data.last:
        return _("le %(day)s") % {"day": _day(data.first)}
    return _("entre le %(first)s et le %(last)s") % {
        "first": _day(data.first),
        "last": _day(data.last),
    }


def _document(request: AuthenticatedHttpRequest, form: AttestationPeriodForm) -> dict:
    """What the attestation says, for the page and the file alike."""
    since, until = form.bounds()
    data = attestation(request.user, since, until)
    return {
        "data": data,
        "who": request.user.name,
        "kind": _kind(data),
        "when": _when(data),
        "hours": duration_label(data.minutes),
        "shares": [(share, duration_label(share.minutes)) for share in data.communities],
        "since": _day(since) if since else "",
        "until": _day(until) if until else "",
        "issued": _day(timezone.localdate()),
    }


def _query(form: AttestationPeriodForm) -> str:
    """The period chosen, as the download link carries it."""
    period = form.cleaned_data["periode"]
    if period != AttestationPeriodForm.DATES:
        return urlencode({"periode": period})
    return urlencode(
        {
            "periode": period,
            "du": form.cleaned_data["du"].isoformat(),
            "au": form.cleaned_data["au"].isoformat(),
        }
    )


@login_required
@never_cache
@require_GET
def attestation_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "insights/attestation.html", {"form": form, "data": None}, status=400
        )
    return render(
        request,
        "insights/attestation.html",
        {"form": form, "query": _query(form), **_document(request, form)},
    )


@login_required
@never_cache
@require_GET
def attestation_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same document as a file of its own: styled inline (it is opened from the disk,
    away from the site's stylesheets), without any script."""
    form = _form(request)
    if not form.is_valid():
        return redirect(f"{reverse('attestation')}?{request.GET.urlencode()}")
    found = finders.find(STYLESHEET)
    assert isinstance(found, str), STYLESHEET
    # The app's own stylesheet, never anything a person wrote.
    css = mark_safe(Path(found).read_text(encoding="utf-8"))
    content = render_to_string(
        "downloads/attestation.html",
        {"css": css, **_document(request, form)},
        request=request,
    )
    response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-intervision-{timezone.localdate():%Y-%m-%d}.html"'
    )
    return response
