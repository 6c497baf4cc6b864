"""The sign-in-link form does the same work before its answer for any address.

The request goes through the whole middleware stack and the view, up to the response, as
daphne would run it; the lookup, the link and the mail come in ``response.close()``, which
Django's handlers call once the response has been sent. bench/signin_timing.py measures the
timing itself against a real daphne.
"""

import logging
import re
import threading
from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core import mail
from django.core.handlers.base import BaseHandler
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from intervision import asgi
from participants import signin
from participants.models import LoginLink

UNKNOWN = "personne@example.org"
CSRF = re.compile(r"[A-Za-z0-9]{64}")


@pytest.fixture
def handler():
    handler = BaseHandler()
    handler.load_middleware()
    return handler


def ask_link(handler, email):
    """POST the form through the middleware and the view; the response is not closed yet."""
    request = RequestFactory().post("/login/", {"email": email})
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # as the test client
    return handler.get_response(request)


def close(response):
    """What the server does once the answer is sent; the test's database connection stays
    open (as the test client does), whatever CONN_MAX_AGE says."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def before_the_answer(handler, email, capture):
    """The SQL run up to the response (the address replaced by a mark) and what was left
    for after the commit."""
    with capture() as callbacks, CaptureQueriesContext(connection) as queries:
        response = ask_link(handler, email)
    statements = [re.sub(re.escape(email), "<address>", q["sql"], flags=re.I) for q in queries]
    return response, statements, callbacks


def test_known_and_unknown_addresses_do_the_same_work_before_the_answer(
    handler, participant, django_capture_on_commit_callbacks
):
    known, known_sql, known_later = before_the_answer(
        handler, participant.email, django_capture_on_commit_callbacks
    )
    unknown, unknown_sql, unknown_later = before_the_answer(
        handler, UNKNOWN, django_capture_on_commit_callbacks
    )
    assert known_sql == unknown_sql
    assert known_later == unknown_later == []
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert sorted(known.cookies) == sorted(unknown.cookies)
    # Nothing issued, nothing mailed while the answer is on its way.
    assert LoginLink.objects.count() == 0
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        close(unknown)
    assert LoginLink.objects.count() == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        close(known)
    assert LoginLink.objects.get().user == participant
    assert [m.to for m in mail.outbox] == [[participant.email]]


def test_a_deactivated_account_gets_nothing_either(
    handler, participant, django_capture_on_commit_callbacks
):
    participant.is_active = False
    participant.save()
    response, _sql, _later = before_the_answer(
        handler, participant.email, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        close(response)
    assert LoginLink.objects.count() == 0
    assert mail.outbox == []


def test_through_the_client_the_answer_is_the_same_and_only_the_known_address_gets_a_mail(
    client, participant, django_capture_on_commit_callbacks
):
    answers = []
    for email in (participant.email.upper(), UNKNOWN):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/login/", {"email": email}, follow=True)
        # The page's CSRF token is masked afresh on every page: the rest must be identical.
        page = CSRF.sub("<token>", response.content.decode())
        answers.append((response.status_code, response.redirect_chain, page))
    assert answers[0] == answers[1]
    assert "Si cette adresse est connue, un lien de connexion vient d" in answers[0][2]
    assert [m.to for m in mail.outbox] == [[participant.email]]


def test_a_failure_after_the_answer_is_logged_without_the_address_and_never_raised(
    handler, participant, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    def broken(user):
        raise RuntimeError(f"cannot issue for {user.email}")

    monkeypatch.setattr(LoginLink, "issue", broken)
    response, _sql, _later = before_the_answer(
        handler, participant.email, django_capture_on_commit_callbacks
    )
    caplog.set_level(logging.ERROR, logger="participants.signin")
    with django_capture_on_commit_callbacks(execute=True):
        close(response)  # does not raise
    assert response.closed
    assert mail.outbox == []
    assert "send_login_link_if_known after the response failed (RuntimeError)" in caplog.text
    assert participant.email not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_through_the_asgi_handler_the_answer_is_sent_before_the_work_starts(
    participant, monkeypatch
):
    """Django's ASGI handler, as daphne runs it: the work after the answer is held until the
    whole answer has been received; had it run before, the answer would never come."""
    started, release = threading.Event(), threading.Event()
    real = signin.send_login_link_if_known

    def held(*args):
        started.set()
        release.wait(10)
        real(*args)

    monkeypatch.setattr(signin, "send_login_link_if_known", held)

    async def exchange(method, headers=(), body=b""):
        scope = {
            "type": "http", "http_version": "1.1", "method": method, "scheme": "http",
            "path": "/login/", "raw_path": b"/login/", "query_string": b"", "root_path": "",
            "headers": [(b"host", b"localhost"), *headers],
            "client": ("127.0.0.1", 5000), "server": ("localhost", 80),
        }
        app = ApplicationCommunicator(asgi.application, scope)
        await app.send_input({"type": "http.request", "body": body})
        start = await app.receive_output(5)
        page = b""
        while True:
            chunk = await app.receive_output(5)
            page += chunk.get("body", b"")
            if not chunk.get("more_body"):
                break
        answered = (start["status"], dict(start["headers"]), page)
        release.set()
        await app.wait(10)
        return answered

    status, headers, page = async_to_sync(exchange)("GET")
    cookie = headers[b"Set-Cookie"].split(b";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "email": participant.email}).encode()
    release.clear()
    status, headers, _page = async_to_sync(exchange)(
        "POST",
        [(b"cookie", cookie), (b"content-type", b"application/x-www-form-urlencoded")],
        form,
    )
    assert status == 302 and headers[b"Location"] == b"/login/"
    assert started.is_set()  # the work ran, once the answer was out
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert LoginLink.objects.filter(user=participant).count() == 1
