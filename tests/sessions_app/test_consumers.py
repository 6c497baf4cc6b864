"""The session websocket through the real ASGI application, signed in by session cookie.

Each test drives a scenario in one event loop (``async_to_sync``); the database is real
(``transaction=True``) because the consumer reads it from another thread.
"""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intervision.asgi import application
from participants.models import Membership
from sessions_app import flow, live, regions, render, snapshot
from sessions_app.models import Session
from sessions_app.snapshot import Snapshot

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


def frame_html(frame) -> str:
    """What a live frame shows: the whole region (a connect's, a resync's), or the section's
    tag and the regions that changed since the socket's previous frame."""
    if "html" in frame:
        return frame["html"]
    return frame["open"] + "".join(frame["regions"].values())


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
    assert f'data-speaker="{juliette.pk}"' in frame_html(to_juliette)
    assert frame_html(to_juliette) == frame_html(to_dragos)  # rendered once per audience
    assert "Juliette passe" in frame_html(to_facilitator)
    assert "Je passe" in frame_html(to_juliette)


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

FORGED: list[dict[str, Any]] = [
    {"text_data": "{not json"},
    {"bytes_data": b"\x00\x01binary"},
    {"text_data": json.dumps({"type": "propose", "keyword": "injecté"})},
    {"text_data": json.dumps({"type": "start"})},
    {"text_data": json.dumps(["resync"])},
    {"text_data": "[" * 8_000 + "]" * 8_000},  # deeper than json reads, within the size
    {"text_data": '{"a":' * 2_500 + "1" + "}" * 2_500},
    {"text_data": "null"},
    {"text_data": json.dumps({"type": {"resync": True}})},
    # Commands: malformed, or not this participant's to send.
    {"text_data": json.dumps({"type": "command", "id": "short", "command": {"type": "pass"}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh01", "command": "start"})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh02",
                              "command": {"type": "start"}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh03",
                              "command": {"type": "seat", "order": []}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh04",
                              "command": {"type": "set_absent", "person": [1]}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh05",
                              "command": {"type": "propose", "keyword": "x" * 1_000}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh06", "version": "v",
                              "command": {"type": "pass"}})},
    {"text_data": json.dumps({"type": "command", "id": "abcdefgh07", "version": None,
                              "command": {"type": "pass"}})},
]


def test_forged_frames_get_an_error_change_nothing_and_the_socket_stays_usable(seated, participant):
    cookie = cookie_for(participant)
    before = version_of(seated)

    async def scenario():
        communicator, _first = await connect(seated.pk, cookie)
        errors = []
        for frame in FORGED:
            if '"command"' in frame.get("text_data", "") and '"version"' not in frame["text_data"]:
                # The version the page shows: the refusals below come from the rules.
                frame = {"text_data": frame["text_data"][:-1] + f', "version": {before}}}'}
            await communicator.send_to(**frame)
            errors.append(await communicator.receive_json_from(timeout=TIMEOUT))
        # Still usable: a resync request gets the full state back.
        await communicator.send_json_to({"type": "resync"})
        resync = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return errors, resync

    errors, resync = async_to_sync(scenario)()
    assert errors[:9] == [{"error": "Action inconnue."}] * 9
    assert [(e["nack"], e["status"], e["error"]) for e in errors[9:]] == [
        (None, 400, "Valeur invalide."),
        ("abcdefgh01", 400, "Valeur invalide."),
        ("abcdefgh02", 400, "Seule la personne qui anime peut faire cela."),
        ("abcdefgh03", 400, "Action inconnue."),
        ("abcdefgh04", 400, "Personne inconnue dans cette séance."),
        ("abcdefgh05", 400, "Texte trop long (60 caractères au plus)."),
        ("abcdefgh06", 400, "Valeur invalide."),  # a version is a whole number
        ("abcdefgh07", 400, "Valeur invalide."),  # no version: never applied unchecked
    ]
    assert resync["version"] == before == version_of(seated)
    assert Session.objects.get(pk=seated.pk).stage == "lobby"


