"""The two language switches: the header's, for the pages, and « Mon compte »'s, for one's
e-mails (what each person's language means is in ``participants.language``)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from ..http import AuthenticatedHttpRequest
from ..language import SUPPORTED, chosen_language, remember


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switch in the header (``django.views.i18n.set_language``), which also
    records a signed-in person's choice for their e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST":
        remember(request.user, request.POST.get("language", ""))
    return response


@login_required
@require_POST
def account_language(request: AuthenticatedHttpRequest) -> HttpResponse:
    """« Mon compte »: the language of my e-mails, chosen once; empty gives the choice back
    to the switch in the header (the language I last use)."""
    language = request.POST.get("language", "")
    if language and language not in SUPPORTED:
        return HttpResponseBadRequest()
    user = request.user
    user.language_chosen = bool(language)
    user.language = language or chosen_language(request.COOKIES)
    user.save(update_fields=["language", "language_chosen"])
    response = redirect("account")
    if language:
        # The pages follow the choice too, from the next one on.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        with translation.override(language):
            messages.success(
                request,
                _("Vos e-mails vous parviendront en %(language)s.")
                % {"language": _language_name(language)},
            )
    else:
        messages.success(
            request, _("Vos e-mails suivront la langue que vous utilisez sur le site.")
        )
    return response


def _language_name(code: str) -> str:
    return str(translation.get_language_info(code)["name_translated"])
