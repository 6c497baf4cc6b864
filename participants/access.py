"""Permission-checked getters shared by every app's views.

They answer 404, never 403: an outsider, a member of another group or a removed member must
not learn that a group exists.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, User


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
