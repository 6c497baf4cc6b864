"""Scheduling sessions and registering for them: every write that spans several rows or
sends e-mail.

``do_register`` and ``do_cancel_registration`` lock the session row, so two people taking
the last seat at once end up one seated and one on the waitlist, and a freed seat goes to
exactly one person: the first on the waitlist, who is told by e-mail.

A session scheduled, changed or cancelled is told to the group's members by e-mail with its
calendar file (``emails.session_scheduled`` and the like), after the commit.
"""

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from participants.models import Membership, User

from .. import emails, live, presence, rota_queries
from ..models import Registration, Session

# What the members' calendars hold of a session: a change of one of them is told to them.
CALENDAR_FIELDS = ("scheduled_at", "duration_minutes", "title", "visio_url")


# --- Registration and the waitlist ----------------------------------------------------------


def do_register(session_id: int, user: User) -> Registration:
    """A seat if one is free, else a place at the end of the waitlist."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("group").get(pk=session_id)
        existing = session.registrations.filter(user=user).first()
        if existing:
            return existing
        seated = session.registrations.seated().count()
        status = (
            Registration.REGISTERED if seated < session.group.capacity else Registration.WAITLIST
        )
        return Registration.objects.create(session=session, user=user, status=status)


def do_cancel_registration(session_id: int, user: User) -> Registration | None:
    """Give up a seat (or a waitlist place); a freed seat goes to the first waiting."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("group").get(pk=session_id)
        registration = session.registrations.filter(user=user).first()
        if registration is None:
            return None
        registration.delete()
        if registration.status == Registration.REGISTERED:
            do_promote_from_waitlist(session)
        return registration


def do_promote_from_waitlist(session: Session) -> list[Registration]:
    """Seat people from the waitlist while seats are free; tell each by e-mail. The caller
    holds the session's row lock."""
    promoted = []
    free = session.group.capacity - session.registrations.seated().count()
    for registration in session.registrations.waiting().select_related("user")[: max(0, free)]:
        registration.status = Registration.REGISTERED
        registration.save(update_fields=["status"])
        promoted.append(registration)
        emails.waitlist_promoted(session, registration)
    return promoted


def do_leave_coming_sessions(membership: Membership, now: datetime) -> None:
    """A removed member leaves the seats and waitlists of the group's coming sessions, and
    stops facilitating the sessions not yet ended (the group's facilitators take over)."""
    for session in Session.objects.filter(
        group_id=membership.group_id, facilitators=membership.user_id
    ):
        if session.stage != "ended":
            session.facilitators.remove(membership.user_id)
            # Open pages follow at once: the group's facilitators take over the controls.
            live.broadcast_after_commit(session.pk)
    upcoming = Registration.objects.filter(
        user_id=membership.user_id,
        session__group_id=membership.group_id,
        session__scheduled_at__gte=now,
    ).values_list("session_id", flat=True)
    for session_id in list(upcoming):
        do_cancel_registration(session_id, membership.user)


# --- Scheduling -----------------------------------------------------------------------------


def do_schedule(
    session: Session, facilitators: list[User], later: list[datetime], actor: User
) -> list[Session]:
    """Save the new ``session`` and, for a series, one more at each of the ``later`` dates;
    the members are told of them all in one e-mail each."""
    with transaction.atomic():
        session.save()
        session.facilitators.set(facilitators)
        sessions = [session, *_follow(session, facilitators, later)]
        emails.session_scheduled(sessions, actor)
    return sessions


def _follow(first: Session, facilitators: list[User], dates: list[datetime]) -> list[Session]:
    """The rest of a series: the first session's fields at each later date; in a rotating
    group, the facilitation goes round."""
    if not dates:
        return []
    first.series = first.series or uuid.uuid4().hex
    first.save(update_fields=["series"])
    people = list(facilitators)
    made = []
    for when in dates:
        session = Session.objects.create(
            group=first.group,
            format=first.format,
            shaped_format=first.shaped_format,
            title=first.title,
            scheduled_at=when,
            duration_minutes=first.duration_minutes,
            visio_url=first.visio_url,
            facilitators_take_part=first.facilitators_take_part,
            series=first.series,
        )
        if first.group.facilitation == "rotating" and len(people) == 1:
            # The rota at that date, with the sessions made so far: by dates, not by the
            # order in which the sessions were scheduled.
            following = rota_queries.next_facilitator(first.group, when)
            if following is not None:
                people = list(User.objects.filter(pk=following))
        session.facilitators.set(people)
        made.append(session)
    return made


def schedule_of(session: Session) -> dict[str, Any]:
    """What ``do_change_session`` compares with: the session as stored, read before a form
    writes its values into the row."""
    return {
        **{name: getattr(session, name) for name in CALENDAR_FIELDS},
        "facilitators_take_part": session.facilitators_take_part,
        "facilitators": set(session.facilitators.values_list("pk", flat=True)),
    }


def do_change_session(
    session: Session, facilitators: list[User], actor: User, before: dict[str, Any]
) -> bool:
    """Save the changes of a scheduled session (``before``: its ``schedule_of`` before
    them). A change of the calendar's fields moves the calendar's SEQUENCE on and is told
    to the members; a change of who facilitates, to those concerned; facilitators who no
    longer take part leave the table. True if the members were told."""
    with transaction.atomic():
        session.save()
        session.facilitators.set(facilitators)
        if before["facilitators"] != {u.pk for u in facilitators}:
            # A running session's open pages change hands at once (see live).
            live.broadcast_after_commit(session.pk)
        if before["facilitators_take_part"] and not session.facilitators_take_part:
            presence.facilitators_leave_the_table(session, actor)
        told = any(getattr(session, name) != before[name] for name in CALENDAR_FIELDS)
        if told:
            Session.objects.filter(pk=session.pk).update(sequence=F("sequence") + 1)
            session.refresh_from_db(fields=["sequence"])
            emails.session_changed(session, actor)
        emails.facilitation_changed(session, before["facilitators"], actor)
    return told


def do_cancel_session(session: Session, actor: User) -> None:
    """Cancel a session not started yet: the members get the calendar's cancellation, open
    pages are told, and the session is deleted."""
    with transaction.atomic():
        session.sequence += 1
        emails.session_cancelled(session, actor)
        live.tell_cancelled(session.pk)
        session.delete()
