"""Scheduling in the group's time zone, recurring series, and the members told by e-mail
with a calendar file that follows every change (same UID, higher SEQUENCE) and cancellation."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import Membership
from sessions_app import series
from sessions_app.models import Session

from .test_scheduling import arrival

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def data(facilitator, day, **extra):
    values = {
        "title": "Pairs du mardi",
        "date": day,
        "time": "18:30",
        "duration_minutes": "120",
        "visio_url": "https://meet.jit.si/pairs-pm",
        "facilitators": [facilitator.pk],
    }
    values.update(extra)
    return values


def calendars(message):
    return [content for _name, content, mimetype in message.attachments
            if mimetype == "text/calendar"]


def unfold(ics: str) -> str:
    return ics.replace("\r\n ", "")


@pytest.fixture
def scheduled(
    client, organiser, facilitator, participants, group, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    day = (timezone.localdate() + timedelta(days=10)).isoformat()

    def post(**extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/g/{group.pk}/sessions/new/", data(facilitator, day, **extra))

    return post


def test_a_session_is_entered_in_the_groups_time_zone_and_says_which(client, organiser,
                                                                       facilitator, group):
    group.time_zone = "America/Montreal"
    group.save()
    client.force_login(organiser)
    form = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert "Heure (America/Montreal)" in form
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    client.post(f"/g/{group.pk}/sessions/new/", data(facilitator, day))
    session = Session.objects.get()
    local = session.scheduled_at.astimezone(zoneinfo.ZoneInfo("America/Montreal"))
    assert (local.date().isoformat(), local.strftime("%H:%M")) == (day, "18:30")
    info = client.get(f"/s/{session.pk}/info/").content.decode()
    assert "America/Montreal" in info and "18:30" in info


def test_scheduling_tells_every_other_member_with_the_calendar_file(
    scheduled, organiser, facilitator, participants
):
    scheduled()
    session = Session.objects.get()
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted(p.email for p in [facilitator, *participants])  # not the organiser
    message = mail.outbox[0]
    assert "Pairs produit" in message.subject
    assert "Pairs du mardi" in message.body and "https://meet.jit.si/pairs-pm" in message.body
    [ics] = calendars(message)
    ics = unfold(ics)
    assert "SUMMARY:Pairs produit — Pairs du mardi" in ics
    assert f"UID:session-{session.pk}@" in ics and "SEQUENCE:0" in ics


def test_a_weekly_series_keeps_the_local_time_across_daylight_saving(
    client, organiser, facilitator, participants, group, django_capture_on_commit_callbacks
):
    # The last Sunday of March moves Paris from UTC+1 to UTC+2.
    start = datetime(timezone.localdate().year + 1, 3, 16, 18, 30, tzinfo=PARIS)
    dates = series.series_dates(start, PARIS, "weekly", 2, 3)
    assert [d.astimezone(PARIS).strftime("%m-%d %H:%M") for d in dates] == [
        "03-16 18:30", "03-30 18:30", "04-13 18:30"
    ]
    assert dates[0].astimezone(UTC).hour == 17 and dates[1].astimezone(UTC).hour == 16
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/g/{group.pk}/sessions/new/",
            data(facilitator, start.date().isoformat(), repeat="weekly", every="2", count="3"),
        )
    sessions = list(Session.objects.order_by("scheduled_at"))
    assert [s.scheduled_at for s in sessions] == dates
    assert len({s.series for s in sessions}) == 1 and sessions[0].series
    # One e-mail per member for the whole series, with every date in its calendar.
    message = next(m for m in mail.outbox if m.to == ["juliette@example.org"])
    assert unfold(calendars(message)[0]).count("BEGIN:VEVENT") == 3


def test_a_monthly_series_falls_on_the_same_weekday_of_the_month():
    second_tuesday = datetime(2027, 1, 12, 19, 0, tzinfo=PARIS)
    days = series.series_dates(second_tuesday, PARIS, "monthly", 1, 4)
    assert [d.strftime("%a %d/%m") for d in days] == [
        "Tue 12/01", "Tue 09/02", "Tue 09/03", "Tue 13/04"
    ]
    fifth = datetime(2027, 3, 30, 19, 0, tzinfo=PARIS)  # the 5th, hence last, Tuesday
    days = series.series_dates(fifth, PARIS, "monthly", 1, 3)
    assert [d.strftime("%d/%m") for d in days] == ["30/03", "27/04", "25/05"]


def test_in_a_rotating_group_the_series_takes_turns(
    client, organiser, facilitator, participants, group
):
    group.facilitation = "rotating"
    group.save()
    client.force_login(organiser)
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    first = Membership.objects.filter(group=group).order_by("joined_at", "id")[0].user
    client.post(f"/g/{group.pk}/sessions/new/",
                data(first, day, repeat="weekly", every="1", count="3"))
    drivers = [list(s.facilitators.values_list("pk", flat=True))
               for s in Session.objects.order_by("scheduled_at")]
    order = arrival(group)
    start = order.index(first.pk)
    assert drivers == [[order[(start + k) % len(order)]] for k in range(3)]


def test_a_series_with_missing_details_is_explained_and_nothing_is_created(
    client, organiser, facilitator, group
):
    client.force_login(organiser)
    day = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(f"/g/{group.pk}/sessions/new/",
                           data(facilitator, day, repeat="weekly", every="", count="30"))
    body = response.content.decode()
    assert "Indiquez toutes les combien de semaines" in body
    assert "inférieure ou égale à 12" in body
    assert "Pairs du mardi" in body  # what was typed is kept
    assert not Session.objects.exists()


def test_moving_one_session_of_a_series_updates_its_calendar_only(
    client, scheduled, organiser, facilitator, django_capture_on_commit_callbacks
):
    scheduled(repeat="weekly", every="2", count="2")
    first, second = Session.objects.order_by("scheduled_at")
    mail.outbox.clear()
    moved = (timezone.localtime(second.scheduled_at, first.group.tz).date()
             + timedelta(days=1)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{second.pk}/edit/", data(facilitator, moved, time="19:00"))
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.sequence, first.sequence) == (1, 0)
    assert timezone.localtime(second.scheduled_at, PARIS).strftime("%H:%M") == "19:00"
    ics = unfold(calendars(mail.outbox[0])[0])
    assert "Séance modifiée" in mail.outbox[0].subject
    assert f"UID:session-{second.pk}@" in ics and "SEQUENCE:1" in ics
    downloaded = unfold(client.get(f"/s/{second.pk}/session.ics").content.decode())
    assert "SEQUENCE:1" in downloaded
    # Changing who facilitates only is no change of the calendar: only Lucie, who no longer
    # facilitates, hears of it (Olga made the change).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{second.pk}/edit/", data(organiser, moved, time="19:00"))
    second.refresh_from_db()
    assert second.sequence == 1 and [m.to for m in mail.outbox] == [[facilitator.email]]
    assert not mail.outbox[0].attachments


def test_cancelling_a_session_removes_it_from_everyones_calendar(
    client, scheduled, django_capture_on_commit_callbacks
):
    scheduled()
    session = Session.objects.get()
    mail.outbox.clear()
    confirm = client.get(f"/s/{session.pk}/cancel/").content.decode()
    assert "Annuler «\u00a0Pairs du mardi\u00a0»" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{session.pk}/cancel/")
    assert response["Location"] == f"/g/{session.group_id}/"
    assert not Session.objects.exists()
    ics = unfold(calendars(mail.outbox[0])[0])
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert f"UID:session-{session.pk}@" in ics and "SEQUENCE:1" in ics
    assert "Séance annulée" in mail.outbox[0].subject


def test_a_started_session_cannot_be_cancelled(
    client, organiser, facilitator, participant, session
):
    from sessions_app import live

    live.apply(session.pk, participant, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    client.force_login(organiser)
    response = client.post(f"/s/{session.pk}/cancel/", follow=True)
    assert "ne peut plus être annulée" in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()


def test_a_session_not_held_cannot_be_cancelled_and_offers_no_button(
    client, organiser, session
):
    Session.objects.filter(pk=session.pk).update(
        scheduled_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(organiser)
    info = client.get(f"/s/{session.pk}/info/").content.decode()
    assert f"/s/{session.pk}/cancel/" not in info
    response = client.post(f"/s/{session.pk}/cancel/", follow=True)
    assert "il n’y a plus rien à annuler" in response.content.decode()
    assert Session.objects.filter(pk=session.pk).exists() and mail.outbox == []


def test_an_untitled_session_is_named_by_its_group_and_its_day_in_words(group):
    untitled = Session.objects.create(
        group=group, format="intervision", scheduled_at=datetime(2026, 12, 16, 18, 30, tzinfo=PARIS)
    )
    assert str(untitled) == "Pairs produit — 16 décembre 2026"


def test_a_monthly_series_on_a_fifth_weekday_asks_before_falling_back_to_the_last(
    client, organiser, facilitator, participants, group, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    # 30 March 2027 is the 5th Tuesday; April and May have four, June has a 5th again.
    values = data(facilitator, "2027-03-30", repeat="monthly", count="4")
    response = client.post(f"/g/{group.pk}/sessions/new/", values)
    assert response.status_code == 200 and not Session.objects.exists()
    body = response.content.decode()
    assert "Le 30 mars 2027 est le 5ᵉ mardi du mois" in body
    assert "27 avril 2027, 25 mai 2027" in body and "29 juin 2027" not in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/g/{group.pk}/sessions/new/", {**values, "last_weekday": "on"})
    days = [timezone.localtime(s.scheduled_at, PARIS).strftime("%d/%m")
            for s in Session.objects.order_by("scheduled_at")]
    assert days == ["30/03", "27/04", "25/05", "29/06"]
