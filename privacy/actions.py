"""The privacy app's writes, as ``do_*`` verbs: forgetting a person's texts (their erasure,
or an organiser's on their request) and, after the group's retention delay, what was said in
a session.

A text lives in its table and in copies of the live state: the session's row, every
event's ``state_before``, an undo's ``previous``, the commands that carried it. Each
function here empties all of them in one transaction (``flow.scrub_state`` and
``flow.scrub_event`` do the copies), so no page, export or backup made afterwards holds it.
Rows stay, emptied: the group's counts (subjects, contributions, actions) still add up.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from participants import emails
from participants.models import (
    Application,
    Community,
    CommunityMembership,
    Group,
    Invitation,
    LoginLink,
    Membership,
    User,
)
from sessions_app import flow, live
from sessions_app.models import (
    Action,
    ActionReport,
    Contribution,
    Event,
    Feedback,
    LogbookEntry,
    Session,
    Subject,
)

BATCH = 500


def _scrub_sessions(sessions: Iterable[Session], person: int | None) -> None:
    """Empty the texts (all, or ``person``'s) from the live state and event log of
    ``sessions``; inside the caller's transaction."""
    for session in sessions:
        # Under the row lock every command takes, so a command applied meanwhile neither
        # writes back a state read before the scrub nor is itself missed.
        state = Session.objects.select_for_update().values_list("state", flat=True).get(
            pk=session.pk
        )
        if state:
            Session.objects.filter(pk=session.pk).update(state=flow.scrub_state(state, person))
        if person is not None and state and flow.stage_and_times(state)[0] not in (
            "lobby",
            "ended",
        ):
            # Open pages of a running session show the emptied texts at once.
            transaction.on_commit(partial(_show_again, session.pk), robust=True)
        changed = []
        for event in Event.objects.filter(session=session).only(
            "pk", "actor_id", "command", "state_before"
        ).iterator(chunk_size=BATCH):
            command, before = flow.scrub_event(
                event.command, event.state_before, actor=event.actor_id, person=person
            )
            if command != event.command or before != event.state_before:
                event.command, event.state_before = command, before
                changed.append(event)
        Event.objects.bulk_update(changed, ["command", "state_before"], batch_size=BATCH)


def _show_again(session_id: int) -> None:
    live.broadcast(live.snapshot(Session.objects.select_related("group").get(pk=session_id)))


def do_erase_content(user: User, group_ids: Iterable[int] | None = None) -> None:
    """Empty what ``user`` wrote for their groups (all, or ``group_ids``): their keywords,
    what they said (their contracts and syntheses too), their panier notes and plans (each
    action's sign of success and every report on it), the words of their feedback, their
    answers to the eligibility questions (on their membership and their applications).
    Their private carnet is not touched here (it never left them; ``do_erase_account``
    deletes it)."""
    in_groups = Q() if group_ids is None else Q(group_id__in=list(group_ids))
    sessions = Session.objects.filter(in_groups).only("pk")
    with transaction.atomic():
        Membership.objects.filter(in_groups, user=user).update(eligibility_answers=[])
        Application.objects.filter(in_groups, email__iexact=user.email).update(answers=[])
        subjects = Subject.objects.filter(in_groups, owner=user)
        subjects.filter(status="open").update(status="withdrawn")
        subjects.update(keyword=flow.ERASED_KEYWORD)
        said = Contribution.objects.filter(session__in=sessions.values("pk"))
        said.filter(person=user).update(text="")
        said.filter(subject__owner=user).update(note="")
        plans = Action.objects.filter(owner=user, session__in=sessions.values("pk"))
        # Each report on their actions: what they said of them, at a report back or since.
        ActionReport.objects.filter(action__in=plans.values("pk")).update(note="")
        plans.update(text=flow.ERASED_KEYWORD, note="", sign="")
        # The score still counts in the group's figures; the words were theirs.
        Feedback.objects.filter(author=user, session__in=sessions.values("pk")).update(
            keeps="", shared=False
        )
        _scrub_sessions(sessions, user.pk)


def sole_organiser_groups(user: User) -> tuple[list[Group], list[Group]]:
    """The groups ``user`` is the last organiser of: those with other members (to hand over
    before erasing the account) and those with nobody else (closed with it)."""
    hand_over: list[Group] = []
    alone: list[Group] = []
    for membership in user.memberships.active().select_related("group"):
        if not membership.is_last_organiser():
            continue
        others = membership.group.memberships.active().exclude(pk=membership.pk).exists()
        (hand_over if others else alone).append(membership.group)
    return hand_over, alone


def sole_leader_communities(user: User) -> tuple[list[Community], list[Community]]:
    """The communities ``user`` is the only leader of: those with other people or groups,
    left without a leader by the account's erasure (the person is warned, not stopped: the
    groups go on with their organisers, and a leader is not needed for that), and those
    with nobody else and no group (deleted with it, as a group with nobody else is)."""
    leaderless: list[Community] = []
    alone: list[Community] = []
    places = CommunityMembership.objects.active().filter(
        user=user, role=CommunityMembership.LEADER
    )
    for place in places.select_related("community"):
        community = place.community
        others = CommunityMembership.objects.active().filter(community=community).exclude(
            pk=place.pk
        )
        if others.filter(role=CommunityMembership.LEADER).exists():
            continue
        (leaderless if others.exists() or community.groups.exists() else alone).append(
            community
        )
    return leaderless, alone


class HandOverFirst(Exception):
    """The person is the last organiser of a group that still has members."""


def do_erase_account(user: User) -> str:
    """Erase ``user``'s account, confirm it by e-mail to the address it had; return that
    address.

    They leave their groups (their seats at coming sessions free up, their open pages close),
    what they wrote is emptied everywhere, their carnet, sign-in links, invitations and
    applications are deleted, and the account row keeps no name, address or password: it
    is shown as "un·e ancien·ne membre".

    Their places in communities are deleted, removed ones too. A removed place bars the
    company sign-in to the account it belongs to; once the account has no address left,
    there is nothing for it to bar, and keeping it would keep who the person was. A
    community they were the only leader of goes on without one, or goes with them when it
    had nobody else and no group (``sole_leader_communities``).
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        hand_over, alone = sole_organiser_groups(user)
        if hand_over:
            raise HandOverFirst
        _leaderless, empty = sole_leader_communities(user)
        email = user.email
        group_ids = list(user.memberships.values_list("group_id", flat=True))
        for membership in user.memberships.active():
            membership.remove()
        do_erase_content(user, group_ids)
        LogbookEntry.objects.filter(author=user).delete()
        LoginLink.objects.filter(user=user).delete()
        Invitation.objects.filter(email=email).delete()
        Application.objects.filter(email=email).delete()
        _forget_sign_in_attempts(email)
        _forget_company_sign_ins(user)
        Group.objects.filter(pk__in=[g.pk for g in alone]).delete()
        CommunityMembership.objects.filter(user=user).delete()
        Community.objects.filter(pk__in=[c.pk for c in empty], groups__isnull=True).delete()
        user.email = f"erased-{user.pk}@erased.invalid"
        user.display_name = ""
        user.set_unusable_password()
        user.last_login = None
        user.erased_at = timezone.now()
        user.save()
        user.deactivate()
        emails.send("account_erased", email, {})
    return email


def _forget_sign_in_attempts(email: str) -> None:
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


def _forget_company_sign_ins(user: User) -> None:
    """The accounts linked through a community's company sign-in (their tokens go with
    them), and the addresses allauth may have recorded."""
    SocialAccount.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()


def do_purge_said(now: datetime) -> int:
    """Empty what was said in the sessions past their group's retention delay; the number
    of sessions purged. What the subject owner took into their panier (with their note),
    their action plan (the latest word on each action and its sign of success) and
    everyone's carnet are theirs and stay; what was said at the session's report back goes
    from the actions' history."""
    purged = 0
    due = Session.objects.filter(
        purged_at__isnull=True, scheduled_at__lt=now - timedelta(days=1)
    ).select_related("group")
    for session in due.only("pk", "scheduled_at", "duration_minutes", "group__retention_days"):
        ends = session.scheduled_at + timedelta(minutes=session.duration_minutes)
        if ends + timedelta(days=session.group.retention_days) > now:
            continue
        with transaction.atomic():
            Contribution.objects.filter(session=session, taken=False).update(text="", note="")
            ActionReport.objects.filter(session=session).update(note="")
            _scrub_sessions([session], None)
            Session.objects.filter(pk=session.pk).update(purged_at=now)
        purged += 1
    return purged
