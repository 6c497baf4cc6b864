"""Words users met on the pages and in the e-mails: French as French writes it (« d’Amina »,
« à 7 h 00 », no « 0 jours »), English as English writes it (“quotes”, a colon right after
the word), and words that say what is so."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from sessions_app.actions import reminders
from sessions_app.models import Action, Contribution, Session, Subject

NBSP = "\u00a0"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_reminder_says_the_time_as_french_does(
    group, participants, django_capture_on_commit_callbacks
):
    session = Session.objects.create(
        group=group, format=group.format, title="Séance de décembre",
        scheduled_at=datetime.datetime(2026, 12, 7, 7, 0, tzinfo=ZoneInfo("Europe/Paris")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.do_send_reminder(session, participants[0])
    (email,) = mail.outbox
    assert f"7 décembre 2026 à 7{NBSP}h{NBSP}00" in email.body
    assert "07:00" not in email.body


def test_a_name_after_de_is_elided_before_a_vowel(client, organiser, participants, group):
    client.force_login(organiser)
    page = client.get(reverse("group_members", args=[group.pk])).content.decode()
    assert "Rôle d’Amina" in page and "Rôle de Juliette" in page
    assert "Rôle de Amina" not in page
    english(client)
    page = client.get(reverse("group_members", args=[group.pk])).content.decode()
    assert "Amina’s role" in page and "Role of" not in page


def test_english_pages_use_english_quotes_and_colons(client, organiser, participants, group):
    Subject.objects.create(group=group, owner=participants[0], keyword="budget")
    client.force_login(organiser)
    english(client)
    page = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert "“budget”" in page and "«" not in page
    members = client.get(reverse("group_members", args=[group.pk])).content.decode()
    assert re.search(r"organi[sz]er: 1", members), "the composition reads « organiser: 1 »"
    # (the group's charter, in the group's words, may be French: only the app's own here)
    assert not re.search(f"[ {NBSP}]:[ <]", members)


def test_a_subject_waiting_since_today_waits_less_than_a_day(client, group, participants):
    Subject.objects.create(group=group, owner=participants[0], keyword="budget")
    client.force_login(participants[1])
    page = client.get(reverse("bilan", args=[group.pk])).content.decode()
    assert "moins d’un jour" in page and "0 jour" not in page


def test_the_home_page_counts_actions_to_do_without_calling_them_in_progress(
    client, session, participants
):
    juliette = participants[0]
    subject = Subject.objects.create(group=session.group, owner=juliette, keyword="budget")
    for text in ("Appeler Marc", "Relire le budget"):
        Action.objects.create(subject=subject, session=session, owner=juliette, text=text)
    client.force_login(juliette)
    page = client.get(reverse("home")).content.decode()
    assert f"Mes actions{NBSP}: 2 à faire ou en cours" in page
    assert "2 en cours" not in page


@pytest.mark.parametrize("kind", ["request", "question"])
def test_what_the_group_brought_is_not_the_owners_own_words(client, session, participants, kind):
    juliette, dragos, *_ = participants
    subject = Subject.objects.create(
        group=session.group, owner=juliette, keyword="budget", status="handled",
        handled_in=session,
    )
    Contribution.objects.create(session=session, subject=subject, person=juliette, n=1,
                                phase="contrat", kind=kind, text="MA-PROPRE-DEMANDE")
    Contribution.objects.create(session=session, subject=subject, person=dragos, n=2,
                                phase="consultation", kind="question", text="Depuis quand ?")
    client.force_login(juliette)
    page = client.get(reverse("session_takeaway", args=[session.pk])).content.decode()
    brought = page.split("Ce que le groupe m’a apporté", 1)[1].split("Mon plan d’action", 1)[0]
    assert "Depuis quand" in brought and "MA-PROPRE-DEMANDE" not in brought


def run(session, actor, kind, **fields):
    from sessions_app import live

    return live.apply(session.pk, actor, {"type": kind, **fields}, None)


def test_a_codev_session_calls_the_person_whose_subject_it_is_the_client_throughout(
    client, codev_session, facilitator, participants
):
    juliette, dragos, amina, _paul = participants
    for person in (juliette, dragos, amina):
        run(codev_session, person, "join")
    run(codev_session, facilitator, "start")
    run(codev_session, juliette, "propose", keyword="budget")
    run(codev_session, dragos, "pass")
    run(codev_session, amina, "pass")
    run(codev_session, facilitator, "close_triage")
    url = reverse("session_page", args=[codev_session.pk])
    seen = []
    client.force_login(facilitator)
    seen.append(client.get(url).content.decode())  # the order of subjects, its job aid
    run(codev_session, facilitator, "begin_subject", subject=Subject.objects.get().pk)
    for person in (facilitator, dragos):  # the exposé, its rule and its job aid
        client.force_login(person)
        seen.append(client.get(url).content.decode())
    run(codev_session, juliette, "done")
    client.force_login(facilitator)
    seen.append(client.get(url).content.decode())  # the clarification
    for page in seen:
        assert "porteur" not in page.lower()
    assert all("client" in page for page in seen[1:])
