"""The writes of the community level (as participants' ``actions``): each ``do_*`` verb runs
in one transaction, its e-mails leaving once it commits. The views check who may act (a
leader, through ``participants.access``) and validate; these take the acting person and the
time.

A leader works on the community and the frame of its groups — creating them, naming their
organisers, closing them — and never gets a seat in a group by doing so.
"""

from datetime import datetime

from django.db import transaction

from participants.models import (
    Community,
    CommunityMembership,
    Group,
    GroupFull,
    Membership,
    User,
)

from . import emails


def do_create_community(community: Community, creator: User, *, now: datetime) -> Community:
    """Save the new ``community`` with ``creator`` as its first leader."""
    with transaction.atomic():
        community.save()
        CommunityMembership.objects.create(
            community=community, user=creator, role=CommunityMembership.LEADER, joined_at=now
        )
    return community


def _person(email: str) -> User:
    """The account of ``email``, created (without a password) if there is none: the person
    signs in with an e-mailed link or their company's sign-in."""
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    return user or User.objects.create_user(email)


def _join_community(community_id: int, user: User, now: datetime, role: str) -> None:
    """Make ``user`` a member (or a leader) of the community, back if they had been removed;
    a leader stays a leader."""
    place, created = CommunityMembership.objects.get_or_create(
        community_id=community_id, user=user, defaults={"role": role, "joined_at": now}
    )
    if created:
        return
    place.removed_at = None
    if role == CommunityMembership.LEADER:
        place.role = role
    place.save(update_fields=["removed_at", "role"])


def do_create_community_group(
    community: Community, group: Group, organisers: list[str], by: User, *, now: datetime
) -> Group:
    """Save ``group`` in ``community`` and name its first organisers (their addresses): the
    leader who creates it takes no seat in it."""
    with transaction.atomic():
        group.community = community
        group.save()
        for email in organisers:
            do_appoint_organiser(group, email, by, now=now)
    return group


def do_appoint_organiser(group: Group, email: str, by: User, *, now: datetime) -> None:
    """Make the person of ``email`` an organiser of ``group`` (a seat: ``GroupFull`` when
    there is none left) and a member of its community, and tell them by e-mail."""
    assert group.community_id is not None
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        user = _person(email)
        membership = Membership.objects.filter(group=locked, user=user).first()
        if membership is None or membership.removed_at is not None:
            if locked.memberships.active().count() >= locked.capacity:
                raise GroupFull
            membership = membership or Membership(group=locked, user=user)
            membership.removed_at = None
            membership.joined_at = now
        membership.role = Membership.ORGANISER
        membership.save()
        _join_community(group.community_id, user, now, CommunityMembership.MEMBER)
        emails.organiser_appointed(user, locked, by)


def do_close_group(group: Group, *, now: datetime) -> None:
    """Close ``group``: it takes no new session nor application; its members keep what they
    took away from it."""
    with transaction.atomic():
        Group.objects.filter(pk=group.pk, closed_at__isnull=True).update(
            closed_at=now, applications_open=False
        )


def do_reopen_group(group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(closed_at=None)


def do_add_leader(community: Community, email: str, by: User, *, now: datetime) -> None:
    """Make the person of ``email`` a leader of ``community`` and tell them by e-mail."""
    with transaction.atomic():
        user = _person(email)
        _join_community(community.pk, user, now, CommunityMembership.LEADER)
        emails.leader_appointed(user, community, by)


def do_remove_from_community(community: Community, email: str, *, now: datetime) -> bool:
    """Take the person of ``email`` out of ``community`` and out of each of its groups; their
    row stays, removed, so that the company's sign-in does not let them back in. False when
    nobody of that address is in it (the page answers the same)."""
    with transaction.atomic():
        place = (
            CommunityMembership.objects.active()
            .filter(community=community, user__email=email.strip().lower())
            .select_related("user")
            .first()
        )
        if place is None:
            return False
        place.removed_at = now
        place.save(update_fields=["removed_at"])
        seats = Membership.objects.active().filter(group__community=community, user=place.user)
        for membership in seats.select_related("group"):
            membership.remove()
    return True
