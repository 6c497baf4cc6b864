"""The session websocket through the real ASGI application, signed in by session cookie.

Each test drives a scenario in one event loop (``async_to_sync``); the database is real
(``transaction=True``) because the consumer reads it from another thread.
"""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intervision.asgi import application
from participants.models import Membership
from sessions_app import flow, live
from sessions_app.models import Session

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


def cookie_for(user) -> str:
    if user is None:
        return ""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def socket(session_id, cookie, origin=b"http://testserver"):
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/session/{session_id}/", headers=headers)


async def connect(session_id, cookie):
    """A connected socket and its first message, or (None, None) when refused."""
    communicator = socket(session_id, cookie)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    if not connected:
        await communicator.disconnect()
        return None, None
    return communicator, await communicator.receive_json_from(timeout=TIMEOUT)


def version_of(session) -> int:
    return Session.objects.get(pk=session.pk).version


@pytest.fixture
def seated(session, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    return session


# --- Connecting ---------------------------------------------------------------------------


def test_member_first_receives_the_full_state_with_its_version(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        communicator, first = await connect(seated.pk, cookie)
        assert communicator is not None
        await communicator.disconnect()
        return first

    first = async_to_sync(scenario)()
    assert first["version"] == version_of(seated)
    assert first["html"].lstrip().startswith('<section id="live"')
    assert f'data-version="{first["version"]}"' in first["html"]
    assert "Juliette" in first["html"] and "Dragos" in first["html"]


@pytest.mark.parametrize("persona", ["outsider", "other_group_member", "removed_member", None])
def test_non_members_are_refused(request, seated, persona):
    cookie = cookie_for(request.getfixturevalue(persona) if persona else None)

    async def scenario():
        return await connect(seated.pk, cookie)

    assert async_to_sync(scenario)() == (None, None)


def test_a_session_that_does_not_exist_is_refused_like_a_foreign_one(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        return await connect(seated.pk + 1000, cookie)

    assert async_to_sync(scenario)() == (None, None)


def test_a_foreign_origin_is_refused(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        communicator = socket(seated.pk, cookie, origin=b"https://evil.example")
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_facilitator_and_participant_get_their_own_rendering(seated, facilitator, participant):
    cookies = cookie_for(facilitator), cookie_for(participant)

    async def scenario():
        firsts = []
        for cookie in cookies:
            communicator, first = await connect(seated.pk, cookie)
            firsts.append(first["html"])
            await communicator.disconnect()
        return firsts

    as_facilitator, as_participant = async_to_sync(scenario)()
    assert "Commencer le tour de mots-clés" in as_facilitator
    assert "Commencer le tour de mots-clés" not in as_participant
    assert "La séance va commencer" in as_participant


# --- Live updates -------------------------------------------------------------------------


def test_a_command_reaches_every_connected_member(seated, facilitator, participants):
    juliette, dragos = participants[:2]
    cookies = [cookie_for(p) for p in (facilitator, juliette, dragos)]

    async def scenario():
        sockets = []
        for cookie in cookies:
            communicator, _first = await connect(seated.pk, cookie)
            sockets.append(communicator)
        # The facilitator starts from the page: committed, then broadcast.
        snap = await database_sync_to_async(live.apply)(
            seated.pk, facilitator, {"type": "start"}, None
        )
        received = [await s.receive_json_from(timeout=TIMEOUT) for s in sockets]
        for communicator in sockets:
            assert await communicator.receive_nothing(timeout=0.1)
            await communicator.disconnect()
        return snap, received

    snap, (to_facilitator, to_juliette, to_dragos) = async_to_sync(scenario)()
    assert [m["version"] for m in (to_facilitator, to_juliette, to_dragos)] == [snap["version"]] * 3
    assert snap["version"] == version_of(seated)
    # Juliette speaks first: her page and Dragos's say so; the facilitator's can act for her.
    assert f'data-speaker="{juliette.pk}"' in to_juliette["html"]
    assert to_juliette["html"] == to_dragos["html"]  # rendered once per audience
    assert "Juliette passe" in to_facilitator["html"]
    assert "Je passe" in to_juliette["html"]


def test_a_refused_command_sends_nothing(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        communicator, _first = await connect(seated.pk, cookie)
        with pytest.raises(flow.FlowError):
            await database_sync_to_async(live.apply)(
                seated.pk, participant, {"type": "start"}, None
            )
        quiet = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return quiet

    assert async_to_sync(scenario)() is True


# --- Forged frames ------------------------------------------------------------------------

FORGED = [
    {"text_data": "{not json"},
    {"bytes_data": b"\x00\x01binary"},
    {"text_data": json.dumps({"type": "propose", "keyword": "injecté"})},
    {"text_data": json.dumps({"type": "start"})},
    {"text_data": json.dumps(["resync"])},
    {"text_data": "[" * 100_000 + "]" * 100_000},
    {"text_data": '{"a":' * 50_000 + "1" + "}" * 50_000},
    {"text_data": "null"},
    {"text_data": json.dumps({"type": {"resync": True}})},
]


def test_forged_frames_get_an_error_change_nothing_and_the_socket_stays_usable(seated, participant):
    cookie = cookie_for(participant)
    before = version_of(seated)

    async def scenario():
        communicator, _first = await connect(seated.pk, cookie)
        errors = []
        for frame in FORGED:
            await communicator.send_to(**frame)
            errors.append(await communicator.receive_json_from(timeout=TIMEOUT))
        # Still usable: a resync request gets the full state back.
        await communicator.send_json_to({"type": "resync"})
        resync = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return errors, resync

    errors, resync = async_to_sync(scenario)()
    assert errors == [{"error": "Les actions passent par les boutons de la page."}] * len(FORGED)
    assert resync["version"] == before == version_of(seated)
    assert Session.objects.get(pk=seated.pk).stage == "lobby"


def test_resync_requests_are_rate_limited(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        communicator, _first = await connect(seated.pk, cookie)
        for _ in range(20):
            await communicator.send_json_to({"type": "resync"})
        answers = 0
        while not await communicator.receive_nothing(timeout=0.3):
            await communicator.receive_json_from()
            answers += 1
        await communicator.disconnect()
        return answers

    assert async_to_sync(scenario)() == 1


# --- Access revoked -----------------------------------------------------------------------


def test_access_revoked_closes_the_persons_socket(seated, participants, group):
    juliette, dragos = participants[:2]
    cookies = cookie_for(juliette), cookie_for(dragos)

    async def scenario():
        hers, _ = await connect(seated.pk, cookies[0])
        his, _ = await connect(seated.pk, cookies[1])
        await sync_to_async(live.revoke_access)(juliette.pk, group.pk)
        closed = await hers.receive_output(timeout=TIMEOUT)
        untouched = await his.receive_nothing(timeout=0.3)
        await his.disconnect()
        return closed, untouched

    closed, untouched = async_to_sync(scenario)()
    assert closed == {"type": "websocket.close", "code": 4403}
    assert untouched is True


def test_access_revoked_for_another_group_keeps_the_socket(seated, participant):
    cookie = cookie_for(participant)

    async def scenario():
        communicator, _ = await connect(seated.pk, cookie)
        await get_channel_layer().group_send(
            live.user_group_name(participant.pk),
            {"type": "access.revoked", "group_id": seated.group_id + 1000},
        )
        quiet = await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
        return quiet

    assert async_to_sync(scenario)() is True


def test_a_removed_member_asking_to_resync_is_disconnected(seated, participant, group):
    cookie = cookie_for(participant)

    async def scenario():
        communicator, _ = await connect(seated.pk, cookie)
        # Removed without the notification reaching the socket: the next read re-checks.
        await database_sync_to_async(
            lambda: Membership.objects.filter(user=participant, group=group).update(
                removed_at="2026-01-01T00:00:00Z"
            )
        )()
        await communicator.send_json_to({"type": "resync"})
        return await communicator.receive_output(timeout=TIMEOUT)

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": 4404}
