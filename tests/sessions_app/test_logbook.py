"""The carnet de bord (seed 002), tied to the work: readable by its author only."""

import datetime
import json

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Membership
from sessions_app.models import Action, LogbookEntry, Session, Subject

SESSION_READ = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def handled(session, participant):
    """Juliette's subject, being handled tonight."""
    subject = Subject.objects.create(group=session.group, owner=participant, keyword="recrutement")
    session.state = {"stage": "subject", "current": subject.pk}
    session.save(update_fields=["state"])
    return subject


def autosave(client, session, text, entry=""):
    return client.post(
        reverse("session_logbook", args=[session.pk]), {"text": text, "entry": entry}, **HTMX
    )


# --- The carnet page ------------------------------------------------------------------------


def test_a_member_keeps_notes_that_only_they_read(
    client, group, participant, facilitator, organiser
):
    client.force_login(participant)
    response = client.post(
        f"/g/{group.pk}/logbook/", {"text": "Je retiens : demander de l'aide plus tôt."}
    )
    assert response.status_code == 302
    assert (
        "demander de l&#x27;aide plus tôt" in client.get(f"/g/{group.pk}/logbook/").content.decode()
    )
    for other in (facilitator, organiser):
        client.force_login(other)
        page = client.get(f"/g/{group.pk}/logbook/").content.decode()
        assert "demander de" not in page
        assert "Aucune note" in page


def test_an_empty_note_is_refused(client, group, participant):
    client.force_login(participant)
    response = client.post(f"/g/{group.pk}/logbook/", {"text": ""})
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not LogbookEntry.objects.exists()


def test_deleting_asks_first_and_only_the_author_can(client, group, participant, organiser):
    entry = LogbookEntry.objects.create(author=participant, group=group, text="note")
    client.force_login(organiser)
    assert client.post(f"/g/{group.pk}/logbook/{entry.pk}/delete/").status_code == 404
    client.force_login(participant)
    assert (
        "Oui, supprimer" in client.get(f"/g/{group.pk}/logbook/{entry.pk}/delete/").content.decode()
    )
    assert LogbookEntry.objects.exists()
    client.post(f"/g/{group.pk}/logbook/{entry.pk}/delete/")
    assert not LogbookEntry.objects.exists()


def test_the_author_edits_a_note(client, group, participant):
    entry = LogbookEntry.objects.create(author=participant, group=group, text="brouillon")
    client.force_login(participant)
    url = reverse("logbook_edit", args=[group.pk, entry.pk])
    assert "brouillon" in client.get(url).content.decode()
    assert client.post(url, {"text": "au propre"}).status_code == 302
    entry.refresh_from_db()
    assert entry.text == "au propre"


def test_a_removed_member_no_longer_opens_their_logbook(client, group, participant):
    LogbookEntry.objects.create(author=participant, group=group, text="note")
    Membership.objects.filter(user=participant, group=group).update(removed_at=timezone.now())
    client.force_login(participant)
    assert client.get(f"/g/{group.pk}/logbook/").status_code == 404