@pytest.mark.parametrize("frame", ["text", "bytes"])
def test_a_frame_over_the_size_limit_is_refused_in_the_pages_language_then_closed_with_1009(
    seated, participant, frame
):
    """The page learns why (its script shows the refusal and reconnects, static/js/live.js),
    and the frame is not read: no parsing of whatever size a client sends."""
    from sessions_app.consumers import MAX_FRAME

    cookie = cookie_for(participant) + f"; {settings.LANGUAGE_COOKIE_NAME}=en"
    before = version_of(seated)
    text = json.dumps(command("too-long-01", "propose", before, keyword="x" * MAX_FRAME))
    sent: dict[str, Any] = (
        {"text_data": text} if frame == "text" else {"bytes_data": text.encode()}
    )

    async def scenario():
        juliette, _ = await connect(seated.pk, cookie)
        await juliette.send_to(**sent)
        answer = await juliette.receive_json_from(timeout=TIMEOUT)
        closed = await juliette.receive_output(timeout=TIMEOUT)
        return answer, closed

    answer, closed = async_to_sync(scenario)()
    assert answer == {"code": "frame_too_long",
                      "error": "Too long to send over the live connection."}
    assert closed == {"type": "websocket.close", "code": 1009}
    assert version_of(seated) == before


def test_the_longest_command_a_page_sends_fits_in_a_frame_and_the_page_knows_the_limit(
    seated, facilitator
):
    """A note at its longest, every character one that JSON escapes the longest way, is
    answered by the rules; and the page's script routes a longer frame through the POST
    (static/js/live.js holds the same limit)."""
    from pathlib import Path

    from sessions_app.consumers import MAX_FRAME

    cookie = cookie_for(facilitator)
    before = version_of(seated)
    longest = json.dumps(
        command("longest-01", "report", before, action=1, status="done",
                note="\x01" * flow.TEXT_MAX, taken=True, new_subject=True)
    )
    assert len(longest) < MAX_FRAME

    async def scenario():
        lucie, _ = await connect(seated.pk, cookie)
        await lucie.send_to(text_data=longest)
        answer = await lucie.receive_json_from(timeout=TIMEOUT)
        await lucie.disconnect()
        return answer

    assert async_to_sync(scenario)()["code"] == "not_in_retour"  # read, and refused by the rules
    script = (Path(settings.BASE_DIR) / "static" / "js" / "live.js").read_text()
    assert f"var maxFrame = {MAX_FRAME};" in script


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


# --- Commands over the socket ---------------------------------------------------------------


def command(cid, kind, version=None, **fields):
    message = {"type": "command", "id": cid, "command": {"type": kind, **fields}}
    if version is not None:
        message["version"] = version
    return message


async def frames_until(communicator, *keys):
    """The messages received up to and including the first one carrying one of ``keys``."""
    received: list[dict] = []
    while not received or not set(keys) & set(received[-1]):
        received.append(await communicator.receive_json_from(timeout=TIMEOUT))
    return received


def test_a_command_sent_over_the_socket_is_acknowledged_and_every_page_gets_the_new_state(
    seated, facilitator, participant
):
    cookies = [cookie_for(facilitator), cookie_for(participant)]

    async def scenario():
        lucie, _ = await connect(seated.pk, cookies[0])
        juliette, _ = await connect(seated.pk, cookies[1])
        await lucie.send_json_to(command("start-0001", "start", version_of_now))
        to_lucie = await frames_until(lucie, "ack")
        to_lucie += [await lucie.receive_json_from(timeout=TIMEOUT)] if len(to_lucie) == 1 else []
        to_juliette = await juliette.receive_json_from(timeout=TIMEOUT)
        for communicator in (lucie, juliette):
            await communicator.disconnect()
        return to_lucie, to_juliette

    version_of_now = version_of(seated)
    to_lucie, to_juliette = async_to_sync(scenario)()
    new_version = version_of(seated)
    assert new_version == version_of_now + 1
    assert Session.objects.get(pk=seated.pk).stage == "triage"
    assert {"ack": "start-0001", "version": new_version} in to_lucie
    assert [m["version"] for m in to_lucie if "html" in m or "regions" in m] == [new_version]
    assert to_juliette["version"] == new_version
    assert f'data-speaker="{participant.pk}"' in frame_html(to_juliette)


