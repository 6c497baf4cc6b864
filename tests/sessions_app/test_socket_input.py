"""Whatever a page (or anyone holding a member's socket) sends, the answer is a refusal in
the page's language or the command applied: never a closed socket, never a traceback.

The properties run ``commands.parse`` alone (every field of every command given every JSON
type), then whole frames through the real ASGI application, as a member would send them.
"""

import json
import math
import re

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app import commands, consumers, flow, live
from sessions_app.models import Session
from sessions_app.texts import ERRORS
from tests.sessions_app.test_consumers import (
    TIMEOUT,
    command,
    connect,
    cookie_for,
    frames_until,
    version_of,
)

# Any JSON value: what ``json.loads`` can hand the consumer (NaN and infinities included,
# which Python's reader accepts).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FIELDS = commands.INT_FIELDS + commands.TEXT_FIELDS + commands.BOOL_FIELDS + commands.LIST_FIELDS
kinds = st.sampled_from(sorted(flow.COMMANDS)) | json_values
valid_ids = st.from_regex(r"[A-Za-z0-9_-]{8,20}", fullmatch=True)
command_ids = valid_ids | json_values


def english_patterns() -> list[re.Pattern]:
    """Every refusal the server can word, in English: the parameters left open."""
    with override("en"):
        templates = [str(message) for message in ERRORS.values()]
    return [
        re.compile(re.sub(r"%\\\(\w+\\\)s", ".+", re.escape(template))) for template in templates
    ]


ENGLISH = english_patterns()


def in_english(message) -> bool:
    return isinstance(message, str) and any(p.fullmatch(message) for p in ENGLISH)


# --- commands.parse alone ---------------------------------------------------------------------


def check_parsed(data):
    """``parse`` refuses with a code the pages can word, or returns well-typed values."""
    try:
        command, expected, command_id = commands.parse(data)
    except flow.FlowError as exc:
        assert exc.code in ERRORS
        return None
    assert command["type"] in flow.COMMANDS
    role = command["type"] == "set_role"
    for key, value in command.items():
        if role and key in commands.ROLE_FLAGS:
            assert type(value) is bool  # for the subject in progress, or the session
        elif role and key == "person" and value is None:
            assert data[key] in (None, "")  # the role held by nobody
        elif key in commands.LIST_FIELDS:
            assert type(value) is list and len(value) <= commands.LIST_MAX
            assert all(type(v) is int and abs(v) <= commands.INT_LIMIT for v in value)
        elif key in commands.INT_FIELDS:
            assert type(value) is int and abs(value) <= commands.INT_LIMIT
        elif key in commands.TEXT_FIELDS:
            assert type(value) is str
            value.encode("utf-8")  # storable: no lone surrogate
            assert "\x00" not in value  # PostgreSQL's text refuses NUL
        elif key in commands.BOOL_FIELDS:
            assert type(value) is bool
        else:
            assert key == "type"
    assert expected is None or (type(expected) is int and 0 <= expected <= commands.INT_LIMIT)
    assert command_id == "" or commands.COMMAND_ID.fullmatch(command_id)
    return command, expected, command_id


@settings(max_examples=400, deadline=None)
@given(kind=kinds, fields=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=4))
def test_parse_refuses_or_returns_well_typed_values_whatever_each_field_holds(kind, fields):
    check_parsed({"type": kind, **fields})


@settings(max_examples=200, deadline=None)
@given(kind=kinds, version=json_values, command_id=command_ids)
def test_parse_refuses_or_returns_well_typed_values_whatever_the_version_and_id(
    kind, version, command_id
):
    check_parsed({"type": kind, "version": version, "command_id": command_id})


@pytest.mark.parametrize("kind", [["pass"], {"pass": 1}, 1, 1.5, True, None])
def test_a_type_that_is_not_a_string_is_an_unknown_command(kind):
    with pytest.raises(flow.FlowError) as refused:
        commands.parse({"type": kind})
    assert refused.value.code == "unknown_command"


@settings(max_examples=300, deadline=None)
@given(version=json_values | st.integers() | st.from_regex(r"[0-9]{1,20}", fullmatch=True))
def test_the_version_is_a_non_negative_integer_or_refused(version):
    """The version a page acted on: a whole number, as JSON or as the form's digits."""
    if version is None or version == "":
        wanted = None  # the POST of a form without one; the socket requires one (consumers)
    elif type(version) is int and 0 <= version <= commands.INT_LIMIT:
        wanted = version
    elif (
        isinstance(version, str)
        and re.fullmatch(r"[0-9]+", version)
        and int(version) <= commands.INT_LIMIT
    ):
        wanted = int(version)
    else:
        with pytest.raises(flow.FlowError) as refused:
            commands.parse({"type": "pass", "version": version})
        assert refused.value.code == "bad_input"
        return
    assert commands.parse({"type": "pass", "version": version})[1] == wanted


