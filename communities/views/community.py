"""The community's page (its members and leaders), creating a community, editing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from participants.access import get_community_membership_or_404, get_leader_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Group

from .. import queries
from ..actions import do_create_community
from ..forms import CommunityForm


@login_required
@never_cache
def community_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        community = do_create_community(form.save(commit=False), request.user, now=timezone.now())
        messages.success(request, _("La communauté est créée. Créez maintenant ses groupes."))
        return redirect("community_detail", pk=community.pk)
    return render(request, "communities/community_form.html", {"form": form, "community": None})


@login_required
@never_cache
def community_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Its open groups with what a newcomer needs to choose one, never who is in them; for
    its leaders, the groups' frame (organisers, closing) and the community's figures."""
    place = get_community_membership_or_404(request.user, pk)
    community = place.community
    cards = queries.group_cards(community, request.user, timezone.now())
    context = {
        "community": community,
        "place": place,
        "cards": cards,
        "waiting": queries.waiting(cards),
        "with_room": queries.with_room(cards),
    }
    if place.is_leader:
        context["closed"] = Group.objects.filter(community=community, closed_at__isnull=False)
    return render(request, "communities/community.html", context)


@login_required
@never_cache
def community_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    community = get_leader_membership_or_404(request.user, pk).community
    form = CommunityForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les modifications sont enregistrées."))
        return redirect("community_detail", pk=pk)
    return render(
        request, "communities/community_form.html", {"form": form, "community": community}
    )
