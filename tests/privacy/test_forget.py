"""Erasing a person: their texts leave every table and every copy in the event log; what
others wrote stays; the group's counts still add up."""

import pytest
from django.core import mail
from django.urls import reverse

from participants.models import Application, Group, LoginLink, Membership, User
from privacy import actions
from sessions_app import flow
from sessions_app.models import Action, Contribution, Event, Registration, Session, Subject

from .conftest import tables_holding

# DICTEE-DRAGOS: what the facilitator typed during Dragos's turn, his words.
DRAGOS_WROTE = ("QUESTION-DRAGOS", "DICTEE-DRAGOS", "REACTION-DRAGOS", "SUJET-DRAGOS",
                "CARNET-DRAGOS")
# RETOUR-JULIETTE: her report back on her action, at the next session; POINT-JULIETTE: where
# it stood, written on its page between the sessions; SIGNE-JULIETTE: its sign of success.
OTHERS_WROTE = ("SUJET-JULIETTE", "EXPOSE-JULIETTE", "REACTION-AMINA", "NOTE-JULIETTE",
                "ACTION-JULIETTE", "RETOUR-JULIETTE", "CARNET-JULIETTE", "SIGNE-JULIETTE",
                "POINT-JULIETTE")


def test_the_history_does_hold_every_text_before_anything_is_erased(history):
    for text in DRAGOS_WROTE + OTHERS_WROTE:
        assert tables_holding(text), text
    # The event log holds copies: erasing the rows alone would not be enough.
    assert "Event" in tables_holding("QUESTION-DRAGOS")
    assert "Event" in tables_holding("SUJET-DRAGOS")
    # ... the facilitator's command typed for Dragos, and the report back in the later
    # session's state: copies only ``flow.scrub_event`` and ``flow.scrub_state`` reach.
    assert "Event" in tables_holding("DICTEE-DRAGOS")
    assert {"Session", "Event", "Action", "ActionReport"} <= set(
        tables_holding("RETOUR-JULIETTE")
    )
    # The sign of success rides in the state and the event log too; the update between the
    # sessions is in the action's history, and in the next session's state (its plans).
    assert {"Session", "Event", "Action"} <= set(tables_holding("SIGNE-JULIETTE"))
    assert {"Session", "Event", "ActionReport"} <= set(tables_holding("POINT-JULIETTE"))


def test_an_erased_account_leaves_nothing_it_wrote_nor_its_name_or_address(
    history, participants
):
    dragos = participants[1]
    counts = (Contribution.objects.count(), Subject.objects.count(), Event.objects.count())
    email = actions.do_erase_account(dragos)
    assert email == "dragos@example.org"
    for text in DRAGOS_WROTE + ("dragos@example.org", "Dragos"):
        assert tables_holding(text) == [], text
    for text in OTHERS_WROTE:
        assert tables_holding(text), text
    # The rows stay, emptied: what the group counts still adds up.
    assert (Contribution.objects.count(), Subject.objects.count(), Event.objects.count()) == counts
    erased = User.objects.get(pk=dragos.pk)
    assert erased.name == "un·e ancien·ne membre"
    assert not erased.is_active and not erased.has_usable_password()
    assert not Membership.objects.active().filter(user=erased).exists()
    # His waiting subject leaves the backlog.
    assert Subject.objects.get(owner=erased).status == "withdrawn"


def test_the_owner_still_finds_what_she_received_from_an_erased_member(
    client, history, participants
):
    juliette, dragos = participants[0], participants[1]
    actions.do_erase_account(dragos)
    client.force_login(juliette)
    page = client.get(reverse("session_takeaway", args=[history.pk])).content.decode()
    assert "REACTION-AMINA" in page and "NOTE-JULIETTE" in page
    assert "un·e ancien·ne membre" in page
    assert "Dragos" not in page and "REACTION-DRAGOS" not in page


def test_an_erased_member_frees_their_seat_at_a_coming_session(group, participants):
    from datetime import timedelta

    from django.utils import timezone

    coming = Session.objects.create(
        group=group, format="intervision", scheduled_at=timezone.now() + timedelta(days=3)
    )
    Registration.objects.create(session=coming, user=participants[1])
    actions.do_erase_account(participants[1])
    assert not Registration.objects.filter(session=coming).exists()


def test_the_last_organiser_of_a_group_with_members_must_hand_over_first(
    group, organiser, participants
):
    with pytest.raises(actions.HandOverFirst):
        actions.do_erase_account(organiser)
    assert User.objects.get(pk=organiser.pk).email == "olga@example.org"


