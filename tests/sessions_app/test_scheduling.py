"""Scheduling sessions, registration with the group's seat limit, the waitlist, the .ics file."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import Membership
from sessions_app import rota_queries
from sessions_app.actions import scheduling
from sessions_app.models import Registration, Session


def when(days=7):
    local = timezone.localtime() + timedelta(days=days)
    return local.strftime("%Y-%m-%d"), "18:30"


def arrival(group) -> list[int]:
    """The group's active members by arrival: the rota's order before any session."""
    return list(
        group.memberships.active().order_by("joined_at", "id").values_list("user_id", flat=True)
    )


def schedule_data(*facilitators, **extra):
    date, time = when()
    data = {
        "title": "Séance d’avril",
        "date": date,
        "time": time,
        "duration_minutes": "120",
        "visio_url": "https://meet.jit.si/pairs-pm",
        "facilitators": [f.pk for f in facilitators],
    }
    data.update(extra)
    return data


def test_the_organiser_schedules_a_session_with_co_facilitators(
    client, organiser, facilitator, participant, group
):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/sessions/new/", schedule_data(facilitator, participant))
    session = Session.objects.get(title="Séance d’avril")
    assert response.status_code == 302 and response["Location"] == f"/s/{session.pk}/info/"
    local = timezone.localtime(session.scheduled_at)
    assert (local.strftime("%Y-%m-%d"), local.strftime("%H:%M")) == when()
    assert session.duration_minutes == 120 and session.visio_url == "https://meet.jit.si/pairs-pm"
    assert {u.pk for u in session.facilitators.all()} == {facilitator.pk, participant.pk}
    assert session.format == group.format
    page = client.get(f"/s/{session.pk}/info/").content.decode()
    assert (
        "https://meet.jit.si/pairs-pm" in page
        and facilitator.name in page
        and participant.name in page
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("visio_url", "http://zoom.example/abc", "doit commencer par https://"),
        ("visio_url", "pas un lien", "Saisissez une URL valide"),
        ("duration_minutes", "5", "Entre 15 minutes et 8 heures"),
        ("date", "2020-01-01", "Cette date est passée"),
        ("time", "25:99", "Saisissez une heure valide"),
    ],
)
def test_a_bad_schedule_is_explained(client, organiser, facilitator, group, field, value, message):
    client.force_login(organiser)
    response = client.post(
        f"/g/{group.pk}/sessions/new/", schedule_data(facilitator, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Session.objects.exists()


def test_at_most_two_facilitators_and_at_least_one_unless_self_managed(
    client, organiser, facilitator, participants, group
):
    client.force_login(organiser)
    response = client.post(
        f"/g/{group.pk}/sessions/new/", schedule_data(facilitator, *participants[:2])
    )
    assert "Deux personnes au plus" in response.content.decode()
    response = client.post(f"/g/{group.pk}/sessions/new/", schedule_data())
    assert "Choisissez qui anime" in response.content.decode()
    group.facilitation = "self"
    group.save()
    response = client.post(f"/g/{group.pk}/sessions/new/", schedule_data())
    assert response.status_code == 302


def test_a_non_member_cannot_be_named_facilitator(client, organiser, outsider, group):
    client.force_login(organiser)
    response = client.post(f"/g/{group.pk}/sessions/new/", schedule_data(outsider))
    assert response.status_code == 200
    assert not Session.objects.exists()


def test_rotation_proposes_the_next_member(client, organiser, facilitator, participants, group):
    group.facilitation = "rotating"
    group.save()
    order = arrival(group)
    assert rota_queries.next_facilitator(group) == order[0]
    last = Session.objects.create(group=group, format=group.format)
    last.facilitators.add(order[2])
    assert rota_queries.next_facilitator(group) == order[3]
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert f'value="{order[3]}" id="id_facilitators_3" checked' in page


def test_the_organiser_edits_the_schedule(client, organiser, facilitator, session, group):
    client.force_login(organiser)
    response = client.post(
        f"/s/{session.pk}/edit/",
        schedule_data(facilitator, title="Déplacée", duration_minutes="90"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.title == "Déplacée" and session.duration_minutes == 90


def test_changing_who_facilitates_tells_the_new_facilitator_and_the_former_one(
    client, organiser, facilitator, participant, participants, session, group,
    django_capture_on_commit_callbacks,
):
    local = timezone.localtime(session.scheduled_at + timedelta(days=3), group.tz).replace(
        second=0, microsecond=0
    )
    session.scheduled_at = local
    session.save()
    values = schedule_data(participant, title=session.title, duration_minutes="120",
                           date=local.strftime("%Y-%m-%d"), time=local.strftime("%H:%M"),
                           visio_url=session.visio_url)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{session.pk}/edit/", values)
    session.refresh_from_db()
    assert list(session.facilitators.all()) == [participant]
    # Only the two concerned hear of it, each told who facilitates now.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([participant.email, facilitator.email])
    [new] = [m for m in mail.outbox if m.to == [participant.email]]
    assert "Séance de mars" in new.subject
    assert "C’est vous qui animez cette séance" in new.body
    assert "Olga" in new.body and f"/s/{session.pk}/info/" in new.body
    [former] = [m for m in mail.outbox if m.to == [facilitator.email]]
    assert "Vous n’animez plus cette séance\u00a0; elle est animée par Juliette." in former.body
    assert session.sequence == 0  # the calendar's event is unchanged


@pytest.mark.parametrize(
    "persona", ["participant", "outsider", "other_group_member", "removed_member"]
)
def test_members_who_do_not_facilitate_cannot_schedule(
    client, group, session, request, persona, facilitator
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/g/{group.pk}/sessions/new/").status_code == 404
    assert (
        client.post(f"/g/{group.pk}/sessions/new/", schedule_data(facilitator)).status_code == 404
    )
    assert (
        client.post(f"/s/{session.pk}/edit/", schedule_data(facilitator, title="X")).status_code
        == 404
    )
    assert Session.objects.count() == 1


@pytest.fixture
def small_session(group, organiser, facilitator, participants):
    group.capacity = 2
    group.save()
    session = Session.objects.create(
        group=group,
        format=group.format,
        title="Petite séance",
        scheduled_at=timezone.now() + timedelta(days=3),
    )
    session.facilitators.add(facilitator)
    return session


def test_registration_fills_the_seats_then_the_waitlist(client, small_session, participants):
    for person in participants[:3]:
        client.force_login(person)
        response = client.post(f"/s/{small_session.pk}/register/", follow=True)
        assert response.status_code == 200
    page = response.content.decode()
    assert "liste d&#x27;attente" in page or "liste d’attente" in page
    assert "position 1" in page
    statuses = [r.status for r in small_session.registrations.order_by("id")]
    assert statuses == ["registered", "registered", "waitlist"]


def test_a_freed_seat_goes_to_the_first_on_the_waitlist_who_is_told_by_mail(
    client, small_session, participants, django_capture_on_commit_callbacks
):
    first, second, third, fourth = participants
    for person in participants:
        scheduling.do_register(small_session.pk, person)
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{small_session.pk}/unregister/")
    assert response.status_code == 302
    seated = set(
        Registration.objects.seated()
        .filter(session=small_session)
        .values_list("user_id", flat=True)
    )
    assert seated == {second.pk, third.pk}
    assert [m.to for m in mail.outbox] == [[third.email]]
    assert "place s’est libérée" in mail.outbox[0].subject
    assert f"/s/{small_session.pk}/info/" in mail.outbox[0].body
    waiting = list(
        Registration.objects.waiting()
        .filter(session=small_session)
        .values_list("user_id", flat=True)
    )
    assert waiting == [fourth.pk]


def test_leaving_the_waitlist_frees_no_seat(
    small_session, participants, django_capture_on_commit_callbacks
):
    for person in participants[:3]:
        scheduling.do_register(small_session.pk, person)
    with django_capture_on_commit_callbacks(execute=True):
        scheduling.do_cancel_registration(small_session.pk, participants[2])
    assert mail.outbox == []
    assert Registration.objects.seated().filter(session=small_session).count() == 2


def test_removing_a_member_frees_their_seat_for_the_waitlist(
    small_session, participants, group, django_capture_on_commit_callbacks
):
    for person in participants[:3]:
        scheduling.do_register(small_session.pk, person)
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.get(group=group, user=participants[0]).remove()
    seated = set(
        Registration.objects.seated()
        .filter(session=small_session)
        .values_list("user_id", flat=True)
    )
    assert seated == {participants[1].pk, participants[2].pk}
    assert [m.to for m in mail.outbox] == [[participants[2].email]]


def test_registration_is_closed_after_the_session(client, participant, session):
    session.scheduled_at = timezone.now() - timedelta(days=1)
    session.save()
    client.force_login(participant)
    response = client.post(f"/s/{session.pk}/register/", follow=True)
    assert "les inscriptions sont closes" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_calendar_file_has_the_time_and_the_visio_link(client, participant, session, group):
    session.scheduled_at = timezone.now().replace(microsecond=0) + timedelta(days=2)
    session.visio_url = "https://zoom.us/j/123456789?pwd=abc"
    session.save()
    client.force_login(participant)
    response = client.get(f"/s/{session.pk}/session.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    unfolded = body.replace("\r\n ", "")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    start = session.scheduled_at.astimezone(group.tz)
    assert f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}" in unfolded
    end = start + timedelta(minutes=session.duration_minutes)
    assert f"DTEND;TZID=Europe/Paris:{end:%Y%m%dT%H%M%S}" in unfolded
    assert "URL:https://zoom.us/j/123456789?pwd=abc" in unfolded
    # The title names the group: « Prochaine séance » alone says nothing in a calendar.
    assert "SUMMARY:Pairs produit — Séance de mars" in unfolded
    assert "SEQUENCE:0" in unfolded and f"UID:session-{session.pk}@" in unfolded
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_info_page_has_a_constant_number_of_queries(
    client, participant, small_session, participants, django_assert_max_num_queries
):
    for person in participants:
        scheduling.do_register(small_session.pk, person)
    client.force_login(participant)
    with django_assert_max_num_queries(10):
        assert client.get(f"/s/{small_session.pk}/info/").status_code == 200


def test_a_removed_facilitator_stops_facilitating_coming_sessions(session, facilitator, group):
    ended = Session.objects.create(group=group, format=group.format, state={"stage": "ended"})
    ended.facilitators.add(facilitator)
    Membership.objects.get(group=group, user=facilitator).remove()
    assert list(session.facilitators.all()) == []
    assert list(ended.facilitators.all()) == [facilitator]  # history is kept
