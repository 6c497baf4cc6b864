"""Re-authentication before what cannot be undone or leaves the site (a download of one's
data, the erasure of one's account): the person must have signed in, by password or by an
e-mailed link, within the last ``REAUTH_MINUTES``. A page left open on a shared computer
is not enough.
"""

import time
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

REAUTH_MINUTES = 10
SESSION_KEY = "privacy_signed_in_at"


@receiver(user_logged_in, dispatch_uid="privacy.date_sign_in")
def _date_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        confirm_identity(request)


def confirm_identity(request) -> None:
    request.session[SESSION_KEY] = time.time()


def recently_signed_in(request) -> bool:
    signed_in_at = request.session.get(SESSION_KEY)
    return (
        isinstance(signed_in_at, (int, float))
        and 0 <= time.time() - signed_in_at <= REAUTH_MINUTES * 60
    )


def reauth_required(view):
    """For a signed-in person: the view, if they signed in recently; else the page that
    asks them to confirm who they are, coming back here afterwards."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_signed_in(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('confirm_identity')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
