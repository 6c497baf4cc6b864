"""Invitations by e-mail: one per recipient, hashed, single use, expiring, revocable;
GET shows, POST consumes; accepting creates the account, asks the questions, then the charter."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from participants.models import Invitation, Membership, User, hash_token

LINK = re.compile(r"https?://\S+/invite/([\w-]+)/")


def invite(client, organiser, group, emails, capture):
    client.force_login(organiser)
    with capture(execute=True):
        response = client.post(f"/g/{group.pk}/invitations/", {"emails": emails})
    return response


def token_from(message):
    return LINK.search(message.body).group(1)


def accept_data(group, **extra):
    data = {"display_name": "Nina", "accept_charter": "on"}
    for i, _question in enumerate(group.eligibility_questions()):
        data[f"answer_{i}"] = f"réponse {i}"
    data.update(extra)
    return data


@pytest.fixture
def invited(client, organiser, group, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    invite(client, organiser, group, "nina@example.org", django_capture_on_commit_callbacks)
    client.logout()
    return token_from(mail.outbox[-1])


def test_each_recipient_gets_their_own_mail_and_link(
    client, organiser, group, django_capture_on_commit_callbacks
):
    response = invite(
        client,
        organiser,
        group,
        "a@example.org\nB@example.org, c@example.org",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"], ["c@example.org"]]
    tokens = {token_from(m) for m in mail.outbox}
    assert len(tokens) == 3
    stored = set(Invitation.objects.values_list("token_sha256", flat=True))
    assert stored == {hash_token(t) for t in tokens}
    assert not any(t in stored for t in tokens)  # only the hash is kept
    page = client.get(f"/g/{group.pk}/invitations/").content.decode()
    assert "a@example.org" in page and "en attente" in page


def test_bad_addresses_are_named_and_nothing_is_sent(
    client, organiser, group, django_capture_on_commit_callbacks
):
    response = invite(
        client,
        organiser,
        group,
        "ok@example.org\nnot-an-address",
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert "Adresse invalide : not-an-address" in response.content.decode()
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_opening_the_link_does_not_consume_it(client, group, invited):
    for _ in range(3):  # a mail scanner, a preview, the person
        response = client.get(f"/invite/{invited}/")
        assert response.status_code == 200
        assert "Rejoindre" in response.content.decode()
    assert Invitation.objects.get().used_at is None


def test_accepting_creates_the_account_signs_in_and_records_answers_and_charter(
    client, group, invited
):
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 302
    assert response["Location"] == f"/g/{group.pk}/"
    user = User.objects.get(email="nina@example.org")
    assert user.display_name == "Nina"
    assert not user.has_usable_password()  # passwordless unless chosen
    membership = Membership.objects.get(group=group, user=user)
    assert membership.role == Membership.MEMBER
    assert membership.charter_accepted_at is not None
    assert [a["answer"] for a in membership.eligibility_answers] == ["réponse 0", "réponse 1"]
    assert client.get(f"/g/{group.pk}/").status_code == 200  # signed in


def test_an_optional_password_is_hashed_with_argon2(client, group, invited):
    client.post(f"/invite/{invited}/", accept_data(group, password="un-long-secret-2026"))
    user = User.objects.get(email="nina@example.org")
    assert user.password.startswith("argon2")
    assert user.check_password("un-long-secret-2026")


def test_the_charter_and_questions_are_required(client, group, invited):
    response = client.post(f"/invite/{invited}/", {"display_name": "Nina"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Il faut accepter la charte pour rejoindre le groupe." in page
    assert "Merci de répondre à cette question." in page
    assert not User.objects.filter(email="nina@example.org").exists()
    assert Invitation.objects.get().used_at is None


def test_the_charter_is_prefilled_with_the_four_virtues(client, group, invited):
    page = client.get(f"/invite/{invited}/").content.decode()
    for virtue in ("Bienveillance", "Engagement", "Confidentialité", "Sincérité"):
        assert virtue in page


def test_a_used_link_says_so(client, group, invited):
    client.post(f"/invite/{invited}/", accept_data(group))
    client.logout()
    response = client.get(f"/invite/{invited}/")
    assert response.status_code == 410
    assert "déjà servi" in response.content.decode()
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 410
    assert Membership.objects.filter(user__email="nina@example.org").count() == 1


def test_an_expired_link_says_so(client, group, invited):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()


def test_invitations_expire_after_seven_days_by_default(invited):
    invitation = Invitation.objects.get()
    assert (
        timedelta(days=6, hours=23)
        < invitation.expires_at - invitation.created_at
        <= timedelta(days=7)
    )


def test_a_revoked_link_says_so(client, organiser, group, invited):
    client.force_login(organiser)
    invitation = Invitation.objects.get()
    response = client.post(f"/g/{group.pk}/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    response = client.get(f"/invite/{invited}/")
    assert response.status_code == 410
    assert "annulée" in response.content.decode()


def test_an_unknown_link_says_so(client, db):
    response = client.get("/invite/not-a-real-token/")
    assert response.status_code == 404
    assert "copié en entier" in response.content.decode()


def test_a_link_meant_for_someone_else_is_refused(client, group, invited, outsider):
    client.force_login(outsider)
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 403
    assert "destinée à quelqu’un d’autre" in response.content.decode()
    assert Invitation.objects.get().used_at is None
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_full_group_is_explained_and_the_link_stays_valid(
    client, group, invited, participants, organiser
):
    group.capacity = 5  # organiser + 4 participants
    group.save()
    response = client.get(f"/invite/{invited}/")
    assert "Le groupe est complet" in response.content.decode()
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 409
    assert "Le groupe est complet" in response.content.decode()
    assert Invitation.objects.get().used_at is None


def test_an_existing_account_joins_without_a_new_password(
    client, group, outsider, organiser, django_capture_on_commit_callbacks
):
    invite(client, organiser, group, outsider.email, django_capture_on_commit_callbacks)
    token = token_from(mail.outbox[-1])
    client.logout()
    page = client.get(f"/invite/{token}/").content.decode()
    assert 'name="password"' not in page
    data = accept_data(group)
    response = client.post(f"/invite/{token}/", data)
    assert response.status_code == 302
    assert Membership.objects.active().filter(group=group, user=outsider).exists()


def test_a_removed_member_can_be_invited_back(
    client, group, removed_member, organiser, django_capture_on_commit_callbacks
):
    invite(client, organiser, group, removed_member.email, django_capture_on_commit_callbacks)
    token = token_from(mail.outbox[-1])
    client.logout()
    response = client.post(f"/invite/{token}/", accept_data(group))
    assert response.status_code == 302
    assert Membership.objects.active().filter(group=group, user=removed_member).exists()


def test_inviting_is_refused_when_the_group_is_full(
    client, organiser, group, participants, django_capture_on_commit_callbacks
):
    group.capacity = 5
    group.save()
    response = invite(
        client, organiser, group, "late@example.org", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "Le groupe est complet" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["participant", "facilitator", "outsider", "removed_member"])
def test_only_organisers_see_and_send_invitations(client, group, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/g/{group.pk}/invitations/").status_code == 404
    assert (
        client.post(f"/g/{group.pk}/invitations/", {"emails": "x@example.org"}).status_code == 404
    )
    assert not Invitation.objects.exists()


def test_the_invitations_page_has_a_constant_number_of_queries(
    client, organiser, group, django_assert_max_num_queries
):
    from participants.models import Invitation as Inv

    for i in range(15):
        Inv.issue(group, f"p{i}@example.org", organiser)
    client.force_login(organiser)
    with django_assert_max_num_queries(8):
        assert client.get(f"/g/{group.pk}/invitations/").status_code == 200


def test_an_invitation_to_a_deactivated_account_is_refused_without_being_used(
    client, group, invited
):
    from participants.models import User as U

    U.objects.create_user("nina@example.org", is_active=False)
    response = client.post(f"/invite/{invited}/", accept_data(group))
    assert response.status_code == 404
    assert Invitation.objects.get().used_at is None


def test_accepting_rotates_the_session_key(client, group, invited, settings):
    session = client.session
    session["seen"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = client.session.session_key
    assert before
    client.post(f"/invite/{invited}/", accept_data(group))
    assert client.session.session_key != before