def test_a_command_retried_with_the_same_id_is_acknowledged_never_applied_twice(
    seated, facilitator, participants
):
    cookie = cookie_for(facilitator)
    paul = participants[-1]

    async def scenario():
        lucie, _ = await connect(seated.pk, cookie)
        retry = command("move-paul-1", "move", before, person=str(paul.pk), delta="-1")
        await lucie.send_json_to(retry)
        first = await frames_until(lucie, "ack")
        await lucie.disconnect()
        # The answer was lost with the connection: the page sends it again on a new socket.
        again, _ = await connect(seated.pk, cookie)
        await again.send_json_to(retry)
        second = (await frames_until(again, "ack"))[-1]
        later = []  # a state sent meanwhile may arrive (the Redis layer delivers late)
        while not await again.receive_nothing(timeout=0.3):
            later.append(await again.receive_json_from(timeout=TIMEOUT))
        await again.disconnect()
        return first[-1], second, later

    before = version_of(seated)
    first, second, later = async_to_sync(scenario)()
    assert first == {"ack": "move-paul-1", "version": before + 1}
    assert second == {"ack": "move-paul-1", "version": before + 1, "duplicate": True}
    assert all(m.get("version") == before + 1 for m in later)  # no new state: nothing changed
    state = Session.objects.get(pk=seated.pk).flow_state()
    assert state.version == before + 1
    assert state.seating.index(paul.pk) == len(participants) - 2  # moved up once, not twice
    # The same id also holds across the fallback POST.
    client = Client()
    client.force_login(facilitator)
    response = client.post(
        f"/s/{seated.pk}/do/",
        {"type": "move", "person": paul.pk, "delta": -1, "command_id": "move-paul-1"},
    )
    assert response.status_code == 200
    assert version_of(seated) == before + 1


def test_a_refused_command_gets_its_error_in_the_pages_language_and_changes_nothing(
    seated, participant
):
    cookie = cookie_for(participant) + f"; {settings.LANGUAGE_COOKIE_NAME}=en"

    async def scenario():
        juliette, _ = await connect(seated.pk, cookie)
        await juliette.send_json_to(command("start-juliette", "start", before))
        answer = await juliette.receive_json_from(timeout=TIMEOUT)
        await juliette.disconnect()
        return answer

    before = version_of(seated)
    answer = async_to_sync(scenario)()
    assert answer == {
        "nack": "start-juliette", "status": 400, "code": "facilitator_only",
        "error": "Only the facilitator can do that.",
    }
    assert version_of(seated) == before


def test_co_facilitators_on_one_version_over_the_socket_advance_exactly_once(
    seated, facilitator, group
):
    from tests.conftest import make_user

    co = make_user("Marc")
    Membership.objects.create(group=group, user=co, role=Membership.FACILITATOR)
    seated.facilitators.add(co)
    cookies = [cookie_for(facilitator), cookie_for(co)]
    version = version_of(seated)

    async def scenario():
        lucie, _ = await connect(seated.pk, cookies[0])
        marc, _ = await connect(seated.pk, cookies[1])
        await lucie.send_json_to(command("lucie-start", "start", version))
        await marc.send_json_to(command("marc-start-", "start", version))
        answers = [(await frames_until(s, "ack", "nack"))[-1] for s in (lucie, marc)]
        for s in (lucie, marc):
            await s.disconnect()
        return answers

    answers = async_to_sync(scenario)()
    assert version_of(seated) == version + 1
    acks = [a for a in answers if "ack" in a]
    refusals = [a for a in answers if "nack" in a]
    assert len(acks) == 1 and acks[0]["version"] == version + 1
    assert len(refusals) == 1 and refusals[0]["status"] == 409
    assert "Quelqu’un d’autre vient d’agir" in refusals[0]["error"]


def test_a_removed_members_command_is_refused_before_the_revoke_message_arrives(
    seated, participant, group
):
    cookie = cookie_for(participant)

    async def scenario():
        juliette, _ = await connect(seated.pk, cookie)
        # Removed without the notification reaching the socket: the command re-checks.
        await database_sync_to_async(
            lambda: Membership.objects.filter(user=participant, group=group).update(
                removed_at="2026-01-01T00:00:00Z"
            )
        )()
        await juliette.send_json_to(
            command("leave-again", "set_absent", before, person=participant.pk)
        )
        return await juliette.receive_output(timeout=TIMEOUT)

    before = version_of(seated)
    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": 4404}
    assert version_of(seated) == before


def test_a_socket_sending_commands_in_a_loop_is_slowed_down(seated, participant):
    cookie = cookie_for(participant)
    version = version_of(seated)

    async def scenario():
        juliette, _ = await connect(seated.pk, cookie)
        answers = []
        for i in range(32):
            await juliette.send_json_to(command(f"loop-{i:06d}", "pass", version))
            answers.append(await juliette.receive_json_from(timeout=TIMEOUT))
        await juliette.disconnect()
        return answers

    answers = async_to_sync(scenario)()
    assert all(a["code"] == "no_turn" for a in answers[:30])  # refused by the rules
    assert [a["code"] for a in answers[30:]] == ["too_fast", "too_fast"]


