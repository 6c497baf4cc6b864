"""Signing in: e-mailed single-use links, optional password, throttling, session rotation."""

import re
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
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
    from axes.models import AccessAttempt

    def sign_in(password):
        return client.post("/login/", {"email": participant.email, "password": password})

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = sign_in("faux")
        assert wrong.status_code == 200
        assert "Adresse ou mot de passe incorrect." in wrong.content.decode()
    assert sign_in("faux").status_code == 429  # the one that locks
    locked = sign_in("Le-bon-mot-de-passe-1")
    assert locked.status_code == 429
    assert "Trop d’essais\u00a0: réessayez dans quelques minutes" in locked.content.decode()
    assert client.get("/").status_code == 302  # not signed in, even with the right password

    # For a while only: once the cool-off has passed, the right password signs in.
    cooloff = timedelta(hours=settings.AXES_COOLOFF_TIME)
    assert cooloff == timedelta(minutes=15)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cooloff + timedelta(minutes=1))
    assert sign_in("Le-bon-mot-de-passe-1").status_code == 429  # a minute early: not yet
    AccessAttempt.objects.update(attempt_time=timezone.now() - cooloff - timedelta(seconds=1))
    assert sign_in("Le-bon-mot-de-passe-1").status_code == 302
    assert client.get("/").status_code == 200


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
    client, participant, settings, django_capture_on_commit_callbacks
):
    """An SMTP server that accepts the connection and never answers: the page returns at
    once, the mail thread gives up after EMAIL_TIMEOUT and logs an error without the link."""
    import logging
    import socket
    import threading
    import time

    records, logged = [], threading.Event()

    class Heard(logging.Handler):
        def emit(self, record):
            records.append(record)
            logged.set()

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))  # a port the kernel gives: nothing else answers there
    silent.listen(5)  # the handshake completes in the backlog; no greeting ever comes
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
    settings.EMAIL_TIMEOUT = 3
    heard = Heard(logging.ERROR)
    logger = logging.getLogger("participants.emails")
    logger.addHandler(heard)
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/login/", {"email": participant.email})
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        # The page came back while the mail was still waiting for the server: had it
        # waited, the failure would already be logged.
        assert not logged.is_set(), f"the page waited {elapsed:.2f}s for the mail server"
        assert elapsed < settings.EMAIL_TIMEOUT
        assert logged.wait(15), "the failed delivery was not logged"
    finally:
        logger.removeHandler(heard)
        silent.close()
    message = records[0].getMessage()
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


LOCKED_OUT = {
    "fr": "Trop d’essais\u00a0: réessayez dans quelques minutes, ou demandez un lien par e-mail.",
    "en": "Too many attempts: try again in a few minutes, or ask for a link by e-mail.",
}
AXES_OWN = ("Compte verrouillé", "Account locked", "trop de tentatives")


def locked_out_sign_in(client, person, settings, post=None):
    """Wrong passwords up to the limit, then the right one: the answer to that one."""
    person.set_password("Le-bon-mot-de-passe-1")
    person.save()
    post = post or client.post
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post("/login/", {"email": person.email, "password": "faux"})
    return post("/login/", {"email": person.email, "password": "Le-bon-mot-de-passe-1"})


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_locked_out_sign_in_gets_the_sign_in_page_saying_why_in_its_language(
    client, participant, settings, language
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    locked = locked_out_sign_in(client, participant, settings)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT[language] in page
    assert not [words for words in AXES_OWN if words in page]
    # The app's own page, in the page's language, its form ready to ask for a link.
    assert f'<html lang="{language}"' in page
    assert 'name="email"' in page and f'value="{participant.email}"' in page


def test_a_locked_out_sign_in_gets_the_same_page_from_the_server_daphne_runs(
    async_client, participant, settings
):
    """Through the ASGI handler, as in production: Axes calls its lock-out hook otherwise
    there."""
    locked = locked_out_sign_in(
        async_client, participant, settings, post=async_to_sync(async_client.post)
    )
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT["fr"] in page
    assert not [words for words in AXES_OWN if words in page]
    assert 'name="email"' in page


def test_a_locked_out_change_of_password_keeps_the_password_page_saying_why(
    client, participant, settings
):
    from participants import reauth

    participant.set_password("Le-bon-mot-de-passe-1")
    participant.save()
    client.force_login(participant)
    session = client.session
    session[reauth.SESSION_KEY] = 0.0  # signed in long ago: the current password is asked
    session.save()
    new = {"new_password1": "Trois-petits-chats-2026", "new_password2": "Trois-petits-chats-2026"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/account/password/", {"old_password": "faux", **new})
    locked = client.post("/account/password/", {"old_password": "Le-bon-mot-de-passe-1", **new})
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT["fr"] in page and 'name="old_password"' in page
    assert not [words for words in AXES_OWN if words in page]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_any_other_locked_out_sign_in_gets_a_page_of_the_app_saying_why(
    client, participant, settings, language
):
    """The admin's sign-in, say: no page of ours to keep, a page of ours all the same."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    participant.set_password("Le-bon-mot-de-passe-1")
    participant.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": participant.email, "password": "faux"})
    locked = client.post(
        "/admin/login/", {"username": participant.email, "password": "Le-bon-mot-de-passe-1"}
    )
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCKED_OUT[language] in page and f'<html lang="{language}"' in page
    assert not [words for words in AXES_OWN if words in page]
