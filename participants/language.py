"""French unless the person chose otherwise.

Our users are French facilitators whose browsers often say English: the interface follows
the language chosen with the switch in the header (a cookie), never Accept-Language.
"""

from django.conf import settings
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
