"""The person's own account: confirming who they are, their data to download, their
account to erase.

Downloading and erasing ask for a recent sign-in (``reauth``); erasing also asks the
person to type their address.
"""

import json
from urllib.parse import urlencode

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants import emails, reauth, signin
from participants.http import AuthenticatedHttpRequest
from participants.models import LoginLink
from participants.signin import safe_next

from .. import export
from ..actions import (
    HandOverFirst,
    do_erase_account,
    sole_leader_communities,
    sole_organiser_groups,
)
from ..forms import EraseForm, PasswordConfirmForm

# --- Confirming who you are ---------------------------------------------------------------


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


@login_required
@never_cache
def confirm_identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Asks for the password, or sends a sign-in link that comes back to ``next``."""
    user, target = request.user, safe_next(request, fallback="account")
    form = PasswordConfirmForm(request.POST if "password" in request.POST else None)
    if request.method == "POST" and "send_link" in request.POST:
        with transaction.atomic():
            url = _with_next(reverse("login_link", args=[LoginLink.issue(user)]), target)
            emails.send(
                "login_link",
                user.email,
                {"url": settings.SITE_URL + url, "minutes": settings.LOGIN_LINK_MINUTES},
            )
        messages.info(
            request,
            _(
                "Un lien de confirmation vient de vous être envoyé par e-mail ; "
                "il vous ramènera ici."
            ),
        )
        return redirect(_with_next(reverse("confirm_identity"), target))
    if request.method == "POST" and form.is_valid():
        if authenticate(request, username=user.email, password=form.cleaned_data["password"]):
            reauth.confirm_identity(request)
            return redirect(target)
        form.add_error("password", _("Ce n’est pas le bon mot de passe."))
    return render(
        request,
        "privacy/confirm_identity.html",
        {
            "form": form,
            "next": target,
            "has_password": user.has_usable_password(),
            "reauth_minutes": reauth.REAUTH_MINUTES,
        },
    )


# --- My account -----------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's account; where their address's domain has its company's sign-in, the
    button that links it — signed in already, they show the mailbox is theirs."""
    company = signin.company_sign_in_for(request.user.email)
    if company is None:
        return render(request, "privacy/account.html", {})
    linked = SocialAccount.objects.filter(
        user=request.user, provider=company.sign_in_provider_id
    ).exists()
    context = {
        "company": company,
        "company_linked": linked,
        "company_sign_in_url": reverse(
            "openid_connect_login", kwargs={"provider_id": company.sign_in_provider_id}
        ),
    }
    return signin.let_forms_reach(render(request, "privacy/account.html", context), company)


@login_required
@never_cache
@require_GET
@reauth.reauth_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "privacy/my_data.html", {})


def _download(content: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(ext: str) -> str:
    return f"intervision-mes-donnees-{timezone.localdate():%Y-%m-%d}.{ext}"


@login_required
@never_cache
@require_GET
@reauth.reauth_required
def my_data_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = export.personal_data(request.user)
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _download(content, _filename("json"), "application/json; charset=utf-8")


@login_required
@never_cache
@require_GET
@reauth.reauth_required
def my_data_markdown(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = export.readable(export.personal_data(request.user))
    content = render_to_string("privacy/export.md.txt", {"data": data}, request=request)
    return _download(content, _filename("md"), "text/markdown; charset=utf-8")


@login_required
@never_cache
@reauth.reauth_required
def erase_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    hand_over, alone = sole_organiser_groups(user)
    leaderless, empty_communities = sole_leader_communities(user)
    form = EraseForm(request.POST or None, email=user.email)
    if request.method == "POST" and not hand_over and form.is_valid():
        try:
            do_erase_account(user)
        except HandOverFirst:
            return redirect("erase_account")
        logout(request)
        messages.success(request, _("Votre compte est effacé. Un e-mail vous le confirme."))
        return redirect("privacy")
    return render(
        request,
        "privacy/erase_account.html",
        {
            "form": form,
            "hand_over": hand_over,
            "alone": alone,
            "leaderless": leaderless,
            "empty_communities": empty_communities,
            "in_communities": user.community_memberships.active().exists(),
        },
    )
