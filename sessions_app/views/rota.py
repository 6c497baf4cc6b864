"""The rota's pages: a member passes their turn (or an organiser skips someone), an organiser
swaps two people's places. The group page's « Animation tournante » section reads
``rota_queries.context_for``.

Organisers skip or swap anyone; a member may pass only their own turn; others get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Group, Membership

from ..actions import rota as rota_actions
from ..forms import SwapForm
from ..rota import RotaError

ERRORS = {
    "not_in_rota": gettext_lazy("Cette personne n’est pas dans l’ordre de l’animation."),
    "already_last": gettext_lazy("Cette personne est déjà la dernière à animer."),
    "same_person": gettext_lazy("Choisissez deux personnes différentes."),
}


def _member_of(group_pk: int, member_pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.active().select_related("user", "group"),
        pk=member_pk,
        group_id=group_pk,
    )


def _not_rotating(request: AuthenticatedHttpRequest, group: Group) -> HttpResponse:
    messages.error(request, _("Ce groupe n’a pas d’animation tournante."))
    return redirect("group_detail", pk=group.pk)


def _to_rota(pk: int) -> HttpResponse:
    return redirect(reverse("group_detail", args=[pk]) + "#rota")


@login_required
@never_cache
def rota_skip(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """GET asks for confirmation, POST passes the person's turn: they go after the person
    who followed them. Organisers skip anyone; a member, only themselves."""
    membership = get_membership_or_404(request.user, pk)
    member = _member_of(pk, member_pk)
    if not (membership.is_organiser or member.user_id == request.user.pk):
        raise Http404
    group = membership.group
    if group.facilitation != "rotating":
        return _not_rotating(request, group)
    if request.method == "POST":
        try:
            rota_actions.do_skip_turn(group, member.user_id, request.user)
        except RotaError as exc:
            messages.error(request, ERRORS[str(exc)])
            return _to_rota(pk)
        if member.user_id == request.user.pk:
            messages.success(request, _("Vous passez votre tour ; vous animerez un peu plus tard."))
        else:
            messages.success(
                request,
                _("%(name)s passe son tour ; il ou elle animera un peu plus tard.")
                % {"name": member.user.name},
            )
        return _to_rota(pk)
    return render(
        request,
        "sessions_app/rota_skip.html",
        {"group": group, "member": member, "myself": member.user_id == request.user.pk},
    )


@login_required
@require_POST
def rota_swap(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Two people exchange their places in the rota (organisers only)."""
    membership = get_membership_or_404(request.user, pk)
    if not membership.is_organiser:
        raise Http404
    group = membership.group
    if group.facilitation != "rotating":
        return _not_rotating(request, group)
    form = SwapForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, _("Choisissez les deux personnes dont les places s’échangent."))
        return _to_rota(pk)
    first, second = form.cleaned_data["first"], form.cleaned_data["second"]
    try:
        rota_actions.do_swap_places(group, first.user_id, second.user_id, request.user)
    except RotaError as exc:
        messages.error(request, ERRORS[str(exc)])
        return _to_rota(pk)
    messages.success(
        request,
        _("%(first)s et %(second)s ont échangé leurs places.")
        % {"first": first.user.name, "second": second.user.name},
    )
    return _to_rota(pk)
