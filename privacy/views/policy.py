"""The public privacy page: what is kept, for how long, and who reads it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insights.masking import SMALL
from participants import reauth
from participants.models import DEFAULT_RETENTION_DAYS

from ..retention import APPLICATION_DAYS, INVITATION_DAYS, LOGIN_LINK_DAYS


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/privacy.html",
        {
            "retention_days": DEFAULT_RETENTION_DAYS,
            "invitation_days": INVITATION_DAYS,
            "application_days": APPLICATION_DAYS,
            "login_link_days": LOGIN_LINK_DAYS,
            "reauth_minutes": reauth.REAUTH_MINUTES,
            "small": SMALL,
        },
    )
