"""The reminder e-mail before a session: the periodic job that sends those due.

Each person gets, ``group.reminder_hours`` before the session (48 by default): the date, the
visio link and the calendar file, their own open actions to report on and their own subjects
still waiting in the group's backlog — never anything of anyone else's
(``emails.session_reminder``).

Who gets it: if anyone registered for the session (a seat or the waitlist), the group uses
registration for it and only the seated members are reminded; otherwise every active member
is, since anyone in the group may then join. Either way, not those who turned reminders off
(their switch is on the group's page, ``views.scheduling.reminders_toggle``).

``send_due_reminders`` is a periodic job (see ``manage.py periodic``): a ``Reminder`` row,
unique per session and person, is written in the transaction that queues the e-mail, so
running the job twice, or on two machines at once, sends each reminder once.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from participants.models import MAX_REMINDER_HOURS, User

from .. import emails
from ..models import Registration, Reminder, Session

log = logging.getLogger(__name__)


def due_sessions(now: datetime) -> list[Session]:
    """Sessions not started yet whose group's reminder time has come."""
    coming = Session.objects.filter(
        scheduled_at__gt=now, scheduled_at__lte=now + timedelta(hours=MAX_REMINDER_HOURS)
    ).select_related("group")
    return [
        session
        for session in coming
        if session.stage == "lobby"
        and session.scheduled_at - timedelta(hours=session.group.reminder_hours) <= now
    ]


def recipients(session: Session) -> QuerySet[User]:
    """The people still to remind of ``session`` (see the module's docstring)."""
    people = User.objects.active_members_of(session.group_id, reminders=True).filter(
        is_active=True
    )
    if session.registrations.exists():
        people = people.filter(
            registrations__session=session, registrations__status=Registration.REGISTERED
        )
    return people.exclude(pk__in=Reminder.objects.filter(session=session).values("user_id"))


def do_send_reminder(session: Session, user: User) -> bool:
    """Remind ``user`` of ``session`` unless they already were; True if this call sent it."""
    with transaction.atomic():
        _reminder, created = Reminder.objects.get_or_create(session=session, user=user)
        if not created:
            return False
        emails.session_reminder(session, user)
    return True


def send_due_reminders(now: datetime | None = None) -> int:
    """The periodic job: every reminder that is due and not yet sent; returns how many."""
    now = now or timezone.now()
    sent = 0
    for session in due_sessions(now):
        for user in recipients(session):
            sent += do_send_reminder(session, user)
    if sent:
        log.info("reminders sent: %d", sent)
    return sent
