"""Permission-checked getters shared by every app's views.

They answer 404, never 403: an outsider, a member of another group or a removed member must
not learn that a group exists.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import CommunityMembership, Membership, User


def get_membership_or_404(user: User, group_id: int) -> Membership:
    """The user's active membership of the group, with the group."""
    return get_object_or_404(
        Membership.objects.active().select_related("group"), user=user, group_id=group_id
    )


def get_organiser_membership_or_404(user: User, group_id: int) -> Membership:
    """The user's active organiser membership of the group, with the group: for anyone
    else, a 404 as for a group that does not exist."""
    membership = get_membership_or_404(user, group_id)
    if not membership.is_organiser:
        raise Http404
    return membership


def get_community_membership_or_404(user: User, community_id: int) -> CommunityMembership:
    """The user's place in the community (leader or member), with the community: for anyone
    outside it, or removed from it, a 404 as for a community that does not exist."""
    return get_object_or_404(
        CommunityMembership.objects.active().select_related("community"),
        user=user,
        community_id=community_id,
    )


def get_leader_membership_or_404(user: User, community_id: int) -> CommunityMembership:
    """The user's place as a leader of the community; a 404 for anyone else."""
    membership = get_community_membership_or_404(user, community_id)
    if not membership.is_leader:
        raise Http404
    return membership
