"""The ASGI entry point serves Django's pages, streamed static files and errors."""

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

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
