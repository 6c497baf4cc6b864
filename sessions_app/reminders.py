"""The reminder e-mail before a session, and the member's switch that turns it off.

Each person gets, ``group.reminder_hours`` before the session (48 by default): the date, the
visio link and the calendar file, their own open actions to report on and their own subjects
still waiting in the group's backlog — never anything of anyone else's.

Who gets it: if anyone registered for the session (a seat or the waitlist), the group uses
registration for it and only the seated members are reminded; otherwise every active member
is, since anyone in the group may then join. Either way, not those who turned reminders off.

``send_due_reminders`` is a periodic job (see ``manage.py periodic``): a ``Reminder`` row,
unique per session and person, is written in the transaction that queues the e-mail, so
running the job twice, or on two machines at once, sends each reminder once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants import emails
from participants.access import get_membership_or_404
from participants.models import MAX_REMINDER_HOURS, User

from .models import Action, Registration, Reminder, Session, Subject
from .scheduling import ics_calendar, ics_filename

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


def recipients(session: Session):
    """The people still to remind of ``session`` (see the module's docstring)."""
    people = User.objects.filter(
        is_active=True,
        memberships__group_id=session.group_id,
        memberships__removed_at__isnull=True,
        memberships__reminders=True,
    )
    if session.registrations.exists():
        people = people.filter(
            registrations__session=session, registrations__status=Registration.REGISTERED
        )
    return people.exclude(pk__in=Reminder.objects.filter(session=session).values("user_id"))


def _context(session: Session, user) -> dict:
    actions = (
        Action.objects.of(user)
        .open()
        .filter(subject__group_id=session.group_id)
        .order_by("session__scheduled_at", "position", "id")
    )
    subjects = Subject.objects.filter(group_id=session.group_id, owner=user, status="open")
    site = settings.SITE_URL
    return {
        "group": session.group.name,
        "session": str(session),
        "when": formats.date_format(timezone.localtime(session.scheduled_at), "DATETIME_FORMAT"),
        "visio": session.visio_url,
        "actions": [
            {
                "text": action.text,
                "status": action.get_status_display(),
                "review_on": formats.date_format(action.review_on) if action.review_on else "",
            }
            for action in actions
        ],
        "subjects": [subject.keyword for subject in subjects],
        "url": site + reverse("session_info", args=[session.pk]),
        "ics_url": site + reverse("session_ics", args=[session.pk]),
        "actions_url": site + reverse("my_actions"),
        "settings_url": site + reverse("group_detail", args=[session.group_id]),
    }


def send_reminder(session: Session, user) -> bool:
    """Remind ``user`` of ``session`` unless they already were; True if this call sent it."""
    with transaction.atomic():
        _reminder, created = Reminder.objects.get_or_create(session=session, user=user)
        if not created:
            return False
        # In the person's own language, dates and calendar file included.
        emails.send(
            "session_reminder",
            user,
            lambda: _context(session, user),
            attachments=[(ics_filename(session), lambda: ics_calendar(session), "text/calendar")],
        )
    return True


def send_due_reminders(now: datetime | None = None) -> int:
    """The periodic job: every reminder that is due and not yet sent; returns how many."""
    now = now or timezone.now()
    sent = 0
    for session in due_sessions(now):
        for user in recipients(session):
            sent += send_reminder(session, user)
    if sent:
        log.info("reminders sent: %d", sent)
    return sent


@login_required
@require_POST
def reminders_toggle(request, pk):
    """The member's own switch, on the group's page: reminders of this group's sessions."""
    membership = get_membership_or_404(request.user, pk)
    membership.reminders = request.POST.get("reminders") == "on"
    membership.save(update_fields=["reminders"])
    if membership.reminders:
        messages.success(request, _("Vous recevrez un rappel par e-mail avant chaque séance."))
    else:
        messages.success(request, _("Vous ne recevrez plus de rappel avant les séances."))
    return redirect("group_detail", pk=pk)
