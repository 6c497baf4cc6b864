"""A cancelled session's open pages are told at once: the cancellation closes their sockets
with its own code (4410), after the commit, so the page says the session is cancelled
instead of waiting for its next poll to find it gone."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client

from sessions_app.models import Session

from .test_consumers import TIMEOUT, connect, cookie_for
from .test_display import display_socket

pytestmark = pytest.mark.django_db(transaction=True)


def test_cancelling_a_session_closes_its_open_pages_with_the_cancellation_code(
    session, organiser, participant
):
    cookie = cookie_for(participant)
    client = Client()
    client.force_login(organiser)

    async def scenario():
        page, _ = await connect(session.pk, cookie)
        screen = display_socket(session.pk, cookie)
        connected, _ = await screen.connect(timeout=TIMEOUT)
        assert connected
        await screen.receive_json_from(timeout=TIMEOUT)
        response = await sync_to_async(client.post)(f"/s/{session.pk}/cancel/")
        closed = await page.receive_output(timeout=TIMEOUT)
        screen_closed = await screen.receive_output(timeout=TIMEOUT)
        return response, closed, screen_closed

    response, closed, screen_closed = async_to_sync(scenario)()
    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert closed == {"type": "websocket.close", "code": 4410}
    assert screen_closed == {"type": "websocket.close", "code": 4410}


def test_the_pages_carry_what_they_show_once_cancelled(client, session, participant):
    client.force_login(participant)
    for path in (f"/s/{session.pk}/", f"/s/{session.pk}/ecran/"):
        page = client.get(path).content.decode()
        assert '<template id="cancelled-page"' in page
        assert "Cette séance est annulée." in page