def test_another_member_or_an_organiser_cannot_read_or_change_a_note(
    client, group, session, handled, participants, facilitator, organiser
):
    juliette, dragos = participants[:2]
    entry = LogbookEntry.objects.create(
        author=juliette, group=group, session=session, subject=handled, text="SECRET-JULIETTE"
    )
    for other in (dragos, facilitator, organiser):
        client.force_login(other)
        for name in ("logbook_edit", "logbook_delete"):
            url = reverse(name, args=[group.pk, entry.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, {"text": "réécrit"}).status_code == 404
        # Nor through the live panel, by naming her note.
        assert autosave(client, session, "réécrit", entry=entry.pk).status_code == 404
        for name in ("logbook", "logbook_markdown", "logbook_json"):
            assert (
                "SECRET-JULIETTE" not in client.get(reverse(name, args=[group.pk])).content.decode()
            )
        panel = client.get(reverse("session_logbook", args=[session.pk])).content.decode()
        assert "SECRET-JULIETTE" not in panel
    entry.refresh_from_db()
    assert entry.text == "SECRET-JULIETTE"


def test_staff_read_no_note_through_the_pages_nor_the_admin(
    client, group, session, participant, django_user_model
):
    entry = LogbookEntry.objects.create(author=participant, group=group, text="SECRET")
    admin_user = django_user_model.objects.create_superuser("root@example.org", password="x")
    client.force_login(admin_user)
    assert client.get(reverse("logbook", args=[group.pk])).status_code == 404
    assert client.get(reverse("logbook_edit", args=[group.pk, entry.pk])).status_code == 404
    assert client.get(reverse("session_logbook", args=[session.pk])).status_code == 404
    assert LogbookEntry not in admin.site._registry


def test_the_carnet_shows_each_session_with_my_notes_beside_my_actions(
    client, group, session, handled, participants
):
    juliette, dragos = participants[:2]
    session.state = {"stage": "ended"}
    session.save(update_fields=["state"])
    earlier = Session.objects.create(
        group=group,
        format=group.format,
        title="Séance de février",
        scheduled_at=session.scheduled_at - datetime.timedelta(days=30),
    )
    LogbookEntry.objects.create(
        author=juliette, group=group, session=session, subject=handled, text="Note de mars"
    )
    LogbookEntry.objects.create(
        author=juliette, group=group, session=earlier, text="Note de février"
    )
    LogbookEntry.objects.create(author=juliette, group=group, text="Note libre")
    LogbookEntry.objects.create(author=dragos, group=group, session=session, text="SENTINELLE")
    Action.objects.create(subject=handled, session=session, owner=juliette, text="Écrire la grille")
    other = Subject.objects.create(group=group, owner=dragos, keyword="roadmap")
    Action.objects.create(subject=other, session=session, owner=dragos, text="ACTION-DRAGOS")

    client.force_login(juliette)
    page = client.get(reverse("logbook", args=[group.pk])).content.decode()
    march, february = page.index("Séance de mars"), page.index("Séance de février")
    loose = page.index("Notes hors séance")
    assert march < page.index("Note de mars") < page.index("Écrire la grille") < february
    assert february < page.index("Note de février") < loose < page.index("Note libre")
    assert "«\u00a0recrutement\u00a0»" in page
    assert reverse("session_takeaway", args=[session.pk]) in page  # ended: what I took away
    assert reverse("session_takeaway", args=[earlier.pk]) not in page
    assert "SENTINELLE" not in page and "ACTION-DRAGOS" not in page


def test_the_carnet_page_makes_a_constant_number_of_queries(
    client, group, session, handled, participant, django_assert_num_queries
):
    client.force_login(participant)
    url = reverse("logbook", args=[group.pk])
    client.get(url)  # warm the session

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(10):
        other = Session.objects.create(group=group, format=group.format, title=f"S{i}")
        LogbookEntry.objects.create(
            author=participant, group=group, session=other, subject=handled, text=f"n{i}"
        )
        LogbookEntry.objects.create(author=participant, group=group, text=f"libre {i}")
        Action.objects.create(subject=handled, session=other, owner=participant, text=f"a{i}")
    assert count() == small
    # The user, then: the membership, the notes with their sessions, the actions.
    with django_assert_num_queries(SESSION_READ + 4):
        client.get(url)


# --- Exports ------------------------------------------------------------------------------


def test_the_markdown_export_is_a_download_of_my_notes_only(
    client, group, session, handled, participants
):
    juliette, dragos = participants[:2]
    LogbookEntry.objects.create(
        author=juliette, group=group, session=session, subject=handled, text="Ma note de mars"
    )
    LogbookEntry.objects.create(author=juliette, group=group, text="Ma note libre")
    LogbookEntry.objects.create(author=dragos, group=group, session=session, text="SENTINELLE")
    Action.objects.create(subject=handled, session=session, owner=juliette, text="Écrire la grille")
    client.force_login(juliette)
    response = client.get(reverse("logbook_markdown", args=[group.pk]))
    assert response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"] == 'attachment; filename="carnet-pairs-produit.md"'
    text = response.content.decode()
    assert text.startswith("# Mon carnet de bord — Pairs produit")
    assert "## Séance de mars" in text and "Ma note de mars" in text
    assert "[à faire] Écrire la grille" in text and "Ma note libre" in text
    assert "SENTINELLE" not in text


def test_the_json_export_is_a_download_of_my_notes_only(
    client, group, session, handled, participants
):
    juliette, dragos = participants[:2]
    LogbookEntry.objects.create(
        author=juliette, group=group, session=session, subject=handled, text="Ma note de mars"
    )
    LogbookEntry.objects.create(author=juliette, group=group, text="Ma note libre")
    LogbookEntry.objects.create(author=dragos, group=group, session=session, text="SENTINELLE")
    Action.objects.create(subject=handled, session=session, owner=juliette, text="Écrire la grille")
    client.force_login(juliette)
    response = client.get(reverse("logbook_json", args=[group.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="carnet-pairs-produit.json"'
    assert "SENTINELLE" not in response.content.decode()
    data = json.loads(response.content)
    (march,) = data["sessions"]
    assert march["title"] == "Séance de mars"
    assert [(n["subject"], n["text"]) for n in march["notes"]] == [
        ("recrutement", "Ma note de mars")
    ]
    assert [(a["text"], a["status"]) for a in march["actions"]] == [("Écrire la grille", "todo")]
    assert [n["text"] for n in data["notes_without_session"]] == ["Ma note libre"]


# --- The live page's « Mon carnet » panel ----------------------------------------------------


def test_the_live_page_loads_my_carnet_panel_outside_the_live_region(client, session, participant):
    client.force_login(participant)
    page = client.get(reverse("session_page", args=[session.pk])).content.decode()
    panel = f'hx-get="{reverse("session_logbook", args=[session.pk])}"'
    assert panel in page
    # Outside the live region: no update of #live replaces it, none carries it.
    live_region = client.get(reverse("session_live", args=[session.pk])).content.decode()
    assert 'id="live"' in live_region and "carnet" not in live_region


def test_a_note_written_during_the_session_is_tied_to_the_session_and_the_subject(
    client, session, handled, participant
):
    client.force_login(participant)
    response = autosave(client, session, "Penser au binôme")
    assert response.status_code == 200
    entry = LogbookEntry.objects.get()
    assert (entry.author, entry.group, entry.session, entry.subject) == (
        participant,
        session.group,
        session,
        handled,
    )
    body = response.content.decode()
    assert "Enregistré" in body and f'value="{entry.pk}" hx-swap-oob="true"' in body


def test_autosave_creates_one_note_then_updates_it(client, session, handled, participant):
    client.force_login(participant)
    autosave(client, session, "Penser")
    entry = LogbookEntry.objects.get()
    autosave(client, session, "Penser au binôme", entry=entry.pk)
    autosave(client, session, "Penser au binôme, lundi", entry=entry.pk)
    entry.refresh_from_db()
    assert LogbookEntry.objects.count() == 1 and entry.text == "Penser au binôme, lundi"
    # Reloading the page brings the same note back into the panel.
    panel = client.get(reverse("session_logbook", args=[session.pk])).content.decode()
    assert "Penser au binôme, lundi" in panel and f'value="{entry.pk}"' in panel
    assert "«\u00a0recrutement\u00a0»" in panel
    # « Nouvelle note » starts another one.
    blank = client.get(reverse("session_logbook", args=[session.pk]) + "?new=1").content.decode()
    assert "Penser au binôme" not in blank
    autosave(client, session, "Une autre idée")
    assert LogbookEntry.objects.count() == 2


def test_a_note_between_subjects_is_tied_to_the_session_only(client, session, participant):
    client.force_login(participant)
    autosave(client, session, "Avant de commencer")
    entry = LogbookEntry.objects.get()
    assert entry.session == session and entry.subject is None


def test_an_empty_autosave_keeps_nothing(client, session, participant):
    client.force_login(participant)
    response = autosave(client, session, "")
    assert response.status_code == 200 and "Enregistré" not in response.content.decode()
    assert not LogbookEntry.objects.exists()


def test_a_note_is_never_broadcast(
    client, session, handled, participant, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    version = session.version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        autosave(client, session, "Rien pour les autres")
        entry = LogbookEntry.objects.get()
        autosave(client, session, "Toujours rien pour les autres", entry=entry.pk)
    assert callbacks == []  # nothing sent to the channel layer, nothing for the live page
    session.refresh_from_db()
    assert session.version == version


def test_without_htmx_the_panel_saves_and_returns_to_the_session(client, session, participant):
    client.force_login(participant)
    response = client.post(reverse("session_logbook", args=[session.pk]), {"text": "Sans JS"})
    assert response.status_code == 302
    assert response["Location"] == reverse("session_page", args=[session.pk])
    assert LogbookEntry.objects.get().text == "Sans JS"


def test_only_members_write_in_the_panel_of_a_session(
    client, session, outsider, other_group_member, removed_member
):
    url = reverse("session_logbook", args=[session.pk])
    assert client.post(url, {"text": "x"}, **HTMX)["Location"].startswith(reverse("login"))
    for person in (outsider, other_group_member, removed_member):
        client.force_login(person)
        assert client.post(url, {"text": "x"}, **HTMX).status_code == 404
    assert not LogbookEntry.objects.exists()


# --- What the client brought home from a codev session, in the carnet's downloads --------------


@pytest.fixture
def codev_done(codev_session, facilitator, participants):
    from .codev_story import play

    play(codev_session, facilitator, participants)
    juliette, dragos = participants[:2]
    action = Action.objects.get(text="ACTION-PARLER à Paul")
    from sessions_app.actions.cycle import do_follow_up

    do_follow_up(action, status="doing", note="POINT-CLIENT rendez-vous pris", review_on=None)
    LogbookEntry.objects.create(author=dragos, group=codev_session.group,
                                session=codev_session, text="CARNET-DRAGOS")
    return codev_session


CLIENT_WROTE = ("CONTRAT-CLIENT Aidez-moi à déléguer le reporting",
                "SYNTHESE-CLIENT je lâche le reporting",
                "SIGNE-CLIENT Paul fait le reporting de janvier",
                "POINT-CLIENT rendez-vous pris", "NOTE-CLIENT dès lundi")


def test_the_carnet_downloads_hold_the_clients_contract_synthesis_kept_ideas_and_history(
    client, codev_done, participants
):
    client.force_login(participants[0])
    group_pk = codev_done.group_id
    data = client.get(reverse("logbook_json", args=[group_pk])).json()
    (page,) = [s for s in data["sessions"] if s["id"] == codev_done.pk]
    assert page["subjects"] == [{
        "subject": "délégation",
        "request": "CONTRAT-CLIENT Aidez-moi à déléguer le reporting",
        "synthesis": "SYNTHESE-CLIENT je lâche le reporting",
        "kept": [{"text": "IDEE-DRAGOS un tableau de délégation",
                  "note": "NOTE-CLIENT dès lundi"},
                 {"text": "IDEE-PAUL déléguer à Paul", "note": ""}],
    }]
    talk = next(a for a in page["actions"] if a["text"] == "ACTION-PARLER à Paul")
    assert talk["sign"] == "SIGNE-CLIENT Paul fait le reporting de janvier"
    assert [(h["session"], h["status"], h["note"]) for h in talk["history"]] == [
        (None, "doing", "POINT-CLIENT rendez-vous pris")
    ]
    text = client.get(reverse("logbook_markdown", args=[group_pk])).content.decode()
    for said in (*CLIENT_WROTE, "IDEE-DRAGOS un tableau de délégation", "Mon sujet"):
        assert said in text, said
    # Not an idea she did not keep, nor who said the ones she kept.
    for other in ("IDEE-AMINA", "Dragos", "Paul ·"):
        assert other not in text and other not in json.dumps(data), other


def test_a_consultants_carnet_holds_nothing_of_the_clients(client, codev_done, participants):
    client.force_login(participants[1])
    group_pk = codev_done.group_id
    for name in ("logbook_json", "logbook_markdown"):
        text = client.get(reverse(name, args=[group_pk])).content.decode()
        assert "CARNET-DRAGOS" in text
        for hers in (*CLIENT_WROTE, "IDEE-", "délégation"):
            assert hers not in text, (name, hers)
