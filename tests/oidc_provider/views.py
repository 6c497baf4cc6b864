"""The test provider's own pages: a plain sign-in form, and the control requests the tests
send (add a person, allow a redirect URI, make the codes issued so far expire).

A control request carries ``settings.CONTROL_TOKEN`` in its ``X-Control-Token`` header; the
provider listens on the loopback only, for the length of a test run.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.models import Group, User
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model, get_grant_model

from .validator import UNSAID, UNVERIFIED


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    error = ""
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None:
            login(request, user)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = "/"
            return redirect(next_url)
        error = "Wrong e-mail or password."
    return render(request, "login.html", {"next": next_url, "error": error})


def _control(view):
    @csrf_exempt
    @require_POST
    def checked(request: HttpRequest) -> HttpResponse:
        token = request.headers.get("X-Control-Token", "")
        # The provider's own settings (tests/oidc_provider/settings.py), not the app's.
        expected = getattr(settings, "CONTROL_TOKEN", "")
        if not expected or token != expected:
            return HttpResponseForbidden()
        return view(request, json.loads(request.body or b"{}"))

    return checked


@_control
def add_user(request: HttpRequest, data: dict) -> HttpResponse:
    """A person at the provider: ``email`` (also what they sign in with; may be empty for
    a person without an address, then ``username`` names them), ``password``, ``name``,
    ``email_verified`` (true, false, or null: the claim is left out)."""
    username = data.get("username") or data["email"]
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={"email": data.get("email", ""), "first_name": data.get("name", "")},
    )
    user.set_password(data["password"])
    user.save()
    user.groups.clear()
    verified = data.get("email_verified", True)
    if verified is None:
        user.groups.add(Group.objects.get_or_create(name=UNSAID)[0])
    elif not verified:
        user.groups.add(Group.objects.get_or_create(name=UNVERIFIED)[0])
    return JsonResponse({"sub": str(user.pk)})


@_control
def allow_redirect_uri(request: HttpRequest, data: dict) -> HttpResponse:
    application = get_application_model().objects.get(client_id=data["client_id"])
    uris = application.redirect_uris.split()
    if data["uri"] not in uris:
        application.redirect_uris = " ".join([*uris, data["uri"]])
        application.save(update_fields=["redirect_uris"])
    return JsonResponse({"redirect_uris": application.redirect_uris.split()})


@_control
def expire_codes(request: HttpRequest, data: dict) -> HttpResponse:
    """Every authorization code issued so far expires now, as if its minute had passed."""
    expired = get_grant_model().objects.update(expires=timezone.now() - timedelta(seconds=1))
    return JsonResponse({"expired": expired})