def test_the_rate_limit_is_the_persons_across_their_sockets_and_spares_the_others(
    seated, participants
):
    """A new socket does not start a new count: a loop that reconnects is slowed down all
    the same (the count is kept in the cache that several processes share)."""
    juliette, dragos = participants[:2]
    hers, his = cookie_for(juliette), cookie_for(dragos)
    version = version_of(seated)

    async def scenario():
        first, _ = await connect(seated.pk, hers)
        second, _ = await connect(seated.pk, hers)
        answers = []
        for i in range(24):  # two sockets open at once, taking turns
            communicator = (first, second)[i % 2]
            await communicator.send_json_to(command(f"loop-{i:06d}", "pass", version))
            answers.append(await communicator.receive_json_from(timeout=TIMEOUT))
        for communicator in (first, second):
            await communicator.disconnect()
        for start in (24, 28):  # then a new socket every 4 commands
            communicator, _ = await connect(seated.pk, hers)
            for i in range(start, start + 4):
                await communicator.send_json_to(command(f"loop-{i:06d}", "pass", version))
                answers.append(await communicator.receive_json_from(timeout=TIMEOUT))
            await communicator.disconnect()
        dragos_socket, _ = await connect(seated.pk, his)
        await dragos_socket.send_json_to(command("dragos-00001", "pass", version))
        his_answer = await dragos_socket.receive_json_from(timeout=TIMEOUT)
        await dragos_socket.disconnect()
        return answers, his_answer

    answers, his_answer = async_to_sync(scenario)()
    assert [a["code"] for a in answers[:30]] == ["no_turn"] * 30  # refused by the rules
    assert [a["code"] for a in answers[30:]] == ["too_fast", "too_fast"]
    assert answers[-1]["error"] == "Trop d’actions d’un coup\u00a0: attendez quelques secondes."
    assert his_answer["code"] == "no_turn"  # another person's budget is untouched


def test_the_rate_limit_lets_commands_through_when_its_cache_fails(
    seated, facilitator, monkeypatch
):
    """As the sign-in's limits (RATELIMIT_FAIL_OPEN): Redis down must not stop a session."""
    from sessions_app import consumers

    class Broken:
        def incr(self, *args, **kwargs):
            raise ConnectionError("cache unreachable")

        add = incr

    monkeypatch.setattr(consumers, "caches", {"ratelimit": Broken()})
    cookie = cookie_for(facilitator)
    version = version_of(seated)

    async def scenario():
        lucie, _ = await connect(seated.pk, cookie)
        await lucie.send_json_to(command("start-00001", "start", version))
        answer = (await frames_until(lucie, "ack", "nack"))[-1]
        await lucie.disconnect()
        return answer

    assert async_to_sync(scenario)() == {"ack": "start-00001", "version": version + 1}


def test_a_state_broadcast_by_another_process_is_what_the_next_page_to_connect_gets(
    seated, participant, facilitator, monkeypatch
):
    """With several processes, a command applied in one reaches the others' pages through
    the channel layer: a page connecting next to one of those gets that snapshot as is."""
    cookie = cookie_for(participant)

    def applied_elsewhere():
        # Applied and broadcast by another process: this one has not seen it.
        with monkeypatch.context() as patched:
            patched.setattr(live, "broadcast", lambda snap: None)
            snap = live.apply(seated.pk, facilitator, {"type": "start"}, None)
        snapshot._recent.clear()
        return snap

    async def scenario():
        communicator, _ = await connect(seated.pk, cookie)
        assert communicator is not None
        elsewhere = await database_sync_to_async(applied_elsewhere)()
        await get_channel_layer().group_send(
            live.group_name(seated.pk), {"type": "session.update", "snapshot": elsewhere}
        )
        await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        snap = await database_sync_to_async(snapshot.for_member)(seated.pk, participant)
        return snap, elsewhere

    snap, elsewhere = async_to_sync(scenario)()
    assert snap["stamp"] == elsewhere["stamp"]


# --- Frames: only the regions that changed ---------------------------------------------------


def regions_that_differ(before: Snapshot, after: Snapshot, audience: str) -> set:
    old = render.live_render(before, audience, "fr").regions
    new = render.live_render(after, audience, "fr").regions
    return {rid for rid in new if new[rid] != old[rid]}