def test_a_group_with_nobody_else_closes_with_its_only_member(db):
    alone = User.objects.create_user("seule@example.org")
    group = Group.objects.create(name="Groupe solitaire")
    Membership.objects.create(group=group, user=alone, role=Membership.ORGANISER)
    actions.do_erase_account(alone)
    assert not Group.objects.filter(pk=group.pk).exists()


def test_an_organiser_erases_a_members_content_in_the_group_only(history, participants):
    dragos = participants[1]
    actions.do_erase_content(dragos, [history.group_id])
    for text in ("QUESTION-DRAGOS", "DICTEE-DRAGOS", "REACTION-DRAGOS", "SUJET-DRAGOS"):
        assert tables_holding(text) == [], text
    # Their carnet is theirs: an organiser's erasure does not reach it; the account stays.
    assert tables_holding("CARNET-DRAGOS") == ["LogbookEntry"]
    assert User.objects.get(pk=dragos.pk).is_active
    assert Membership.objects.active().filter(user=dragos).exists()


def test_erasing_an_owner_empties_their_panier_notes_and_plan_everywhere(
    history, participants
):
    juliette = participants[0]
    actions.do_erase_content(juliette)
    for text in ("SUJET-JULIETTE", "EXPOSE-JULIETTE", "NOTE-JULIETTE", "ACTION-JULIETTE",
                 "RETOUR-JULIETTE", "SIGNE-JULIETTE", "POINT-JULIETTE"):
        assert tables_holding(text) == [], text
    # What Amina said to her is Amina's: it stays.
    assert tables_holding("REACTION-AMINA")
    assert Action.objects.get(owner=juliette).text == flow.ERASED_KEYWORD


# --- The pages ------------------------------------------------------------------------------


def test_erasing_needs_a_recent_sign_in(client, participants):
    client.force_login(participants[1])
    session = client.session
    session["privacy_signed_in_at"] = 0  # signed in long ago
    session.save()
    response = client.get(reverse("erase_account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("confirm_identity"))


def test_a_password_confirms_who_you_are(client, participants):
    dragos = participants[1]
    dragos.set_password("un mot de passe solide 42")
    dragos.save()
    client.force_login(dragos)
    session = client.session
    session["privacy_signed_in_at"] = 0
    session.save()
    url = reverse("confirm_identity") + "?next=" + reverse("erase_account")
    wrong = client.post(url, {"password": "pas le bon", "next": reverse("erase_account")})
    assert "Ce n’est pas le bon mot de passe." in wrong.content.decode()
    right = client.post(url, {"password": "un mot de passe solide 42",
                              "next": reverse("erase_account")})
    assert right["Location"] == reverse("erase_account")
    assert client.get(reverse("erase_account")).status_code == 200


def test_without_a_password_an_emailed_link_confirms_and_comes_back(
    client, participants, django_capture_on_commit_callbacks
):
    dragos = participants[1]
    client.force_login(dragos)
    session = client.session
    session["privacy_signed_in_at"] = 0
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("confirm_identity"), {"send_link": "1", "next": reverse("my_data")}
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dragos@example.org"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/login/link/" in line)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    token_path = "/" + path.split("?")[0]
    response = client.post(token_path, {"next": reverse("my_data")})
    assert response["Location"] == reverse("my_data")
    assert client.get(reverse("my_data")).status_code == 200
    assert LoginLink.objects.filter(user=dragos, used_at__isnull=False).count() == 1


def test_a_mistyped_confirmation_erases_nothing(client, history, participants):
    dragos = participants[1]
    client.force_login(dragos)
    response = client.post(reverse("erase_account"), {"confirm": "juliette@example.org"})
    assert response.status_code == 200
    assert "Ce n’est pas l’adresse de votre compte" in response.content.decode()
    assert "juliette@example.org" in response.content.decode()  # what was typed is kept
    assert tables_holding("QUESTION-DRAGOS")
    assert User.objects.get(pk=dragos.pk).is_active


def test_erasing_from_the_page_signs_out_and_confirms_by_email(
    client, history, participants, django_capture_on_commit_callbacks
):
    dragos = participants[1]
    client.force_login(dragos)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("erase_account"), {"confirm": " Dragos@Example.org "})
    assert response["Location"] == reverse("privacy")
    assert tables_holding("QUESTION-DRAGOS") == []
    assert [m.to for m in mail.outbox] == [["dragos@example.org"]]
    body = f"{mail.outbox[0].subject}\n{mail.outbox[0].body}"
    assert "effacé" in body and "Pairs produit" not in body
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_last_organiser_is_told_to_hand_over(client, group, organiser, participants):
    client.force_login(organiser)
    page = client.get(reverse("erase_account")).content.decode()
    assert "Confiez d’abord ce rôle" in page and "Pairs produit" in page
    client.post(reverse("erase_account"), {"confirm": "olga@example.org"})
    assert User.objects.get(pk=organiser.pk).is_active


