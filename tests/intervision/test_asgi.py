"""The ASGI entry point serves Django's pages, streamed static files and errors, and refuses
a websocket to a path it does not serve."""

import logging
from urllib.parse import unquote

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intervision import asgi

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_static_files_and_errors_are_served_through_the_asgi_handler(
    client, participant, session
):
    async def get(path, headers=()):
        scope = {
            "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"localhost"), *headers],
            "client": ("127.0.0.1", 5000), "server": ("localhost", 80),
        }
        app = ApplicationCommunicator(asgi.application, scope)
        await app.send_input({"type": "http.request", "body": b""})
        start = await app.receive_output(10)
        body = b""
        while True:
            chunk = await app.receive_output(10)
            body += chunk.get("body", b"")  # the last message of a stream may have none
            if not chunk.get("more_body"):
                break
        return {"status": start["status"], "body": body}

    health = async_to_sync(get)("/healthz")
    assert health["status"] == 200
    assert b'"database": "ok"' in health["body"]
    # A streamed response (whitenoise's static file) arrives whole.
    script = async_to_sync(get)("/static/js/live.js")
    assert script["status"] == 200
    assert b"WebSocket" in script["body"]
    # Signed out: sent to the sign-in page.
    page = async_to_sync(get)(f"/s/{session.pk}/")
    assert page["status"] == 302
    # Signed in: the live page, with the person's cookie.
    client.force_login(participant)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    page = async_to_sync(get)(f"/s/{session.pk}/", [(b"cookie", cookie)])
    assert page["status"] == 200
    assert b'id="live"' in page["body"]
    assert async_to_sync(get)("/s/999999/", [(b"cookie", cookie)])["status"] == 404


@pytest.mark.parametrize(
    "path",
    ["/ws/nowhere/", "/ws/session/abc/", "/ws/session/1/autre/", "/", "/ws/%0Aforged line/"],
)
def test_a_websocket_to_an_unknown_path_is_refused_with_a_warning_and_no_traceback(
    caplog, participant, path
):
    """As a page not found: refused before the handshake, one warning line (Django logs a
    404 so), no ERROR and no traceback for anyone to fill the logs with."""
    client = Client()
    client.force_login(participant)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        communicator = WebsocketCommunicator(
            asgi.application,
            path,
            headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"),
                     (b"cookie", cookie.encode())],
        )
        connected, _ = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected

    with caplog.at_level(logging.INFO):
        connected = async_to_sync(scenario)()
    assert connected is False
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"Not Found: websocket {unquote(path)!r}"]  # a newline escaped


def test_a_websocket_to_a_session_id_past_the_databases_integers_is_refused_quietly(
    caplog, participant
):
    client = Client()
    client.force_login(participant)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        communicator = WebsocketCommunicator(
            asgi.application,
            "/ws/session/99999999999999999999999/",
            headers=[(b"origin", b"http://testserver"), (b"host", b"testserver"),
                     (b"cookie", cookie.encode())],
        )
        connected, _ = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected

    with caplog.at_level(logging.INFO):
        assert async_to_sync(scenario)() is False
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
