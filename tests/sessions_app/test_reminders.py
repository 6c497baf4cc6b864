"""The reminder e-mail before a session: when, to whom, once, and only the person's own content."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation

from participants.models import Group, Membership, User
from sessions_app import calendar
from sessions_app.actions import reminders
from sessions_app.models import Action, Registration, Reminder, Session, Subject
from tests.sqlite_file import run_on_sqlite_file

ROOT = Path(__file__).resolve().parents[2]


def coming_session(group, hours, **extra):
    return Session.objects.create(
        group=group,
        format=group.format,
        title="Séance de juin",
        scheduled_at=timezone.now() + timedelta(hours=hours),
        visio_url="https://meet.jit.si/pairs-pm",
        **extra,
    )


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Run the job at ``now`` and deliver what it queued after commit; return the new mail."""

    def run(now=None):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.send_due_reminders(now or timezone.now())
        return mail.outbox[before:]

    return run


def mine(messages, user):
    (message,) = [m for m in messages if m.to == [user.email]]
    return message


def to(messages) -> list[str]:
    return sorted(address for m in messages for address in m.to)


def test_the_reminder_leaves_when_the_groups_hours_before_the_session_have_come(
    run_job, group, facilitator, participants
):
    session = coming_session(group, hours=49)
    assert run_job() == []
    sent = run_job(timezone.now() + timedelta(hours=1, minutes=1))
    assert to(sent) == sorted(u.email for u in [facilitator, *participants])
    assert all(len(m.to) == 1 for m in sent)
    assert Reminder.objects.filter(session=session).count() == len(sent)


def test_a_group_chooses_how_many_hours_before_its_reminders_leave(
    run_job, group, participants
):
    group.reminder_hours = 24
    group.save()
    coming_session(group, hours=30)
    assert run_job() == []
    assert len(run_job(timezone.now() + timedelta(hours=6, minutes=1))) == len(participants)


def test_each_person_is_reminded_once_however_often_the_job_runs(run_job, group, participants):
    session = coming_session(group, hours=10)
    first = run_job()
    assert to(first) == sorted(u.email for u in participants)
    assert run_job() == [] and run_job(timezone.now() + timedelta(hours=5)) == []
    assert Reminder.objects.filter(session=session).count() == len(participants)


def test_the_reminder_carries_the_date_the_visio_link_and_the_calendar_file(
    run_job, group, participant
):
    session = coming_session(group, hours=10)
    message = mine(run_job(), participant)
    assert "Séance de juin" in message.subject
    assert "https://meet.jit.si/pairs-pm" in message.body
    assert f"/s/{session.pk}/session.ics" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == f"seance-{session.pk}.ics" and mimetype == "text/calendar"


    def without_stamp(ics):
        return [line for line in ics.splitlines() if not line.startswith("DTSTAMP:")]

    with translation.override("fr"):
        assert without_stamp(content) == without_stamp(calendar.calendar([session]))
    assert "BEGIN:VEVENT" in content and "LOCATION:https://meet.jit.si/pairs-pm" in content


def test_the_reminder_carries_my_open_actions_and_waiting_subjects_and_nobody_elses(
    run_job, group, participants
):
    juliette, dragos, amina, paul = participants
    earlier = coming_session(group, hours=-24 * 14, state={"stage": "ended"})
    mine = Subject.objects.create(group=group, owner=juliette, keyword="SENTINEL-JULIETTE-PLAN")
    Subject.objects.create(group=group, owner=juliette, keyword="SENTINEL-JULIETTE-WAITING")
    Subject.objects.create(
        group=group, owner=juliette, keyword="SENTINEL-JULIETTE-HANDLED", status="handled"
    )
    theirs = Subject.objects.create(group=group, owner=dragos, keyword="SENTINEL-DRAGOS-KEYWORD")
    Action.objects.create(
        subject=mine, session=earlier, owner=juliette, text="SENTINEL-JULIETTE-ACTION"
    )
    Action.objects.create(
        subject=mine, session=earlier, owner=juliette, text="SENTINEL-JULIETTE-DONE",
        status=Action.DONE,
    )
    Action.objects.create(
        subject=theirs, session=earlier, owner=dragos, text="SENTINEL-DRAGOS-ACTION",
        status=Action.DOING,
    )
    coming_session(group, hours=10)

    sent = {m.to[0]: m.subject + m.body for m in run_job()}

    assert "SENTINEL-JULIETTE-ACTION" in sent[juliette.email]
    assert "SENTINEL-JULIETTE-WAITING" in sent[juliette.email]
    assert "SENTINEL-JULIETTE-PLAN" in sent[juliette.email]
    assert "SENTINEL-JULIETTE-DONE" not in sent[juliette.email]
    assert "SENTINEL-JULIETTE-HANDLED" not in sent[juliette.email]
    assert "SENTINEL-DRAGOS-ACTION" in sent[dragos.email]
    assert "SENTINEL-DRAGOS-KEYWORD" in sent[dragos.email]
    for address, text in sent.items():
        owner = address.split("@")[0].upper()
        sentinels = [word for word in text.split() if "SENTINEL-" in word]
        assert all(f"SENTINEL-{owner}-" in word for word in sentinels), (address, sentinels)
    assert "SENTINEL" not in sent[amina.email] and "SENTINEL" not in sent[paul.email]


def test_a_member_who_turned_reminders_off_gets_none(run_job, group, participants):
    juliette = participants[0]
    Membership.objects.filter(group=group, user=juliette).update(reminders=False)
    coming_session(group, hours=10)
    assert to(run_job()) == sorted(p.email for p in participants[1:])  # the others do


def test_a_removed_member_gets_none(run_job, group, participants, removed_member):
    coming_session(group, hours=10)
    assert to(run_job()) == sorted(u.email for u in participants)


