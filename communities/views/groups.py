"""A leader's pages on the community's groups: creating one with its organisers, naming
another organiser, closing (and reopening) one. None of them shows a group's members or
content: a leader is not in the group."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants.access import get_leader_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Community, Group, GroupFull, Membership

from ..actions import (
    do_appoint_organiser,
    do_close_group,
    do_create_community_group,
    do_reopen_group,
)
from ..forms import CommunityGroupForm, PersonForm


def _group_of(community: Community, group_pk: int) -> Group:
    return get_object_or_404(Group, pk=group_pk, community=community)


@login_required
@never_cache
def community_group_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = get_leader_membership_or_404(request.user, pk).community
    form = CommunityGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = do_create_community_group(
            community,
            form.save(commit=False),
            form.cleaned_data["organisers"],
            request.user,
            now=timezone.now(),
        )
        messages.success(
            request,
            _("Le groupe « %(group)s » est créé ; ses organisateurs ont reçu un e-mail.")
            % {"group": group.name},
        )
        return redirect("community_detail", pk=pk)
    return render(request, "communities/group_form.html", {"form": form, "community": community})


@login_required
@never_cache
def community_group_organisers(
    request: AuthenticatedHttpRequest, pk: int, group_pk: int
) -> HttpResponse:
    """The group's organisers (the leaders named them: their names, nobody else's) and the
    form to name one more."""
    community = get_leader_membership_or_404(request.user, pk).community
    group = _group_of(community, group_pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_appoint_organiser(
                group, form.cleaned_data["email"], request.user, now=timezone.now()
            )
        except GroupFull:
            form.add_error(
                None,
                _(
                    "Le groupe est complet : ses organisateurs peuvent augmenter sa capacité "
                    "ou libérer une place."
                ),
            )
        else:
            messages.success(request, _("C’est fait : un e-mail prévient la personne."))
            return redirect("community_group_organisers", pk=pk, group_pk=group_pk)
    organisers = (
        group.memberships.active()
        .filter(role=Membership.ORGANISER)
        .select_related("user")
        .order_by("joined_at")
    )
    return render(
        request,
        "communities/organisers.html",
        {"community": community, "group": group, "organisers": organisers, "form": form},
    )


@login_required
@never_cache
def community_group_close(
    request: AuthenticatedHttpRequest, pk: int, group_pk: int
) -> HttpResponse:
    """GET asks for confirmation; POST closes the group (or reopens a closed one)."""
    community = get_leader_membership_or_404(request.user, pk).community
    group = _group_of(community, group_pk)
    if request.method == "POST":
        if group.is_closed:
            do_reopen_group(group)
            messages.success(request, _("Le groupe est rouvert."))
        else:
            do_close_group(group, now=timezone.now())
            messages.success(
                request,
                _("Le groupe est fermé : plus de nouvelle séance ni de candidature."),
            )
        return redirect("community_detail", pk=pk)
    return render(request, "communities/group_close.html", {"community": community, "group": group})
