"""The community's company sign-in, set by its leaders: its OpenID Connect provider (issuer,
client id, secret) and the e-mail domains whose people sign in through it."""

from allauth.utils import build_absolute_uri
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants import reauth
from participants.access import get_leader_membership_or_404
from participants.http import AuthenticatedHttpRequest

from ..forms_signin import CompanySignInForm


@login_required
@never_cache
def sign_in_settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = get_leader_membership_or_404(request.user, pk).community
    if request.method == "POST" and not reauth.recently_signed_in(request):
        # Whoever sets the provider decides who may sign in as the domains' people.
        return reauth.confirm_first(request)
    form = CompanySignInForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("La connexion de l’entreprise est enregistrée."))
        return redirect("community_sign_in", pk=community.pk)
    # The address allauth sends the provider back to, built as allauth builds it.
    callback = reverse(
        "openid_connect_callback", kwargs={"provider_id": community.sign_in_provider_id}
    )
    return render(
        request,
        "communities/sign_in_settings.html",
        {
            "community": community,
            "form": form,
            "redirect_uri": build_absolute_uri(request, callback),
            "has_secret": bool(community.oidc_secret),
        },
    )
