"""French unless the person chose otherwise.

Our users are French facilitators whose browsers often say English: the interface follows
the language chosen with the switch in the header (a cookie), never Accept-Language.

What reaches a person outside a page — e-mails and their calendar files — is written in
*their* language, whoever made it leave (``participants.emails.send``): the one they chose
in « Mon compte », else the one they last used (the switch in the header, the page they signed
in from), stored on their account. The two switches' pages are in
``participants.views.language``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

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
