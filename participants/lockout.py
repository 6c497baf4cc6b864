"""What a person sees when django-axes locks their sign-in out: the app's own page.

Axes answers a locked-out attempt itself, in place of the page the view made, with a message
of its own (``AXES_LOCKOUT_CALLABLE`` replaces that answer). Here the answer is the page the
view made, telling why (``MESSAGE``), with status 429: the sign-in page keeps its form, so the
person can ask for a link by e-mail at once; the password page keeps its form. A view marks
that page with ``answer``: Axes hands the view's response to its hook only when Django runs
the middleware synchronously, never under daphne, so the page travels on the request. Any
other locked-out attempt gets a page of its own, saying the same.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

MESSAGE = _("Trop d’essais : réessayez dans quelques minutes, ou demandez un lien par e-mail.")

_PAGE = "intervision_locked_out_page"


def answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response``, the view's page for a locked-out attempt, is the answer: status 429."""
    response.status_code = 429
    setattr(request, _PAGE, response)
    return response


def locked_out(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the view's own page (see ``answer``), else ours."""
    page = getattr(request, _PAGE, None)
    if isinstance(page, HttpResponse):
        return page
    return render(request, "participants/locked_out.html", {"message": MESSAGE}, status=429)
