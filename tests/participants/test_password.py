"""The password page is a door to the whole account: once a password is set, it confirms
who you are before a download or an erasure. So choosing one asks for a recent sign-in,
changing one asks for the current password (or a recent sign-in), and the person is told
by e-mail either way."""

import pytest
from django.core import mail
from django.urls import reverse

from participants import reauth
from participants.models import User

NEW = "Trois-petits-chats-2026"
OLD = "Le-vieux-mot-de-passe-1"
NOW = 1_800_000_000.0


@pytest.fixture
def clock(monkeypatch):
    """The re-authentication clock, stopped at NOW."""
    monkeypatch.setattr(reauth, "now", lambda: NOW)
    return NOW


def signed_in_at(client, when: float) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = when
    session.save()


def choose(client, password=NEW, **extra):
    return client.post(
        reverse("password"), {"new_password1": password, "new_password2": password, **extra}
    )


def test_a_session_signed_in_hours_ago_cannot_set_a_password_then_take_the_account(
    client, participant, clock, django_capture_on_commit_callbacks
):
    """The whole chain of the attack: no password set, so no identity confirmed with it,
    so no download and no erasure."""
    client.force_login(participant)
    signed_in_at(client, NOW - 3 * 3600)
    page = client.get(reverse("password"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("confirm_identity"))
    assert "next=%2Faccount%2Fpassword%2F" in page["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("confirm_identity"))
    assert not User.objects.get(pk=participant.pk).has_usable_password()
    assert mail.outbox == []
    confirm = client.post(
        reverse("confirm_identity"), {"password": NEW, "next": reverse("my_data_json")}
    )
    assert confirm.status_code == 200  # not sent on to the download
    download = client.get(reverse("my_data_json"))
    assert download.status_code == 302
    assert download["Location"].startswith(reverse("confirm_identity"))
    erase = client.post(reverse("erase_account"), {"confirm": participant.email})
    assert erase["Location"].startswith(reverse("confirm_identity"))
    assert User.objects.get(pk=participant.pk).is_active


def test_the_confirm_page_reached_from_the_password_page_can_send_a_link(client, participant):
    client.force_login(participant)
    signed_in_at(client, 0)
    page = client.get(reverse("password"), follow=True).content.decode()
    assert "Recevoir un lien de confirmation par e-mail" in page
    assert 'name="next" value="/account/password/"' in page


def test_a_recent_sign_in_chooses_a_password_and_the_person_is_told_by_email(
    client, participant, clock, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    signed_in_at(client, NOW - 60)
    assert "old_password" not in client.get(reverse("password")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client)
    assert response.status_code == 302
    assert User.objects.get(pk=participant.pk).check_password(NEW)
    [message] = mail.outbox
    assert message.to == [participant.email]
    assert "mot de passe" in message.subject.lower()
    assert "Pairs produit" not in f"{message.subject} {message.body}"
    assert NEW not in message.body
    # Still signed in on this page: the new password does not sign its own session out.
    assert client.get(reverse("account")).status_code == 200


def test_the_email_follows_the_language_of_the_page(
    client, participant, settings, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        choose(client)
    [message] = mail.outbox
    assert "password" in message.subject.lower() and "mot de passe" not in message.body


def test_an_old_session_changes_an_existing_password_only_with_the_current_one(
    client, participant, clock, django_capture_on_commit_callbacks
):
    participant.set_password(OLD)
    participant.save()
    client.force_login(participant)
    signed_in_at(client, NOW - 3 * 3600)
    page = client.get(reverse("password"))
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        missing = choose(client)
        wrong = choose(client, old_password="pas le bon")
    assert missing.status_code == wrong.status_code == 200
    assert "errorlist" in wrong.content.decode()
    assert User.objects.get(pk=participant.pk).check_password(OLD)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        right = choose(client, old_password=OLD)
    assert right.status_code == 302
    assert User.objects.get(pk=participant.pk).check_password(NEW)
    assert [m.to for m in mail.outbox] == [[participant.email]]


def test_wrong_current_passwords_count_towards_the_lock_out(
    client, participant, clock, settings
):
    """The current password typed here is a sign-in attempt: a stolen session cannot try
    passwords one after the other."""
    participant.set_password(OLD)
    participant.save()
    client.force_login(participant)
    signed_in_at(client, NOW - 3 * 3600)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        choose(client, old_password="faux")
    choose(client, old_password=OLD)
    assert User.objects.get(pk=participant.pk).check_password(OLD)


@pytest.mark.parametrize(
    ("age", "allowed"),
    [
        (0, True),
        (599, True),
        (600, True),  # exactly ten minutes
        (601, False),
        (3 * 3600, False),
        (-1, False),  # a sign-in dated in the future was not written by us
        (-3600, False),
    ],
)
def test_a_recent_sign_in_is_ten_minutes_no_more_and_never_in_the_future(
    client, participant, clock, age, allowed
):
    client.force_login(participant)
    signed_in_at(client, NOW - age)
    for name in ("password", "my_data", "erase_account"):
        response = client.get(reverse(name))
        assert (response.status_code == 200) is allowed, name
        if not allowed:
            assert response["Location"].startswith(reverse("confirm_identity")), name


def test_signing_in_dates_the_session(client, participant, clock):
    """The receiver that dates each sign-in is connected (it moved to participants)."""
    client.force_login(participant)
    assert client.session[reauth.SESSION_KEY] == NOW


def test_the_privacy_page_says_what_a_password_change_asks_and_tells(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "Choisir ou changer votre mot de passe demande aussi d’avoir confirmé" in page
    assert "un e-mail vous prévient de chaque changement" in page
