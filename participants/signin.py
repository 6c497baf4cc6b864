"""Signing in: the e-mailed links, where to go afterwards, and the brakes on asking.

- A sign-in link is issued and mailed (``send_login_link``), found again by its token
  (``usable_link``) and consumed once (``consume``); only its hash is stored.
- Asking for a link gives the same answer, after the same work, whether the address is
  known or not: the lookup, the link and the mail run once the answer has been sent
  (``RedirectThenRun``, ``send_login_link_if_known``).
- ``over_limit`` counts a request against its client address's allowance.

The pages themselves are in ``participants.views.signin``.
"""

import logging
import math
import random
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.core import get_usage

from . import emails
from .models import Community, LoginLink, User, hash_token

log = logging.getLogger(__name__)


def safe_next(request: HttpRequest, fallback: str = "home") -> str:
    """The ``next`` address of the request if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def sign_in(request: HttpRequest, user: User) -> None:
    """Sign ``user`` in on this request (after a password, a link or an invitation)."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


# --- Sign-in links ------------------------------------------------------------------------


def send_login_link(user: User, language: str | None = None) -> None:
    """``language``: the one of the page the link was asked from (the person's own, unless
    they chose another for their e-mails)."""
    emails.login_link(user, LoginLink.issue(user), language=language)


def send_login_link_if_known(email: str, language: str) -> None:
    """Look the address up and, if it belongs to an active account, issue a link and mail
    it (after the commit); an unknown address gets nothing."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    with translation.override(language), transaction.atomic():
        send_login_link(user, language)


def usable_link(token: str) -> LoginLink | None:
    """The link of ``token`` if it can still sign someone in; None for a link used, expired,
    of a closed account, or that never existed: the pages answer them alike."""
    link = LoginLink.objects.select_related("user").filter(token_sha256=hash_token(token)).first()
    if link is None or not link.is_usable():
        return None
    return link


def consume(link: LoginLink) -> bool:
    """Mark the link used; False when another request used it first (it signs in once)."""
    with transaction.atomic():
        updated = LoginLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    return bool(updated)


def company_sign_in_for(email: str) -> Community | None:
    """The community whose company sign-in serves ``email``'s domain, if any. Decided by the
    domain alone, never by whether the address has an account: the sign-in page's answer
    for it tells nothing about the person."""
    domain = email.rpartition("@")[2]
    return next((c for c in Community.objects.claiming(domain) if c.has_company_sign_in), None)


def let_forms_reach(response: HttpResponse, community: Community) -> HttpResponse:
    """A page with a button to the community's provider: allauth redirects its form there,
    so the page's CSP lets forms reach the provider's origin (django-csp's per-response
    update, as its ``csp_update`` decorator sets it)."""
    issuer = urlsplit(community.oidc_issuer)
    response._csp_update = {"form-action": [f"{issuer.scheme}://{issuer.netloc}"]}  # type: ignore[attr-defined]
    return response


# --- The same answer whoever asks ---------------------------------------------------------


# Seconds the work after a response waits first (random in this range): the answer's last
# bytes leave, and the page the browser then loads is served, without the work competing for
# the interpreter (measured by bench/signin_timing.py).
AFTER_RESPONSE_DELAY = (0.02, 0.1)


class RedirectThenRun(HttpResponseRedirect):
    """A redirect that runs ``work`` once it has been sent.

    Django's handlers call ``close()`` after the response's last byte: the ASGI handler once
    the body has gone to the server, the test client before handing the response back. So
    the work runs outside the time the client can measure, in the request's own thread and
    database connection, before ``request_finished`` releases them. A failure is logged by
    its class only (the work may hold an address or a token) and never reaches the client.
    """

    def __init__(self, redirect_to: str, work: Callable[..., object], *args: object):
        super().__init__(redirect_to)
        self._work: tuple[Callable[..., object], tuple[object, ...]] | None = (work, args)

    def close(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            function, args = work
            time.sleep(random.uniform(*AFTER_RESPONSE_DELAY))
            try:
                function(*args)
            except Exception as exc:  # noqa: BLE001 - the response is already sent
                log.error(
                    "%s after the response failed (%s)",
                    getattr(function, "__name__", "work"),
                    exc.__class__.__name__,
                )
        super().close()


# --- Rate limits --------------------------------------------------------------------------


def over_limit(request: HttpRequest, group: str, rate: str) -> int | None:
    """Count this request against its client address's allowance for ``group`` (``rate``,
    as in 5/10m); when the allowance is spent, the minutes until it renews, else None.

    The address is REMOTE_ADDR (settings.py says why a client behind Caddy cannot choose it).
    A cache that fails lets the request through, logged: the limit is a brake on abuse, and
    Redis being down must not stop anyone from signing in."""
    try:
        usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
    except Exception as exc:  # noqa: BLE001 - see above
        log.warning("rate limit not checked: cache unavailable (%s)", exc.__class__.__name__)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, math.ceil(usage["time_left"] / 60))
