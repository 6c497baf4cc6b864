"""The app's own error pages, in its layout and language.

Django renders ``400.html``, ``403.html``, ``404.html`` and ``500.html`` by itself when DEBUG
is off; this module adds the two it has no handler for: the CSRF failure
(``CSRF_FAILURE_VIEW``) and the generic "gone" page (410) for links that no longer work.

The pages (``templates/_error.html``) carry no CSRF token, no path and no detail of the
exception: an outsider's 404 on a real group is byte for byte the 404 of a missing one.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a stale or missing CSRF token: most often a page left open long
    enough for its token to change (a sign-in or sign-out in another tab). The reason is
    Django's to log (``django.security.csrf``), never shown."""
    return render(request, "403_csrf.html", status=403)


def gone(request: HttpRequest) -> HttpResponse:
    """A link that worked once and no longer does (expired, used, revoked): 410."""
    return render(request, "410.html", status=410)


class NotFoundPageMiddleware:
    """With DEBUG on (the embedded default, the demo), Django answers a 404 with its
    technical page: in English, listing every URL pattern. People trying the demo are users
    too: they get the app's own 404 page, as in production. Other errors keep Django's
    debug pages, which a developer needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and _technical(response):
            return render(request, "404.html", status=404)
        return response


def _technical(response: HttpResponse) -> bool:
    """Django's debug 404 page (not a page of the app's that answers 404 itself)."""
    return not getattr(response, "streaming", False) and b"<title>Page not found at" in (
        response.content[:2000]
    )
