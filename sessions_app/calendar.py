"""Sessions as iCalendar files (RFC 5545), built with the icalendar library.

Each session is one event with a stable UID; its ``sequence`` goes up at each change of date,
duration, title or visio link, so a calendar that imported it replaces it; a cancelled
session is sent with METHOD:CANCEL and STATUS:CANCELLED under the same UID. The title names
the group; the description carries the visio link and the session's page.

Times are written in the group's time zone (``DTSTART;TZID=Europe/Paris:…``), with the zone's
VTIMEZONE definition in the file, so that a calendar shows and keeps the session at its local
time across daylight saving. Every event names an ORGANIZER (RFC 5546 requires one in a
METHOD:CANCEL): the site's sending address under the group's name, never a person's address.
"""

from collections.abc import Iterable
from datetime import UTC, timedelta
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Session


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]


def summary(session: Session) -> str:
    """The event's title: the group's name, then the session's own title if it has one."""
    if session.title:
        return f"{session.group.name} — {session.title}"
    return _("Séance — %(group)s") % {"group": session.group.name}


def _event(session: Session, *, cancelled: bool) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"session-{session.pk}@{_host()}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    zone = session.group.tz
    end = session.scheduled_at + timedelta(minutes=session.duration_minutes)
    event.add("dtstart", session.scheduled_at.astimezone(zone))
    event.add("dtend", end.astimezone(zone))  # elapsed time, even across a change of hour
    organizer = icalendar.vCalAddress("mailto:" + parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    organizer.params["cn"] = session.group.name
    event.add("organizer", organizer)
    event.add("sequence", session.sequence)
    event.add("summary", summary(session))
    page = settings.SITE_URL + reverse("session_page", args=[session.pk])
    description = _("Page de la séance : %(url)s") % {"url": page}
    if session.visio_url:
        description = _("Visio : %(visio)s") % {"visio": session.visio_url} + "\n" + description
        event.add("location", session.visio_url)
        event.add("url", session.visio_url)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar(sessions: Iterable[Session], *, cancelled: bool = False) -> str:
    """One calendar file holding ``sessions`` (one event each)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Intervision//Intervision//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    for session in sessions:
        cal.add_component(_event(session, cancelled=cancelled))
    cal.add_missing_timezones()
    return cal.to_ical().decode()


def filename(session: Session) -> str:
    return f"seance-{session.pk}.ics"
