"""What the community's page reads: its open groups with what a newcomer needs to choose
one — never who takes part. One query, however many groups."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from participants.models import Application, Community, Group, Membership, User
from sessions_app.models import Session


@dataclass(frozen=True)
class GroupCard:
    group: Group
    seats_left: int
    next_session: datetime | None
    mine: bool  # the person is a member of it
    pending: bool  # the person's request to join it waits for its organisers

    @property
    def full(self) -> bool:
        return self.seats_left == 0

    @property
    def joinable(self) -> bool:
        """Whether « Demander à rejoindre » is offered: not in it nor waiting already, and a
        seat left or a waitlist."""
        if self.mine or self.pending:
            return False
        return not self.full or self.group.applications_when_full


def group_cards(community: Community, user: User, now: datetime) -> list[GroupCard]:
    """The community's open groups, by name, each with its seats left, its next session's
    date and where ``user`` stands with it."""
    next_session = (
        Session.objects.filter(group=OuterRef("pk"), stage="lobby", scheduled_at__gte=now)
        .order_by("scheduled_at")
        .values("scheduled_at")[:1]
    )
    groups = (
        Group.objects.open()
        .filter(community=community)
        .annotate(
            members=Count("memberships", filter=Q(memberships__removed_at__isnull=True)),
            next_at=Subquery(next_session),
            mine=Exists(Membership.objects.active().filter(group=OuterRef("pk"), user=user)),
            pending=Exists(
                Application.objects.filter(
                    group=OuterRef("pk"), email=user.email, status=Application.PENDING
                )
            ),
        )
        .order_by("name", "pk")
    )
    return [
        GroupCard(
            group=g,
            seats_left=max(0, g.capacity - g.members),
            next_session=g.next_at,
            mine=g.mine,
            pending=g.pending,
        )
        for g in groups
    ]


def with_room(cards: list[GroupCard]) -> list[GroupCard]:
    """The groups a person waiting for a seat elsewhere could join now."""
    return [c for c in cards if c.seats_left > 0 and not c.mine and not c.pending]


def waiting(cards: list[GroupCard]) -> list[GroupCard]:
    """The full groups where the person's request waits for a seat."""
    return [c for c in cards if c.pending and c.full]
