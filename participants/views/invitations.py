"""Invitations: the organiser's page that sends and lists them, revoking one, and the page
the invited person opens from their e-mail to join the group."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import signin
from ..access import get_organiser_membership_or_404
from ..actions import do_invite
from ..forms import AcceptInvitationForm, InviteForm
from ..http import AuthenticatedHttpRequest
from ..models import GroupFull, Invitation, InvitationUnusable, Membership, User


@login_required
@never_cache
def invitations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organiser = get_organiser_membership_or_404(request.user, pk)
    group = organiser.group
    seats_left = group.seats_left()
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        emails_list = form.cleaned_data["emails"]
        members = set(
            group.memberships.active()
            .filter(user__email__in=emails_list)
            .values_list("user__email", flat=True)
        )
        fresh = [e for e in emails_list if e not in members]
        if not fresh:
            form.add_error("emails", _("Ces personnes font déjà partie du groupe."))
        elif seats_left == 0:
            form.add_error(
                None,
                _(
                    "Le groupe est complet : augmentez sa capacité "
                    "ou retirez un membre avant d’inviter."
                ),
            )
        else:
            do_invite(group, fresh, request.user)
            messages.success(
                request,
                ngettext(
                    "Invitation envoyée.",
                    "%(n)s invitations envoyées, une par personne.",
                    len(fresh),
                )
                % {"n": len(fresh)},
            )
            if members:
                messages.info(
                    request,
                    _("Déjà membres, non invités : %(list)s")
                    % {"list": ", ".join(sorted(members))},
                )
            return redirect("group_invitations", pk=pk)
    sent = list(group.invitations.select_related("invited_by")[:100])
    return render(
        request,
        "participants/invitations.html",
        {"group": group, "form": form, "invitations": sent, "seats_left": seats_left},
    )


@login_required
@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, pk: int, invitation_pk: int
) -> HttpResponseRedirect:
    organiser = get_organiser_membership_or_404(request.user, pk)
    updated = Invitation.objects.filter(
        pk=invitation_pk, group_id=organiser.group_id, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if updated:
        messages.success(request, _("Invitation révoquée : le lien ne fonctionne plus."))
    else:
        messages.error(request, _("Cette invitation n’est plus en attente."))
    return redirect("group_invitations", pk=pk)


INVALID_INVITATION = {
    "unknown": (
        404,
        gettext_lazy("Ce lien d’invitation n’existe pas. Vérifiez qu’il a été copié en entier."),
    ),
    "used": (
        410,
        gettext_lazy(
            "Ce lien d’invitation a déjà servi : il ne fonctionne qu’une fois. "
            "Si c’était vous, connectez-vous."
        ),
    ),
    "revoked": (
        410,
        gettext_lazy("Cette invitation a été annulée par les organisateurs du groupe."),
    ),
    "expired": (
        410,
        gettext_lazy(
            "Cette invitation a expiré. Demandez-en une nouvelle aux organisateurs du groupe."
        ),
    ),
}


def _invalid(request: HttpRequest, status: str) -> HttpResponse:
    code, message = INVALID_INVITATION[status]
    return render(
        request, "participants/invitation_invalid.html", {"message": message}, status=code
    )


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation, POST accepts it: a mail scanner opening the link cannot burn it."""
    invitation = Invitation.find(token)
    status = invitation.status if invitation else "unknown"
    if invitation is None or status != "pending":
        return _invalid(request, status)
    group = invitation.group
    if request.user.is_authenticated and request.user.email != invitation.email:
        return render(request, "participants/invitation_foreign.html", {}, status=403)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is not None and not existing.is_active:
        return _invalid(request, "unknown")
    if existing and Membership.objects.active().filter(group=group, user=existing).exists():
        return render(request, "participants/invitation_member.html", {"group": group})
    questions = [] if invitation.application_id else group.eligibility_questions()
    form = AcceptInvitationForm(
        request.POST or None,
        questions=questions,
        new_account=existing is None,
        email=invitation.email,
    )
    full = group.seats_left() == 0
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation.accept(
                display_name=form.cleaned_data.get("display_name", ""),
                password=form.cleaned_data.get("password", ""),
                answers=form.answers(),
            )
        except GroupFull:
            full = True
        except InvitationUnusable as exc:
            return _invalid(request, exc.status)
        else:
            if not user.is_active:
                raise Http404
            signin.sign_in(request, user)
            messages.success(
                request, _("Bienvenue dans le groupe « %(group)s » !") % {"group": group.name}
            )
            return redirect("group_detail", pk=group.pk)
    return render(
        request,
        "participants/invitation.html",
        {"invitation": invitation, "group": group, "form": form, "full": full},
        status=409 if full and request.method == "POST" else 200,
    )
