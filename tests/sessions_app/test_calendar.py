"""The calendar files (.ics): times in the group's time zone, as calendars show them, and a
cancellation that calendars accept (RFC 5546: METHOD:CANCEL carries an ORGANIZER)."""

from datetime import datetime

import icalendar
from django.utils import timezone

from sessions_app import calendar
from sessions_app.models import Session


def unfold(ics: str) -> str:
    return ics.replace("\r\n ", "")


def test_the_times_are_in_the_groups_time_zone_with_its_definition(group, facilitator):
    group.time_zone = "America/Montreal"
    group.save()
    when = datetime(2027, 1, 12, 19, 0, tzinfo=group.tz)
    session = Session.objects.create(
        group=group, format=group.format, scheduled_at=when, duration_minutes=90
    )
    ics = unfold(calendar.calendar([session]))
    assert "DTSTART;TZID=America/Montreal:20270112T190000" in ics
    assert "DTEND;TZID=America/Montreal:20270112T203000" in ics
    # The zone's definition travels with the file, for calendars that do not know it.
    parsed = icalendar.Calendar.from_ical(ics)
    [zone] = parsed.walk("VTIMEZONE")
    assert zone["TZID"] == "America/Montreal"
    [event] = parsed.walk("VEVENT")
    assert event.decoded("DTSTART") == when
    assert event.decoded("DTSTART").utcoffset() == when.utcoffset()


def test_a_cancellation_names_its_organizer(group, settings):
    settings.DEFAULT_FROM_EMAIL = "Intervision <noreply@intervision.example.org>"
    session = Session.objects.create(group=group, format=group.format, scheduled_at=timezone.now())
    parsed = icalendar.Calendar.from_ical(calendar.calendar([session], cancelled=True))
    assert parsed["METHOD"] == "CANCEL"
    [event] = parsed.walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:noreply@intervision.example.org"
    # Named after the group, not after a person: no one's address leaves in the file.
    assert event["ORGANIZER"].params["CN"] == "Pairs produit"
