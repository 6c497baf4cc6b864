"""Each person's e-mails come in their own language, whoever acts: the one chosen in « Mon
compte », else the one they last used (the switch in the header, the language they signed in
with); people without an account get the language they wrote in, or the inviter's."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from participants.models import Application, LoginLink, User
from sessions_app.actions import reminders, rota


def calendar_of(message) -> str:
    [ics] = [content for _n, content, kind in message.attachments if kind == "text/calendar"]
    return ics.replace("\r\n ", "")


def to(address):
    return [m for m in mail.outbox if m.to == [address]]


def switch(client, language):
    """The switch in the header, as the page posts it."""
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


@pytest.fixture
def coming(session):
    session.scheduled_at = timezone.now() + timedelta(days=5)
    session.visio_url = "https://meet.jit.si/pairs"
    session.save()
    return session


def test_an_organiser_browsing_in_english_cancels_and_each_member_reads_their_own_language(
    client, organiser, participants, coming, django_capture_on_commit_callbacks
):
    paul = participants[-1]
    paul.language, paul.language_chosen = "en", True
    paul.save()
    client.force_login(organiser)
    switch(client, "en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{coming.pk}/cancel/")
    [french] = to("juliette@example.org")
    assert french.subject == "Séance annulée — «\u00a0Pairs produit\u00a0»"
    assert "a annulé une séance du groupe" in french.body
    assert "DESCRIPTION:Visio\u00a0: https://meet.jit.si/pairs" in calendar_of(french)
    [english] = to(paul.email)
    assert english.subject.startswith("Session cancelled — ") and "Pairs produit" in english.subject
    assert "DESCRIPTION:Video call: https://meet.jit.si/pairs" in calendar_of(english)


def test_the_switch_in_the_header_is_remembered_for_the_e_mails(
    client, organiser, participant, facilitator, group, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    switch(client, "en")
    participant.refresh_from_db()
    assert participant.language == "en" and not participant.language_chosen
    # An organiser browsing in French schedules a session: Juliette reads it in English.
    client.force_login(organiser)
    switch(client, "fr")
    day = (timezone.localdate() + timedelta(days=9)).isoformat()
    form = {"title": "Pairs", "date": day, "time": "18:30", "duration_minutes": "120",
            "facilitators": [facilitator.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/g/{group.pk}/sessions/new/", form)
    [english] = to(participant.email)
    assert english.subject.startswith("New session of the group ")
    assert "SUMMARY:Pairs produit — Pairs" in calendar_of(english)
    [french] = to(facilitator.email)
    assert french.subject.startswith("Nouvelle séance du groupe")


def test_the_language_chosen_in_my_account_holds_whatever_the_interface(client, participant):
    client.force_login(participant)
    page = client.get("/account/").content.decode()
    assert 'action="/account/language/"' in page
    response = client.post("/account/language/", {"language": "en"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.language, participant.language_chosen) == ("en", True)
    # Browsing in French afterwards does not change the e-mails' language.
    switch(client, "fr")
    participant.refresh_from_db()
    assert participant.language == "en"
    # « La langue que j’utilise » gives the choice back to the header's switch.
    client.post("/account/language/", {"language": ""})
    participant.refresh_from_db()
    assert participant.language == "fr" and not participant.language_chosen


def test_an_unknown_language_is_refused(client, participant):
    client.force_login(participant)
    response = client.post("/account/language/", {"language": "de"})
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.language == "fr" and not participant.language_chosen


def test_signing_in_records_the_language_in_use(client, participant):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    token = LoginLink.issue(participant)
    client.post(f"/login/link/{token}/")
    participant.refresh_from_db()
    assert participant.language == "en"


def test_reminders_and_rota_notices_are_in_each_persons_language(
    participants, organiser, coming, group, django_capture_on_commit_callbacks
):
    juliette = participants[0]
    User.objects.filter(pk=juliette.pk).update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders(coming.scheduled_at - timedelta(hours=1))
    [english] = to(juliette.email)
    assert english.subject.startswith("Reminder:")
    assert "DESCRIPTION:Video call:" in calendar_of(english)
    assert to(participants[1].email)[0].subject.startswith("Rappel\u00a0:")
    mail.outbox.clear()
    group.facilitation = "rotating"
    group.save()
    with django_capture_on_commit_callbacks(execute=True):
        rota._tell_next(group, [organiser.pk], [juliette.pk], organiser)
    [notice] = to(juliette.email)
    assert notice.subject.startswith("You facilitate the next session of the group ")


def test_an_invitation_is_in_the_inviters_language_or_the_invited_persons(
    client, organiser, group, outsider, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=outsider.pk).update(language="fr")
    client.force_login(organiser)
    switch(client, "en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/g/{group.pk}/invitations/", {"emails": f"nouvelle@example.org\n{outsider.email}"}
        )
    assert to("nouvelle@example.org")[0].subject.startswith("Invitation to join the group ")
    assert to(outsider.email)[0].subject.startswith("Invitation à rejoindre le groupe")


def test_an_applicant_is_answered_in_the_language_they_applied_in(
    client, organiser, group, django_capture_on_commit_callbacks
):
    group.applications_open = True
    group.save()
    applicant = client.__class__()
    applicant.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    answers = {f"answer_{i}": "oui" for i, _q in enumerate(group.eligibility_questions())}
    applicant.post(
        f"/apply/{group.public_key}/", {"name": "Eve", "email": "eve@example.org", **answers}
    )
    application = Application.objects.get()
    assert application.language == "en"
    mail.outbox.clear()
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/g/{group.pk}/applications/{application.pk}/", {"decision": "rejected", "reason": ""}
        )
    [reply] = to("eve@example.org")
    assert reply.subject.startswith("Your application")



def test_a_sign_in_link_comes_in_the_language_of_the_page_unless_another_was_chosen(
    participants, django_capture_on_commit_callbacks
):
    from participants.signin import send_login_link_if_known

    juliette, dragos = participants[0], participants[1]
    User.objects.filter(pk=dragos.pk).update(language="fr", language_chosen=True)
    with django_capture_on_commit_callbacks(execute=True):
        send_login_link_if_known(juliette.email, "en")  # asked from the English page
        send_login_link_if_known(dragos.email, "en")
    assert to(juliette.email)[0].subject == "Your sign-in link to Intervision"
    assert to(dragos.email)[0].subject == "Votre lien de connexion à Intervision"
