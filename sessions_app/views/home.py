"""The member's home (their groups, upcoming and past sessions) and a group's page.

A group the user is not an active member of is a 404, exactly like one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Community, Membership

from .. import rota_queries
from ..models import Action, Session


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("group")
    )
    groups = [m.group for m in memberships]
    mine = Session.objects.for_member(request.user)
    upcoming = mine.upcoming(20)
    return render(
        request,
        "sessions_app/home.html",
        {
            "groups": groups,
            "communities": Community.objects.for_member(request.user).order_by("name"),
            "upcoming": upcoming,
            "leading": rota_queries.leading_next(request.user, upcoming),
            "past": mine.past(5),
            "open_actions": Action.objects.of(request.user).open().count(),
        },
    )


@login_required
@never_cache
def group_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_or_404(request.user, pk)
    group = membership.group
    upcoming = group.sessions.upcoming(50)
    past = group.sessions.past(20)
    backlog = group.subjects.filter(status="open").select_related("owner")
    members = group.memberships.active().select_related("user").order_by("joined_at")
    return render(
        request,
        "sessions_app/group_detail.html",
        {
            "group": group,
            "membership": membership,
            "upcoming": upcoming,
            "past": past,
            "backlog": backlog,
            "members": members,
            "rota": (
                rota_queries.context_for(group, request.user, membership, upcoming)
                if group.facilitation == "rotating"
                else None
            ),
        },
    )
