"""Re-authentication before what cannot be undone, leaves the site or opens the account to
someone else (choosing a password, a download of one's data, the erasure of one's account):
the person must have signed in, by password or by an e-mailed link, within the last
``REAUTH_MINUTES``. A page left open on a shared computer, or a stolen cookie, is not enough.

It lives here, with signing in, because the password page needs it too and ``privacy``
builds on ``participants``, not the reverse. The session key keeps its first name, so
that sessions dated before the move stay dated.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse

REAUTH_MINUTES = 10
SESSION_KEY = "privacy_signed_in_at"


def now() -> float:
    """The clock the sign-in is dated by (tests move it)."""
    return time.time()


@receiver(user_logged_in, dispatch_uid="participants.date_sign_in")
def _date_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        confirm_identity(request)


def confirm_identity(request) -> None:
    request.session[SESSION_KEY] = now()


def recently_signed_in(request) -> bool:
    """Signed in (or confirmed who they are) at most ``REAUTH_MINUTES`` ago; a date in the
    future is no sign-in: it was not written by ``confirm_identity``."""
    signed_in_at = request.session.get(SESSION_KEY)
    return (
        isinstance(signed_in_at, (int, float))
        and not isinstance(signed_in_at, bool)
        and 0 <= now() - signed_in_at <= REAUTH_MINUTES * 60
    )


def confirm_first(request) -> HttpResponseRedirect:
    """The page that asks the person to confirm who they are (by password or an e-mailed
    link), coming back to this one afterwards."""
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('confirm_identity')}?{query}")


def reauth_required(view):
    """For a signed-in person: the view, if they signed in recently; else ``confirm_first``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_signed_in(request):
            return confirm_first(request)
        return view(request, *args, **kwargs)

    return wrapper
