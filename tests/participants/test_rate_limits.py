"""Sign-in links and applications are limited per client address, with a clear message."""

import logging
import time

import pytest
from django.core import mail

from participants.models import Application, LoginLink

LIMITED_LINK = "Trop de demandes de lien depuis votre connexion\u00a0: réessayez dans"
LIMITED_APPLY = "Trop de candidatures envoyées depuis votre connexion\u00a0: réessayez dans"


@pytest.fixture
def limits(settings):
    settings.LOGIN_LINK_RATE_LIMIT = "3/10m"
    settings.APPLICATION_RATE_LIMIT = "2/1h"
    return settings


@pytest.fixture
def open_group(group, organiser):
    group.applications_open = True
    group.save()
    return group


def later(monkeypatch, seconds):
    """The clock ``seconds`` ahead, for django-ratelimit's windows and the memory cache."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + seconds)


@pytest.fixture
def ask_link(client, django_capture_on_commit_callbacks):
    """ask_link(email, client address): the sign-in form's POST, mails sent on commit."""

    def ask(email, address):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/login/", {"email": email}, REMOTE_ADDR=address)

    return ask


@pytest.fixture
def apply(client, open_group, django_capture_on_commit_callbacks):
    """apply(client address, email): an application to the open group."""

    def send(address, email="camille@example.org"):
        data = {"name": "Camille", "email": email}
        for i, _q in enumerate(open_group.eligibility_questions()):
            data[f"answer_{i}"] = f"réponse {i} — à garder"
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/apply/{open_group.public_key}/", data, REMOTE_ADDR=address)

    return send


def test_sign_in_links_past_the_limit_are_refused_for_that_address_only(
    client, ask_link, participant, limits
):
    for _ in range(3):
        response = ask_link(participant.email, "203.0.113.7")
        assert response.status_code == 302
    assert len(mail.outbox) == 3

    refused = ask_link(participant.email, "203.0.113.7")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert LIMITED_LINK in page
    assert "min, ou connectez-vous avec votre mot de passe" in page
    assert f'value="{participant.email}"' in page  # what was typed is kept
    assert len(mail.outbox) == 3 and LoginLink.objects.count() == 3

    # The same refusal for an address nobody has: nothing tells them apart.
    unknown = ask_link("personne@example.org", "203.0.113.7")
    assert unknown.status_code == 429
    assert LIMITED_LINK in unknown.content.decode()

    # Another client address is not affected, nor is the password form.
    other = ask_link(participant.email, "198.51.100.20")
    assert other.status_code == 302
    assert len(mail.outbox) == 4
    password = client.post(
        "/login/", {"email": participant.email, "password": "faux"}, REMOTE_ADDR="203.0.113.7"
    )
    assert password.status_code == 200
    assert LIMITED_LINK not in password.content.decode()


def test_by_default_the_sixth_link_in_ten_minutes_is_refused(ask_link, participant, settings):
    assert settings.LOGIN_LINK_RATE_LIMIT == "5/10m"
    assert settings.APPLICATION_RATE_LIMIT == "5/1h"
    statuses = [ask_link(participant.email, "203.0.113.7").status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]


def test_the_sign_in_link_limit_renews_after_its_window(ask_link, participant, limits, monkeypatch):
    for _ in range(3):
        ask_link(participant.email, "203.0.113.7")
    response = ask_link(participant.email, "203.0.113.7")
    assert response.status_code == 429
    later(monkeypatch, 10 * 60 + 1)
    response = ask_link(participant.email, "203.0.113.7")
    assert response.status_code == 302
    assert len(mail.outbox) == 4


def test_an_ipv6_client_is_counted_by_its_64_block(ask_link, participant, limits):
    for suffix in ("1", "2", "3"):
        response = ask_link(participant.email, f"2001:db8:1:2::{suffix}")
        assert response.status_code == 302
    response = ask_link(participant.email, "2001:db8:1:2::ffff")
    assert response.status_code == 429
    response = ask_link(participant.email, "2001:db8:1:3::1")
    assert response.status_code == 302


def test_a_malformed_address_does_not_count(client, participant, limits):
    for _ in range(5):
        response = client.post("/login/", {"email": "pas-une-adresse"}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
    assert LIMITED_LINK not in response.content.decode()


def test_applications_past_the_limit_are_refused_for_that_address_only(apply, limits, monkeypatch):
    first = apply("203.0.113.7")
    second = apply("203.0.113.7", email="dominique@example.org")
    assert first.status_code == second.status_code == 200
    assert Application.objects.count() == 2

    refused = apply("203.0.113.7", email="eden@example.org")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert LIMITED_APPLY in page
    assert "Vos réponses sont conservées ci-dessous." in page
    # Nothing typed is lost: name, address and answers are in the form again.
    assert 'value="Camille"' in page and 'value="eden@example.org"' in page
    assert "réponse 0 — à garder" in page
    assert Application.objects.count() == 2

    other = apply("198.51.100.20", email="eden@example.org")
    assert other.status_code == 200
    assert Application.objects.count() == 3

    later(monkeypatch, 60 * 60 + 1)
    again = apply("203.0.113.7", email="farah@example.org")
    assert again.status_code == 200
    assert Application.objects.count() == 4


def test_a_cache_that_fails_lets_the_request_through_and_says_so_in_the_log(
    ask_link, participant, limits, monkeypatch, caplog
):
    from django.core.cache import caches

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(caches["ratelimit"], "add", down)
    caplog.set_level(logging.WARNING, logger="participants.signin")
    response = ask_link(participant.email, "203.0.113.7")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "rate limit not checked: cache unavailable (ConnectionError)" in caplog.text
    assert "203.0.113.7" not in caplog.text
