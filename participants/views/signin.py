"""Signing in and out: the sign-in page (a password, or a link by e-mail) and the link's page.

What is not a page (issuing and consuming links, the same answer for any address, the rate
limits) is in ``participants.signin``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import lockout, signin
from ..forms import LoginForm
from ..models import Community


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        password = form.cleaned_data["password"]
        if password:
            user = authenticate(request, username=email, password=password)
            if user is not None:
                signin.sign_in(request, user)
                return redirect(signin.safe_next(request))
            if getattr(request, "axes_locked_out", False):
                # Our page, not Axes's own answer: the form stays, to ask for a link.
                form.add_error(None, lockout.MESSAGE)
                return lockout.answer(
                    request,
                    render(
                        request,
                        "participants/login.html",
                        {"form": form, "next": request.GET.get("next", "")},
                    ),
                )
            else:
                form.add_error(None, _("Adresse ou mot de passe incorrect."))
        elif not request.POST.get("by_link") and (company := signin.company_sign_in_for(email)):
            return _company_sign_in(request, form, company, email)
        elif minutes := signin.over_limit(request, "login_link", settings.LOGIN_LINK_RATE_LIMIT):
            # Counted per client address, whatever address was typed: the refusal says
            # nothing about it, and the form keeps it.
            form.add_error(
                None,
                _(
                    "Trop de demandes de lien depuis votre connexion : réessayez dans "
                    "%(minutes)s min, ou connectez-vous avec votre mot de passe si vous "
                    "en avez un."
                )
                % {"minutes": minutes},
            )
            return render(
                request,
                "participants/login.html",
                {"form": form, "next": request.GET.get("next", "")},
                status=429,
            )
        else:
            # Same answer, and the same work before it, whether the address is known or
            # not: looking it up, issuing the link and mailing it happen once the answer
            # has been sent, so its timing tells nothing about who has an account.
            messages.info(
                request,
                _("Si cette adresse est connue, un lien de connexion vient d’y être envoyé."),
            )
            return signin.RedirectThenRun(
                reverse("login"), signin.send_login_link_if_known, email, translation.get_language()
            )
    return render(
        request, "participants/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _company_sign_in(
    request: HttpRequest, form: LoginForm, community: Community, email: str
) -> HttpResponse:
    """The address's domain has its company's own sign-in: a button to it (allauth's login
    of the community's provider), no link sent — the e-mailed link stays one click away."""
    response = render(
        request,
        "participants/login.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "company_sign_in_url": reverse(
                "openid_connect_login", kwargs={"provider_id": community.sign_in_provider_id}
            ),
            "email": email,
            "domain": email.rpartition("@")[2],
        },
    )
    return signin.let_forms_reach(response, community)


@never_cache
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST signs in: a mail scanner opening the link cannot burn it."""
    link = signin.usable_link(token)
    if link is None:
        return render(
            # The same answer, status included, for a link that never existed.
            request,
            "participants/login_link.html",
            {"invalid": True},
            status=410,
        )
    if request.method == "POST":
        if not signin.consume(link):
            return render(request, "participants/login_link.html", {"invalid": True}, status=410)
        request.session.cycle_key()
        signin.sign_in(request, link.user)
        return redirect(signin.safe_next(request))
    return render(
        request,
        "participants/login_link.html",
        {"invalid": False, "link": link, "next": request.GET.get("next", "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponseRedirect:
    # Django's user_logged_out tells the other apps (open live pages close).
    logout(request)
    return redirect("login")
