"""Signing in: e-mailed single-use links, optional password, throttling, session rotation."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from participants.models import LoginLink

LINK = re.compile(r"https?://\S+/login/link/([\w-]+)/")


def ask_link(client, email, capture):
    with capture(execute=True):
        return client.post("/login/", {"email": email})


def test_a_link_is_mailed_to_a_known_address_only_and_the_answer_is_the_same(
    client, participant, django_capture_on_commit_callbacks
):
    known = ask_link(client, participant.email, django_capture_on_commit_callbacks)
    unknown = ask_link(client, "nobody@example.org", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert client.get("/login/").content.decode().count("Si cette adresse est connue") >= 1


def test_the_link_signs_in_once_on_post_and_rotates_the_session(
    client, participant, django_capture_on_commit_callbacks
):
    ask_link(client, participant.email, django_capture_on_commit_callbacks)
    token = LINK.search(str(mail.outbox[-1].body)).group(1)
    assert LoginLink.objects.get().token_sha256 != token
    assert client.get(f"/login/link/{token}/").status_code == 200  # a scanner's GET
    assert client.get("/").status_code == 302  # still anonymous
    client.get("/login/")
    before = client.session.session_key
    response = client.post(f"/login/link/{token}/")
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
    client.post("/logout/")
    response = client.post(f"/login/link/{token}/")
    assert response.status_code in (404, 410)
    assert "ne fonctionne plus" in response.content.decode()


def test_an_expired_link_is_refused(client, participant):
    token = LoginLink.issue(participant)
    LoginLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/login/link/{token}/")
    assert response.status_code == 410
    assert client.get("/").status_code == 302


def test_login_links_are_short_lived(participant):
    LoginLink.issue(participant)
    link = LoginLink.objects.get()
    assert link.expires_at - link.created_at <= timedelta(minutes=10)


def test_a_password_is_optional_and_hashed_with_argon2(client, participant):
    client.force_login(participant)
    response = client.post(
        "/account/password/",
        {"new_password1": "Trois-petits-chats-2026", "new_password2": "Trois-petits-chats-2026"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.password.startswith("argon2$")
    client.post("/logout/")
    response = client.post(
        "/login/", {"email": participant.email, "password": "Trois-petits-chats-2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_weak_password_is_refused_with_a_reason(client, participant):
    client.force_login(participant)
    response = client.post("/account/password/", {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_repeated_wrong_passwords_lock_out_for_a_while(client, participant, settings):
    participant.set_password("Le-bon-mot-de-passe-1")
    participant.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"email": participant.email, "password": "faux"})
    response = client.post(
        "/login/", {"email": participant.email, "password": "Le-bon-mot-de-passe-1"}
    )
    assert response.status_code in (200, 403, 429)
    assert client.get("/").status_code == 302  # not signed in, even with the right password
    assert settings.AXES_COOLOFF_TIME  # a lock-out ends by itself


def test_logging_out_closes_open_live_pages(
    client, participant, django_capture_on_commit_callbacks, heard_by_open_pages
):
    client.force_login(participant)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post("/logout/")
    assert heard_by_open_pages(participant, callbacks) == {
        "type": "access.revoked",
        "group_id": None,
    }


def test_logging_out_when_signed_out_sends_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/logout/")
    assert response.status_code == 302
    assert callbacks == []


def test_a_slow_mail_server_never_blocks_the_page(
    client, participant, settings, caplog, django_capture_on_commit_callbacks
):
    """An SMTP server that accepts the connection and never answers: the page returns at
    once, the mail thread gives up after EMAIL_TIMEOUT and logs an error without the link."""
    import logging
    import socket
    import time

    silent = socket.socket()
    silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    silent.bind(("127.0.0.1", 8851))
    silent.listen(5)  # the handshake completes in the backlog; no greeting ever comes
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 8851, 1
    caplog.set_level(logging.ERROR, logger="participants.emails")
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/login/", {"email": participant.email})
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 0.8, f"the page waited {elapsed:.2f}s for the mail server"
        deadline = time.monotonic() + 5
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        silent.close()
    assert caplog.records, "the failed delivery was not logged"
    message = caplog.records[0].getMessage()
    assert "could not be sent" in message and "/login/link/" not in message


def test_a_used_link_and_one_that_never_existed_get_the_same_answer(client, participant):
    from participants.models import LoginLink

    token = LoginLink.issue(participant)
    client.post(f"/login/link/{token}/")
    client.logout()
    used = client.get(f"/login/link/{token}/")
    unknown = client.get("/login/link/jamais-emis-ce-lien-la-0123456789abcdef/")
    assert used.status_code == unknown.status_code == 410
    def main(response):  # the page's own part: the header carries a fresh CSRF token
        return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]

    assert main(used) == main(unknown)
    assert "Ce lien a déjà servi ou a expiré" in main(used)
