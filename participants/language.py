"""French unless the person chose otherwise.

Our users are French facilitators whose browsers often say English: the interface follows
the language chosen with the switch in the header (a cookie), never Accept-Language.

What reaches a person outside a page — e-mails and their calendar files — is written in
*their* language, whoever made it leave (``participants.emails.send``): the one they chose
in « Mon compte », else the one they last used (the switch in the header, the page they signed
in from), stored on their account.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(cookies) -> str:
    value = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return value if value in SUPPORTED else settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request.COOKIES)
        request.LANGUAGE_CODE = language
        # Only for this request: the thread serves others next, and runs code outside any.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# --- Each person's language, for what reaches them outside a page (e-mails, calendars) ------


def of(user) -> str:
    """The language of ``user``'s e-mails: the one chosen in « Mon compte », else the one
    they last used; French for someone never seen using one."""
    value = getattr(user, "language", "")
    return value if value in SUPPORTED else settings.LANGUAGE_CODE


def remember(user, language: str) -> None:
    """``user`` is using ``language``: it becomes their e-mails' language, unless they chose
    one in « Mon compte ». One UPDATE, only when it changes."""
    if not getattr(user, "is_authenticated", False) or language not in SUPPORTED:
        return
    if user.language_chosen or user.language == language:
        return
    user.language = language
    get_user_model().objects.filter(pk=user.pk, language_chosen=False).update(language=language)


def on_login(sender, request, user, **kwargs) -> None:
    """Signing in is using the site: the language of the page signed in from is theirs."""
    if request is not None:
        remember(user, chosen_language(request.COOKIES))


def set_language(request):
    """Django's switch in the header (``django.views.i18n.set_language``), which also
    records a signed-in person's choice for their e-mails."""
    response = i18n.set_language(request)
    if request.method == "POST":
        remember(request.user, request.POST.get("language", ""))
    return response


@login_required
@require_POST
def account_language(request):
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