def test_a_clicks_frame_to_the_other_pages_carries_only_the_regions_it_changed(
    seated, facilitator, participants
):
    juliette, dragos = participants[:2]
    started = live.apply(seated.pk, facilitator, {"type": "start"}, None)
    cookies = [cookie_for(p) for p in (facilitator, dragos)]

    async def scenario():
        lucie, first_lucie = await connect(seated.pk, cookies[0])
        other, first_other = await connect(seated.pk, cookies[1])
        # Juliette's keyword, from her own page: Lucie's and Dragos's pages are told.
        snap = await database_sync_to_async(live.apply)(
            seated.pk, juliette, {"type": "propose", "keyword": "équilibre"}, started["version"]
        )
        to_lucie = await lucie.receive_json_from(timeout=TIMEOUT)
        to_other = await other.receive_json_from(timeout=TIMEOUT)
        for communicator in (lucie, other):
            assert await communicator.receive_nothing(timeout=0.1)
            await communicator.disconnect()
        return snap, first_lucie, first_other, to_lucie, to_other

    snap, first_lucie, first_other, to_lucie, to_other = async_to_sync(scenario)()
    for first, frame, audience in (
        (first_lucie, to_lucie, "facilitator"), (first_other, to_other, "participant")
    ):
        assert "html" in first  # the connect's frame: every region
        assert "html" not in frame
        assert frame["version"] == snap["version"] and frame["base"] == started["version"]
        changed = regions_that_differ(started, snap, audience)
        # Only what the keyword changed (who speaks, the turn order, the list of subjects...),
        # not the regions it left as they were.
        assert set(frame["regions"]) == changed
        assert changed < set(regions.REGION_IDS.values())
        assert "équilibre" in frame["regions"]["live-subjects"]
        assert f'data-speaker="{dragos.pk}"' in frame["open"]
        assert len(json.dumps(frame)) < len(json.dumps(first))


def test_a_page_that_reconnects_gets_every_region(seated, facilitator, participant):
    cookie = cookie_for(participant)

    async def scenario():
        page, _first = await connect(seated.pk, cookie)
        await database_sync_to_async(live.apply)(seated.pk, facilitator, {"type": "start"}, None)
        update = await page.receive_json_from(timeout=TIMEOUT)
        await page.disconnect()
        again, first_again = await connect(seated.pk, cookie)
        await again.disconnect()
        return update, first_again

    update, first_again = async_to_sync(scenario)()
    assert "regions" in update
    assert first_again["version"] == update["version"]
    assert all(f'id="{rid}"' in first_again["html"] for rid in regions.REGION_IDS.values())


def test_a_page_that_missed_a_version_asks_again_and_gets_every_region(
    seated, facilitator, participant, monkeypatch
):
    """A frame is relative to what this socket last sent: a step whose broadcast never came
    is in the next frame; a page that shows another version than a frame's base (moved on
    by the POST or a poll meanwhile) asks to resync and gets every region."""
    cookie = cookie_for(participant)

    def applied_unbroadcast():
        with monkeypatch.context() as patched:
            patched.setattr(live, "broadcast", lambda snap: None)
            return live.apply(seated.pk, facilitator, {"type": "start"}, None)

    async def scenario():
        page, first = await connect(seated.pk, cookie)
        lost = await database_sync_to_async(applied_unbroadcast)()
        after = await database_sync_to_async(live.apply)(
            seated.pk, facilitator, {"type": "pass"}, lost["version"]
        )
        update = await page.receive_json_from(timeout=TIMEOUT)
        await page.send_json_to({"type": "resync"})
        resynced = await page.receive_json_from(timeout=TIMEOUT)
        await page.disconnect()
        return first, after, update, resynced

    first, after, update, resynced = async_to_sync(scenario)()
    assert update["version"] == after["version"] and update["base"] == first["version"]
    # The lost step (the lobby to the keyword round) is in it: the page can apply it.
    assert "stage-triage" in update["open"]
    assert "Tour de mots-clés" in update["regions"]["live-status"]
    assert resynced["version"] == after["version"]
    assert resynced["html"].lstrip().startswith('<section id="live"')
    assert all(f'id="{rid}"' in resynced["html"] for rid in regions.REGION_IDS.values())


def test_the_broadcast_of_ones_own_command_sends_nothing_more(seated, facilitator):
    """The command's answer carries the new state; its broadcast, coming next on the same
    socket, has nothing left to change."""
    cookie = cookie_for(facilitator)

    async def scenario():
        lucie, first = await connect(seated.pk, cookie)
        await lucie.send_json_to(command("start-0002", "start", first["version"]))
        received = await frames_until(lucie, "ack")
        quiet = await lucie.receive_nothing(timeout=0.3)
        await lucie.disconnect()
        return received, quiet

    received, quiet = async_to_sync(scenario)()
    assert [m["version"] for m in received if "regions" in m] == [received[-1]["version"]]
    assert quiet
