"""Signing in: by password, or by a single-use link sent by e-mail."""

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import LoginLink, User, hash_token

log = logging.getLogger(__name__)


class LoginForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"))
    password = forms.CharField(
        label=gettext_lazy("Mot de passe (facultatif)"),
        widget=forms.PasswordInput,
        required=False,
    )


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def send_login_link(user) -> None:
    token = LoginLink.issue(user)
    url = settings.SITE_URL + reverse("login_link", args=[token])
    transaction.on_commit(
        lambda: send_mail(
            _("Votre lien de connexion à Intervision"),
            _("Bonjour,\n\nPour vous connecter, ouvrez ce lien (valable %(minutes)s minutes, une seule fois) :\n%(url)s\n\nSi vous n'avez rien demandé, ignorez ce message.")
            % {"minutes": settings.LOGIN_LINK_MINUTES, "url": url},
            None,
            [user.email],
            fail_silently=True,
        )
    )


@never_cache
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        password = form.cleaned_data["password"]
        if password:
            user = authenticate(request, username=email, password=password)
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect(_safe_next(request))
            if getattr(request, "axes_locked_out", False):
                form.add_error(None, _("Trop d'essais. Réessayez dans quelques minutes ou demandez un lien par e-mail."))
            else:
                form.add_error(None, _("Adresse ou mot de passe incorrect."))
        else:
            user = User.objects.filter(email=email, is_active=True).first()
            if user is not None:
                with transaction.atomic():
                    send_login_link(user)
            # Same answer whether the address is known or not.
            messages.info(
                request,
                _("Si cette adresse est connue, un lien de connexion vient d'y être envoyé."),
            )
            return redirect("login")
    return render(request, "participants/login.html", {"form": form, "next": request.GET.get("next", "")})


@never_cache
def login_link(request, token):
    """GET shows a button, POST signs in: a mail scanner opening the link cannot burn it."""
    link = (
        LoginLink.objects.select_related("user").filter(token_sha256=hash_token(token)).first()
    )
    if link is None or not link.is_usable():
        return render(request, "participants/login_link.html", {"invalid": True}, status=410 if link else 404)
    if request.method == "POST":
        with transaction.atomic():
            updated = LoginLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
        if not updated:
            return render(request, "participants/login_link.html", {"invalid": True}, status=410)
        request.session.cycle_key()
        login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request))
    return render(request, "participants/login_link.html", {"invalid": False, "link": link})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")
