"""The e-mails of the community level, one function per template (``participants.emails``
sends them in each recipient's language, once the transaction commits)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from participants.emails import send
from participants.models import Community, Group, User


def organiser_appointed(user: User, group: Group, by: User) -> None:
    """To the person a leader named organiser of a group of the community."""
    send(
        "community_organiser",
        user,
        {
            "group": group.name,
            "community": group.community.name if group.community else "",
            "by": by.name,
            "url": settings.SITE_URL + reverse("group_detail", args=[group.pk]),
            "login_url": settings.SITE_URL + reverse("login"),
        },
    )


def leader_appointed(user: User, community: Community, by: User) -> None:
    """To the person named a leader of the community."""
    send(
        "community_leader",
        user,
        {
            "community": community.name,
            "by": by.name,
            "url": settings.SITE_URL + reverse("community_detail", args=[community.pk]),
            "login_url": settings.SITE_URL + reverse("login"),
        },
    )