@pytest.mark.parametrize(
    "version", [3.5, 3.0, True, False, -1, "3.5", "-3", " 3", "+3", "٣", math.inf, [3], {"v": 3}]
)
def test_a_version_that_is_not_a_whole_number_is_refused(version):
    with pytest.raises(flow.FlowError) as refused:
        commands.parse({"type": "pass", "version": version})
    assert refused.value.code == "bad_input"


@pytest.mark.parametrize(
    "command_id",
    ["short", "x" * 65, "é" * 10, "abc def ghi", 12345678, 0, False, [], {}, ["a" * 8]],
)
def test_a_malformed_command_id_is_refused(command_id):
    with pytest.raises(flow.FlowError) as refused:
        commands.parse({"type": "pass", "command_id": command_id})
    assert refused.value.code == "bad_input"


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "mot\udfff"])
def test_a_text_that_cannot_be_stored_is_refused(text):
    for key in commands.TEXT_FIELDS:
        with pytest.raises(flow.FlowError) as refused:
            commands.parse({"type": "propose", key: text})
        assert refused.value.code == "bad_text"


@pytest.mark.parametrize("value", [[True], {"a": 1}, 1.5, 2, None, "peut-être"])
def test_a_yes_or_no_that_is_neither_is_refused(value):
    with pytest.raises(flow.FlowError) as refused:
        commands.parse({"type": "set_urgent", "urgent": value})
    assert refused.value.code == "bad_input"


@pytest.mark.parametrize(
    "value, wanted", [(True, True), (False, False), ("true", True), ("false", False),
                      ("on", True), ("", False), ("1", True), ("0", False)]
)
def test_a_yes_or_no_reads_as_the_page_sends_it(value, wanted):
    assert commands.parse({"type": "set_urgent", "urgent": value})[0]["urgent"] is wanted


# --- Through the socket ---------------------------------------------------------------------

@pytest.fixture
def seated(session, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    return session


def english(user) -> str:
    from django.conf import settings as django_settings

    return cookie_for(user) + f"; {django_settings.LANGUAGE_COOKIE_NAME}=en"


command_data = st.builds(
    lambda kind, fields: {"type": kind, **fields},
    kinds,
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3),
)
frames = st.fixed_dictionaries(
    {"type": st.just("command")},
    optional={"id": command_ids, "version": st.integers(0, 8) | json_values,
              "command": command_data | json_values},
) | st.dictionaries(st.sampled_from(["type", "id", "version", "command"]), json_values)


async def answer_and_still_open(cookie, session_id, frame):
    """The answer to ``frame``, and whether the socket still answers a resync after it."""
    communicator, _first = await connect(session_id, cookie)
    await communicator.send_to(text_data=json.dumps(frame))
    answer = (await frames_until(communicator, "ack", "nack", "error"))[-1]
    await communicator.send_json_to({"type": "resync"})
    after = await communicator.receive_output(timeout=TIMEOUT)
    await communicator.disconnect()
    return answer, after["type"] == "websocket.send"


@pytest.mark.django_db(transaction=True)
def test_any_command_frame_gets_a_refusal_in_the_pages_language_and_the_socket_stays_open(
    seated, participant, monkeypatch
):
    monkeypatch.setattr(consumers, "RATE_LIMIT", 10**6)  # every example reaches the rules
    cookie = english(participant)

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(frame=frames)
    def check(frame):
        answer, still_open = async_to_sync(answer_and_still_open)(cookie, seated.pk, frame)
        assert still_open
        if "ack" not in answer:
            assert in_english(answer["error"]), answer

    check()


# One value of each JSON type, and the strings a form would post for each kind of field.
EVERY_TYPE = [None, True, False, 0, -1, 2**60, 1.5, math.nan, "", "1", "x" * 700, [], [1],
              {}, {"type": "pass"}]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["participant", "facilitator"])
def test_every_field_of_every_command_given_every_json_type_is_answered_on_an_open_socket(
    request, seated, persona, monkeypatch
):
    """Not drawn at random: all of them, one after the other on one socket (the
    facilitator's commands go further into the rules, some are applied)."""
    monkeypatch.setattr(consumers, "RATE_LIMIT", 10**6)
    cookie = english(request.getfixturevalue(persona))
    sent = [
        command(f"every-{i:06d}", kind, None, **{key: value})
        for i, (kind, key, value) in enumerate(
            (kind, key, value)
            for kind in sorted(flow.COMMANDS)
            for key in ("type", *FIELDS)
            for value in EVERY_TYPE
        )
    ]

    async def scenario():
        juliette, first = await connect(seated.pk, cookie)
        answers = []
        version = first["version"]
        for frame in sent:
            frame["version"] = version  # the version the page shows: the rules answer
            await juliette.send_to(text_data=json.dumps(frame))
            answers.append((await frames_until(juliette, "ack", "nack"))[-1])
            version = answers[-1].get("version", version)
        await juliette.send_json_to({"type": "resync"})
        after = await juliette.receive_output(timeout=TIMEOUT)
        await juliette.disconnect()
        return answers, after

    answers, after = async_to_sync(scenario)()
    assert len(answers) == len(sent) == len(flow.COMMANDS) * (1 + len(FIELDS)) * len(EVERY_TYPE)
    refused = [a for a in answers if "nack" in a]
    assert [a for a in refused if not in_english(a["error"])] == []
    assert {a["code"] for a in refused} >= {"unknown_command", "bad_text", "bad_input"}
    assert after["type"] == "websocket.send"  # still open, still answering
    if persona == "facilitator":
        assert len(refused) < len(answers)  # some went through the rules and were applied


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("version", [1.5, True, 1.0, "1.5", "", -1])
def test_a_command_on_a_version_that_is_not_a_whole_number_is_refused(
    session, facilitator, participant, version
):
    live.apply(session.pk, participant, {"type": "join"}, None)
    assert version_of(session) == 1
    cookie = english(facilitator)

    async def scenario():
        lucie, _ = await connect(session.pk, cookie)
        await lucie.send_json_to(command("start-lucie", "start", version))
        answer = await lucie.receive_json_from(timeout=TIMEOUT)
        await lucie.disconnect()
        return answer

    answer = async_to_sync(scenario)()
    assert answer == {"nack": "start-lucie", "status": 400, "code": "bad_input",
                      "error": "Invalid value."}
    assert version_of(session) == 1
    assert Session.objects.get(pk=session.pk).stage == "lobby"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keyword", ["mot\x00clé", "mot\ud800"])