def test_an_organiser_erases_a_members_content_from_the_members_page(
    client, history, organiser, participants
):
    dragos = participants[1]
    membership = Membership.objects.get(user=dragos, group=history.group)
    client.force_login(organiser)
    members = client.get(reverse("group_members", args=[history.group_id])).content.decode()
    url = reverse("member_erase", args=[history.group_id, membership.pk])
    assert url in members
    response = client.post(url, {"remove": "on"})
    assert response["Location"] == reverse("group_members", args=[history.group_id])
    assert tables_holding("REACTION-DRAGOS") == []
    assert Membership.objects.get(pk=membership.pk).removed_at is not None


def test_a_member_cannot_erase_someone_elses_content(client, history, participants):
    membership = Membership.objects.get(user=participants[1], group=history.group)
    client.force_login(participants[0])
    url = reverse("member_erase", args=[history.group_id, membership.pk])
    assert client.post(url, {}).status_code == 404
    assert tables_holding("REACTION-DRAGOS")


def test_open_pages_of_a_running_session_lose_the_erased_texts_at_once(
    session, facilitator, participants, django_capture_on_commit_callbacks
):
    import asyncio

    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer

    from sessions_app import live

    from .conftest import run

    juliette, dragos = participants[0], participants[1]
    for person in (juliette, dragos):
        run(session, person, "join")
    run(session, facilitator, "start")
    run(session, juliette, "propose", keyword="SUJET-JULIETTE")
    run(session, dragos, "propose", keyword="SUJET-DRAGOS")
    with django_capture_on_commit_callbacks() as callbacks:
        actions.do_erase_content(dragos)

    async def heard():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(live.group_name(session.pk), channel)
        try:
            for callback in callbacks:
                await sync_to_async(callback)()
            return await asyncio.wait_for(layer.receive(channel), 2)
        finally:
            await layer.group_discard(live.group_name(session.pk), channel)

    message = async_to_sync(heard)()
    keywords = [s["keyword"] for s in message["snapshot"]["state"]["subjects"]]
    assert "SUJET-JULIETTE" in keywords and "SUJET-DRAGOS" not in keywords
    assert flow.ERASED_KEYWORD in keywords


def test_an_organisers_erasure_empties_the_members_answers_to_join_in_that_group_only(
    history, participants, other_group_member
):
    """What Dragos answered to join (the eligibility questions, on his membership and on
    his application) is his writing too."""
    dragos = participants[1]
    other = Group.objects.exclude(pk=history.group_id).get()
    Membership.objects.create(
        group=other, user=dragos,
        eligibility_answers=[{"question": "Métier ?", "answer": "AILLEURS-DRAGOS"}],
    )
    Membership.objects.filter(user=dragos, group=history.group).update(
        eligibility_answers=[{"question": "Métier ?", "answer": "ÉLIGIBILITÉ-DRAGOS"}]
    )
    for group, answer in ((history.group, "CANDIDATURE-DRAGOS"), (other, "AUTRE-CANDIDATURE")):
        Application.objects.create(
            group=group, name="Dragos", email="Dragos@example.org",
            answers=[{"question": "Pourquoi ?", "answer": answer}],
            status=Application.APPROVED,
        )
    actions.do_erase_content(dragos, [history.group_id])
    assert tables_holding("ÉLIGIBILITÉ-DRAGOS") == []
    assert tables_holding("CANDIDATURE-DRAGOS") == []
    # His answers to another group stay: the organiser acted for hers only.
    assert tables_holding("AILLEURS-DRAGOS") == ["Membership"]
    assert tables_holding("AUTRE-CANDIDATURE") == ["Application"]


def test_the_pages_say_that_the_answers_to_join_are_erased_too(
    client, history, organiser, participants
):
    membership = Membership.objects.get(user=participants[1], group=history.group)
    client.force_login(organiser)
    page = client.get(reverse("member_erase", args=[history.group_id, membership.pk]))
    assert "réponses aux questions pour rejoindre le groupe" in page.content.decode()
    privacy = client.get(reverse("privacy")).content.decode()
    assert "y compris vos réponses aux questions posées pour le rejoindre" in privacy
