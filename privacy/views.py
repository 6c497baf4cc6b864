"""The person's own account: their data to download, their account to erase; an
organiser's erasure of a member's content on request; the public privacy page.

Downloading and erasing ask for a recent sign-in (``reauth``); erasing also asks the
person to type their address. An organiser's page is a 404 for anyone else, as every
group page.
"""

import json
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants import emails, reauth
from participants.access import get_membership_or_404
from participants.models import DEFAULT_RETENTION_DAYS, LoginLink, Membership
from participants.signin import safe_next
from sessions_app.templatetags.words import que

from . import export, forget
from .retention import APPLICATION_DAYS, INVITATION_DAYS, LOGIN_LINK_DAYS

# --- Confirming who you are ---------------------------------------------------------------


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Mot de passe"), widget=forms.PasswordInput)


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


@login_required
@never_cache
def confirm_identity(request):
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
def account(request):
    return render(request, "privacy/account.html", {})


@login_required
@never_cache
@require_GET
@reauth.reauth_required
def my_data(request):
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
def my_data_json(request):
    data = export.personal_data(request.user)
    content = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _download(content, _filename("json"), "application/json; charset=utf-8")


@login_required
@never_cache
@require_GET
@reauth.reauth_required
def my_data_markdown(request):
    data = export.readable(export.personal_data(request.user))
    content = render_to_string("privacy/export.md.txt", {"data": data}, request=request)
    return _download(content, _filename("md"), "text/markdown; charset=utf-8")


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label=gettext_lazy("Tapez votre adresse e-mail pour confirmer"), max_length=254
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip().lower()
        if typed != self.email.lower():
            raise forms.ValidationError(
                _("Ce n’est pas l’adresse de votre compte : rien n’a été effacé.")
            )
        return typed


@login_required
@never_cache
@reauth.reauth_required
def erase_account(request):
    user = request.user
    hand_over, alone = forget.sole_organiser_groups(user)
    form = EraseForm(request.POST or None, email=user.email)
    if request.method == "POST" and not hand_over and form.is_valid():
        try:
            with transaction.atomic():
                email = forget.erase_account(user)
                emails.send("account_erased", email, {})
        except forget.HandOverFirst:
            return redirect("erase_account")
        logout(request)
        messages.success(request, _("Votre compte est effacé. Un e-mail vous le confirme."))
        return redirect("privacy")
    return render(
        request,
        "privacy/erase_account.html",
        {"form": form, "hand_over": hand_over, "alone": alone},
    )


# --- An organiser erases a member's content, on their request --------------------------------


class EraseMemberForm(forms.Form):
    remove = forms.BooleanField(
        label=gettext_lazy("Retirer aussi cette personne du groupe"), required=False
    )


@login_required
@never_cache
def erase_member_content(request, pk, member_pk):
    mine = get_membership_or_404(request.user, pk)
    if not mine.is_organiser:
        raise Http404
    member = get_object_or_404(
        Membership.objects.select_related("user", "group"), pk=member_pk, group_id=pk
    )
    if member.user.erased_at is not None:
        raise Http404
    form = EraseMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            forget.erase_content(member.user, [pk])
            if form.cleaned_data["remove"] and member.removed_at is None and member != mine:
                member.remove()
        messages.success(
            request,
            _("Ce %(what)s a écrit dans le groupe est effacé.") % {"what": que(member.user.name)},
        )
        return redirect("group_members", pk=pk)
    return render(
        request,
        "privacy/erase_member.html",
        {"group": mine.group, "member": member, "form": form, "is_self": member == mine},
    )


# --- The privacy page ---------------------------------------------------------------------------


@require_GET
def privacy(request):
    return render(
        request,
        "privacy/privacy.html",
        {
            "retention_days": DEFAULT_RETENTION_DAYS,
            "invitation_days": INVITATION_DAYS,
            "application_days": APPLICATION_DAYS,
            "login_link_days": LOGIN_LINK_DAYS,
            "reauth_minutes": reauth.REAUTH_MINUTES,
        },
    )
