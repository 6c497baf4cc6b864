"""« Mon retour sur la séance »: those who were at the table, once it has ended; the words
stay the author's unless shared, and go with their export and their erasure."""

import pytest
from django.urls import reverse

from privacy import actions
from sessions_app import live
from sessions_app.models import Feedback


def run(session, actor, kind, **fields):
    return live.apply(session.pk, actor, {"type": kind, **fields}, None)


@pytest.fixture
def ended(session, facilitator, participants):
    juliette, dragos, amina, _paul = participants
    for person in (juliette, dragos, amina):
        run(session, person, "join")
    run(session, facilitator, "set_absent", person=amina.pk, absent=True)
    run(session, facilitator, "start")
    run(session, facilitator, "end")
    return session


def test_someone_at_the_table_gives_feedback_from_what_they_take_away(
    client, ended, participants
):
    juliette = participants[0]
    client.force_login(juliette)
    takeaway = client.get(reverse("session_takeaway", args=[ended.pk])).content.decode()
    url = reverse("session_feedback", args=[ended.pk])
    assert url in takeaway
    response = client.post(url, {"usefulness": "4", "keeps": "Écouter avant de répondre",
                                  "shared": "on"})
    assert response["Location"] == reverse("session_takeaway", args=[ended.pk])
    mine = Feedback.objects.get(author=juliette)
    assert (mine.usefulness, mine.keeps, mine.shared) == (4, "Écouter avant de répondre", True)
    # Giving it again changes it, never doubles it.
    client.post(url, {"usefulness": "5", "keeps": ""})
    assert Feedback.objects.get(author=juliette).usefulness == 5
    assert Feedback.objects.count() == 1


def test_bad_feedback_is_refused_with_a_message_and_keeps_what_was_typed(
    client, ended, participants
):
    client.force_login(participants[0])
    url = reverse("session_feedback", args=[ended.pk])
    response = client.post(url, {"usefulness": "9", "keeps": "GARDÉ-TEL-QUEL"})
    assert response.status_code == 400
    assert "GARDÉ-TEL-QUEL" in response.content.decode()
    response = client.post(url, {"usefulness": "3", "keeps": "", "shared": "on"})
    assert "Écrivez d’abord ce que vous retenez" in response.content.decode()
    assert not Feedback.objects.exists()


def test_only_those_at_the_table_once_it_ended(client, session, ended, participants):
    amina, paul = participants[2], participants[3]  # absent, never joined
    for person in (amina, paul):
        client.force_login(person)
        url = reverse("session_feedback", args=[ended.pk])
        page = client.get(url).content.decode()
        assert "Seules les personnes présentes" in page
        client.post(url, {"usefulness": "1"})
    assert not Feedback.objects.exists()
    assert reverse("session_feedback", args=[ended.pk]) not in client.get(
        reverse("session_takeaway", args=[ended.pk])
    ).content.decode()


def test_feedback_is_in_its_authors_export_and_its_words_go_with_her_erasure(
    client, ended, participants
):
    juliette = participants[0]
    Feedback.objects.create(session=ended, author=juliette, usefulness=4,
                            keeps="RETENU-JULIETTE", shared=True)
    client.force_login(juliette)
    data = client.get(reverse("my_data_json")).json()
    assert data["feedback"][0]["keeps"] == "RETENU-JULIETTE"
    assert data["feedback"][0]["usefulness"] == 4
    actions.do_erase_account(juliette)
    left = Feedback.objects.get()
    assert (left.usefulness, left.keeps, left.shared) == (4, "", False)
