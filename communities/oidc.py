"""Company sign-in through django-allauth's OpenID Connect provider, one app per community.

- ``SocialAccountAdapter.list_apps`` (allauth's documented override point) builds, from the
  database, one unsaved ``SocialApp`` per community with a company sign-in: provider
  ``openid_connect``, ``provider_id`` ``c<pk>`` (``Community.sign_in_provider_id``), its
  client id and secret, and its issuer's discovery document. allauth finds a community's
  app by that ``provider_id``, the one in its URLs (/auth/oidc/c<pk>/login/).
- Once allauth has checked the ID token, ``pre_social_login`` checks what the community
  decided and prepares the person (``communities.actions_signin``), links the account,
  and lets allauth sign them in through Django's ``login`` (the session is rotated).
  A refusal — or any earlier failure: state, code, the provider's error — gets
  ``refusal_page``, which says why and offers the e-mailed link.

allauth's own pages (passwords, sign-up, e-mail management) are not served, nor its
messages: the app's sign-in page stays the way in.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Community

from . import actions_signin as signin

log = logging.getLogger(__name__)

DISCOVERY = "/.well-known/openid-configuration"

TITLES = {
    signin.FAILED: _("La connexion n’a pas abouti"),
}
REFUSED_TITLE = _("Connexion refusée")
REASONS = {
    signin.FAILED: _(
        "La connexion avec le compte de votre entreprise n’a pas abouti : la demande a "
        "expiré ou a déjà servi, ou votre entreprise l’a refusée. Recommencez depuis la "
        "page de connexion."
    ),
    signin.WRONG_ISSUER: _(
        "Le service de connexion qui a répondu n’est pas celui que la communauté a "
        "configuré : par prudence, la connexion est refusée. Prévenez les responsables de "
        "votre communauté."
    ),
    signin.NO_EMAIL: _(
        "Votre entreprise ne nous a pas transmis votre adresse e-mail : nous ne pouvons pas "
        "savoir qui vous êtes."
    ),
    signin.UNVERIFIED: _(
        "Votre entreprise indique que votre adresse e-mail n’est pas vérifiée : la "
        "connexion est refusée."
    ),
    signin.OUTSIDE_DOMAINS: _(
        "L’adresse e-mail transmise par votre entreprise n’appartient à aucun des domaines "
        "de la communauté."
    ),
    signin.REMOVED: _(
        "Vous ne faites plus partie de cette communauté : la connexion de votre entreprise "
        "ne vous y ramène pas."
    ),
    signin.CLOSED: _("Ce compte est fermé."),
    signin.LINK_FIRST: _(
        "Un compte Intervision existe déjà pour cette adresse. Pour le relier au compte de "
        "votre entreprise, connectez-vous une première fois par le lien envoyé par e-mail, "
        "puis, dans « Mon compte », choisissez « Relier le compte de mon entreprise » : "
        "ensuite, la connexion de votre entreprise suffira."
    ),
    signin.STAFF: _(
        "Un compte d’administration se connecte avec son mot de passe, pas par la connexion "
        "de l’entreprise."
    ),
}


def discovery_url(issuer: str) -> str:
    """Where an issuer's discovery document is (OpenID Connect Discovery 1.0, 4)."""
    return issuer.rstrip("/") + DISCOVERY


def landing_url(community: Community) -> str:
    """Where a member lands after the company sign-in: the community's page."""
    return reverse("community_detail", kwargs={"pk": community.pk})


def refusal_page(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "communities/sign_in_refused.html",
        {"title": TITLES.get(reason, REFUSED_TITLE), "reason": REASONS[reason]},
        status=400 if reason == signin.FAILED else 403,
    )


def _app(community: Community) -> SocialApp:
    return SocialApp(
        provider=OpenIDConnectProvider.id,
        provider_id=community.sign_in_provider_id,
        # allauth shows this name on its pages, none of which is served: no community name.
        name="OpenID Connect",
        client_id=community.oidc_client_id,
        secret=community.oidc_secret,
        settings={"server_url": discovery_url(community.oidc_issuer), "community": community.pk},
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        """The communities' company sign-ins, as allauth apps; ``provider`` is the
        provider's id (all of them) or one community's ``c<pk>``."""
        communities = Community.objects.exclude(oidc_issuer="").exclude(oidc_client_id="")
        if provider and provider != OpenIDConnectProvider.id:
            pk = Community.pk_from_sign_in_provider_id(provider)
            if pk is None:
                return []
            communities = communities.filter(pk=pk)
        apps = [_app(c) for c in communities.order_by("pk") if c.has_company_sign_in]
        if client_id:
            apps = [app for app in apps if app.client_id == client_id]
        return apps

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        account = sociallogin.account
        received = account.extra_data or {}
        # Nothing of the provider's answer is kept: which community links the account
        # (its provider id) and the person's own row say enough.
        account.extra_data = {}
        if account.pk:
            account.save(update_fields=["extra_data"])
        pk = sociallogin.provider.app.settings.get("community")
        community = Community.objects.filter(pk=pk).first()
        try:
            if community is None:
                raise signin.Refused(signin.FAILED)
            claims = signin.Claims.read(
                received.get("id_token") or {}, received.get("userinfo") or {}
            )
            user = signin.do_company_sign_in(
                community,
                claims,
                now=timezone.now(),
                linked_to=account.user_id if account.pk else None,
                signed_in=request.user.pk if request.user.is_authenticated else None,
            )
        except signin.Refused as refusal:
            log.info("company sign-in refused (community %s): %s", pk, refusal.reason)
            raise ImmediateHttpResponse(refusal_page(request, refusal.reason)) from None
        # The account is the person the address names, whoever the link pointed to before
        # (a provider's ``sub`` is only a hint; a community may change providers).
        sociallogin.user = user
        account.user = user
        account.save()
        sociallogin.state["process"] = AuthProcess.LOGIN
        sociallogin.state["next"] = sociallogin.state.get("next") or landing_url(community)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """A state that does not match, a code expired or already used, the provider's
        error: our page, not allauth's (the class of the failure only in the log)."""
        log.info(
            "company sign-in failed (%s): %s",
            getattr(provider, "sub_id", "?"),
            exception.__class__.__name__ if exception is not None else error,
        )
        raise ImmediateHttpResponse(refusal_page(request, signin.FAILED))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """Accounts are made by ``do_company_sign_in`` only, before allauth would: its own
        sign-up is never the way in."""
        raise ImmediateHttpResponse(refusal_page(request, signin.FAILED))


class AccountAdapter(DefaultAccountAdapter):
    def add_message(self, *args, **kwargs) -> None:
        """allauth's messages (« Connexion avec … réussie ») are not the app's words: the
        page one lands on says enough."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