def test_a_deactivated_account_gets_none(run_job, group, participants):
    participants[0].deactivate()
    coming_session(group, hours=10)
    assert to(run_job()) == sorted(p.email for p in participants[1:])  # the others do


def test_a_past_or_ended_or_running_session_gets_no_reminder(run_job, group, participants):
    coming_session(group, hours=-1)
    coming_session(group, hours=5, state={"stage": "ended"})
    coming_session(group, hours=5, state={"stage": "triage"})
    coming = coming_session(group, hours=5)  # the same hour, not begun: reminded
    assert to(run_job()) == sorted(p.email for p in participants)
    assert set(Reminder.objects.values_list("session", flat=True)) == {coming.pk}


def test_when_the_session_takes_registrations_only_the_seated_are_reminded(
    run_job, group, participants
):
    juliette, dragos, _amina, _paul = participants
    session = coming_session(group, hours=10)
    Registration.objects.create(session=session, user=juliette)
    Registration.objects.create(session=session, user=dragos, status=Registration.WAITLIST)
    assert to(run_job()) == [juliette.email]
    Registration.objects.filter(user=dragos).update(status=Registration.REGISTERED)
    assert to(run_job()) == [dragos.email]


def test_the_reminder_is_in_french_by_default(run_job, group, participant):
    coming_session(group, hours=10)
    message = mine(run_job(), participant)
    assert message.subject.startswith("Rappel\u00a0: «\u00a0Séance de juin\u00a0»")
    assert "Lien de la visio\u00a0:" in message.body
    assert "Pour ne plus recevoir ces rappels" in message.body


def test_the_reminder_reads_in_english_on_an_english_site(run_job, group, participant, settings):
    settings.LANGUAGE_CODE = "en"
    coming_session(group, hours=10)
    message = mine(run_job(), participant)
    assert message.subject.startswith("Reminder: “Séance de juin”")
    assert "Video call link:" in message.body and "You have no subject waiting" in message.body
    assert "Rappel" not in message.body


def test_the_periodic_command_sends_the_due_reminders(
    group, participants, django_capture_on_commit_callbacks
):
    coming_session(group, hours=10)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic")
    assert to(mail.outbox) == sorted(u.email for u in participants)


def failing_job(now):
    raise RuntimeError("SENTINEL-SECRET")


def test_a_failing_periodic_job_does_not_stop_the_others(
    group, participants, settings, caplog, django_capture_on_commit_callbacks
):
    settings.PERIODIC_JOBS = [f"{__name__}.failing_job", *settings.PERIODIC_JOBS]
    coming_session(group, hours=10)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("periodic")
    assert len(mail.outbox) == len(participants)
    assert "failing_job failed (RuntimeError)" in caplog.text
    assert "SENTINEL-SECRET" not in caplog.text


# --- The member's switch, on the group page ----------------------------------------------


def test_a_member_turns_reminders_off_and_on_from_the_group_page(client, group, participant):
    client.force_login(participant)
    page = client.get(f"/g/{group.pk}/").content.decode()
    assert "Vous recevez un rappel par e-mail 48 heures avant chaque séance" in page
    response = client.post(f"/g/{group.pk}/reminders/", {"reminders": "off"})
    assert response.status_code == 302 and response["Location"] == f"/g/{group.pk}/"
    assert not Membership.objects.get(group=group, user=participant).reminders
    page = client.get(f"/g/{group.pk}/").content.decode()
    assert "Recevoir les rappels" in page
    client.post(f"/g/{group.pk}/reminders/", {"reminders": "on"})
    assert Membership.objects.get(group=group, user=participant).reminders


def test_turning_reminders_off_touches_only_my_membership_in_that_group(
    client, group, participants
):
    other = Group.objects.create(name="Autre groupe")
    Membership.objects.create(group=other, user=participants[0])
    client.force_login(participants[0])
    client.post(f"/g/{group.pk}/reminders/", {"reminders": "off"})
    assert list(
        Membership.objects.filter(reminders=False).values_list("group_id", "user_id")
    ) == [(group.pk, participants[0].pk)]


def test_reminders_cannot_be_switched_by_get(client, group, participant):
    client.force_login(participant)
    assert client.get(f"/g/{group.pk}/reminders/").status_code == 405


# --- Two runs at once ---------------------------------------------------------------------


def two_runs_at_once() -> dict:
    """Two runners of the job at the same moment, each on its own connection."""
    from tests.participants.test_invitation_race import _run_at_once

    group = Group.objects.create(name="Deux rappels")
    people = [User.objects.create_user(f"r{i}@example.org") for i in range(5)]
    for person in people:
        Membership.objects.create(group=group, user=person)
    Session.objects.create(
        group=group, format="intervision", scheduled_at=timezone.now() + timedelta(hours=3)
    )
    before = len(mail.outbox)
    now = timezone.now()
    results = _run_at_once([lambda: reminders.send_due_reminders(now) for _ in range(4)])
    sent = [m.to[0] for m in mail.outbox[before:] if m.to[0].endswith("@example.org")]
    return {
        "errors": [repr(r) for r in results if isinstance(r, Exception)],
        "sent": sum(r for r in results if isinstance(r, int)),
        "mails": len(sent),
        "recipients": len(set(sent)),
        "recorded": Reminder.objects.filter(session__group=group).count(),
    }


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(tmp_path):
    if connection.vendor != "sqlite":
        result = two_runs_at_once()
    else:
        # As in test_invitation_race: real concurrent writers need a SQLite file.
        result = run_on_sqlite_file(
            tmp_path / "reminders.sqlite3", "tests.sessions_app.test_reminders",
            "t.two_runs_at_once()",
        )
    assert result == {"errors": [], "sent": 5, "mails": 5, "recipients": 5, "recorded": 5}
