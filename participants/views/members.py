"""The organiser's pages of a group's members: who they are, their roles, removing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..access import get_organiser_membership_or_404
from ..actions import do_remove_member
from ..forms import RoleForm
from ..http import AuthenticatedHttpRequest
from ..models import Membership


def _get_member(organiser: Membership, member_pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.active().select_related("user", "group"),
        pk=member_pk,
        group_id=organiser.group_id,
    )


@login_required
@never_cache
def members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_organiser_membership_or_404(request.user, pk)
    group = membership.group
    people = list(group.memberships.active().select_related("user").order_by("joined_at", "id"))
    counts = {role: 0 for role, _label in Membership.ROLES}
    for m in people:
        counts[m.role] += 1
    composition = [(label, counts[role]) for role, label in Membership.ROLES]
    return render(
        request,
        "participants/members.html",
        {
            "group": group,
            "membership": membership,
            "people": people,
            "composition": composition,
            "seats_left": max(0, group.capacity - len(people)),
            "roles": Membership.ROLES,
        },
    )


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponseRedirect:
    organiser = get_organiser_membership_or_404(request.user, pk)
    member = _get_member(organiser, member_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rôle inconnu."))
    elif member.is_last_organiser() and form.cleaned_data["role"] != Membership.ORGANISER:
        messages.error(
            request,
            _("Le groupe doit garder au moins un organisateur : nommez-en un autre d’abord."),
        )
    else:
        member.role = form.cleaned_data["role"]
        member.save(update_fields=["role"])
        messages.success(
            request,
            _("%(name)s est maintenant %(role)s.")
            % {"name": member.user.name, "role": member.get_role_display()},
        )
    return redirect("group_members", pk=pk)


@login_required
@never_cache
def member_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """GET asks for confirmation, POST removes."""
    organiser = get_organiser_membership_or_404(request.user, pk)
    member = _get_member(organiser, member_pk)
    if member.is_last_organiser():
        messages.error(
            request,
            _("Le groupe doit garder au moins un organisateur : nommez-en un autre d’abord."),
        )
        return redirect("group_members", pk=pk)
    if request.method == "POST":
        do_remove_member(member)
        messages.success(
            request,
            _("%(name)s ne fait plus partie du groupe ; ses pages ouvertes sont déconnectées.")
            % {"name": member.user.name},
        )
        if member.user_id == request.user.pk:
            return redirect("home")
        return redirect("group_members", pk=pk)
    return render(
        request, "participants/member_remove.html", {"group": organiser.group, "member": member}
    )
