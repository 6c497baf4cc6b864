"""The private logbook (carnet de bord): readable by its author only."""

from django.utils import timezone

from participants.models import LogbookEntry, Membership


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


def test_a_removed_member_no_longer_opens_their_logbook(client, group, participant):
    LogbookEntry.objects.create(author=participant, group=group, text="note")
    Membership.objects.filter(user=participant, group=group).update(removed_at=timezone.now())
    client.force_login(participant)
    assert client.get(f"/g/{group.pk}/logbook/").status_code == 404