def test_a_keyword_that_cannot_be_stored_is_refused_on_the_persons_turn(
    seated, facilitator, participant, keyword
):
    live.apply(seated.pk, facilitator, {"type": "start"}, None)
    before = version_of(seated)
    cookie = english(participant)

    async def scenario():
        juliette, _ = await connect(seated.pk, cookie)
        await juliette.send_json_to(command("kw-juliette", "propose", before, keyword=keyword))
        answer = await juliette.receive_json_from(timeout=TIMEOUT)
        await juliette.send_json_to({"type": "resync"})
        after = await juliette.receive_json_from(timeout=TIMEOUT)
        await juliette.disconnect()
        return answer, after

    answer, after = async_to_sync(scenario)()
    assert answer == {"nack": "kw-juliette", "status": 400, "code": "bad_text",
                      "error": "Invalid text."}
    assert after["version"] == before == version_of(seated)


# --- Through the POST fallback ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "fields",
    [{"command_id": "short"}, {"command_id": "x" * 65}, {"command_id": "pas d’espace"},
     {"version": "1.5"}, {"version": "١"}, {"version": "-1"}, {"urgent": "peut-être"}],
)
def test_the_fallback_post_refuses_a_malformed_id_or_version(session, facilitator, participant,
                                                             fields):
    live.apply(session.pk, participant, {"type": "join"}, None)
    client = Client()
    client.force_login(facilitator)
    response = client.post(f"/s/{session.pk}/do/", {"type": "start", **fields})
    assert response.status_code == 400
    assert response.content.decode() == "Valeur invalide."
    assert Session.objects.get(pk=session.pk).stage == "lobby"


def test_a_version_written_with_leading_zeros_reads_as_its_number():
    """Found by the property above: digits are a number whatever their count, under the limit."""
    assert commands.parse({"type": "pass", "version": "0" * 17})[1] == 0
    assert commands.parse({"type": "pass", "version": "0" * 20 + "42"})[1] == 42
    with pytest.raises(flow.FlowError):
        commands.parse({"type": "pass", "version": "9" * 17})


@pytest.mark.parametrize(
    "value, wanted",
    [("12 12 7", [12, 12, 7]), ("12,7", [12, 7]), ("", []), ([3, 3], [3, 3]), ([], [])],
)
def test_subject_ids_read_as_a_form_or_a_socket_sends_them(value, wanted):
    assert commands.parse({"type": "vote", "subjects": value})[0]["subjects"] == wanted
    assert commands.parse({"type": "choose", "order": value})[0]["order"] == wanted


@pytest.mark.parametrize(
    "value", ["1 deux", "1.5", [1.5], [True], ["a"], 3, None, {"a": 1}, " ".join(["1"] * 101)]
)
def test_subject_ids_that_are_not_whole_numbers_are_refused(value):
    with pytest.raises(flow.FlowError) as refused:
        commands.parse({"type": "vote", "subjects": value})
    assert refused.value.code == "bad_subject"


@pytest.mark.parametrize(
    "data, wanted",
    [
        ({"person": "4", "subject": "true"}, {"person": 4, "subject": True}),
        ({"person": "", "subject": "false"}, {"person": None, "subject": False}),
        ({"person": None}, {"person": None}),
        ({"person": "4"}, {"person": 4}),
    ],
)
def test_a_role_is_named_for_the_subject_or_the_session_or_held_by_nobody(data, wanted):
    command = commands.parse({"type": "set_role", "role": "secretaire", **data})[0]
    assert command == {"type": "set_role", "role": "secretaire", **wanted}
    # Elsewhere, "subject" is a subject's id.
    with pytest.raises(flow.FlowError):
        commands.parse({"type": "override", "subject": "true"})
