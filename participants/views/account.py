"""« Mon compte »'s password page (the account page itself, its data and its erasure are in
``privacy``)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import lockout, reauth
from ..actions import do_change_password
from ..forms import CurrentPasswordChangeForm
from ..http import AuthenticatedHttpRequest


@login_required
@never_cache
def password_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An optional password, beside the e-mailed links.

    A password opens the whole account (it confirms who you are before a download or an
    erasure): choosing one asks for a recent sign-in (``reauth``), changing one asks for
    the current password unless the person signed in within those minutes. Either way an
    e-mail tells them, so that a change they did not make does not go unnoticed."""
    user = request.user
    recent = reauth.recently_signed_in(request)
    if not recent and not user.has_usable_password():
        return reauth.confirm_first(request)
    data = request.POST if request.method == "POST" else None
    form: SetPasswordForm = (
        SetPasswordForm(user, data)
        if recent
        else CurrentPasswordChangeForm(user, data, request=request)
    )
    if request.method == "POST" and form.is_valid():
        do_change_password(
            user,
            form.cleaned_data["new_password1"],
            # Their own doing: the page's language, unless they chose one for e-mails.
            language=translation.get_language(),
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Votre mot de passe est enregistré."))
        return redirect("home")
    page = render(
        request,
        "participants/password.html",
        {
            "form": form,
            "asks_current": not recent,
            "confirm_url": reverse("confirm_identity")
            + "?"
            + urlencode({"next": reverse("password")}),
        },
    )
    if form.has_error("old_password", "locked_out"):
        return lockout.answer(request, page)
    return page
