"""The display for screen sharing (``/s/<id>/ecran/``) and the live page's turn cues.

The display is read only and members only; it shows the stage, the phase, the current
subject's keyword and owner, who speaks, the turn order and the clocks, and nothing else of
the group's subjects; opening it takes no seat; its socket refuses every command.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from intervision.asgi import application
from sessions_app import flow, live, render
from sessions_app.models import Session
from tests import pages

from .test_consumers import TIMEOUT, cookie_for, version_of


def display_url(session):
    return f"/s/{session.pk}/ecran/"


def state_of(session) -> flow.State:
    return Session.objects.get(pk=session.pk).flow_state()


def run(session, facilitator, *commands):
    for command in commands:
        live.apply(session.pk, facilitator, command, None)


@pytest.fixture
def seated(session, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    return session


@pytest.fixture
def in_clarification(seated, facilitator):
    """Juliette's « délégation » in clarification; Dragos's « recrutement » waits; Paul
    asked a question whose text is the group's."""
    run(
        seated,
        facilitator,
        {"type": "start"},
        {"type": "propose", "keyword": "délégation"},  # Juliette
        {"type": "propose", "keyword": "recrutement"},  # Dragos
        {"type": "pass"},  # Amina
        {"type": "pass"},  # Paul
        {"type": "close_triage"},
        {"type": "begin_subject"},
        {"type": "done"},  # Juliette's exposé
        {"type": "speak", "text": "Depuis quand ce problème de délégation ?"},  # Dragos
    )
    return seated


# --- The page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["facilitator", "organiser", "participant"])
def test_members_see_the_display(request, client, in_clarification, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(display_url(in_clarification))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clarification" in body
    assert "« délégation »" in body and "(Juliette)" in body  # the current subject, its owner
    assert '<p class="speaker-name">Amina</p>' in body  # Dragos asked, Amina's turn
    assert "Ensuite\u00a0:" in body and "<strong>Paul</strong>" in body
    assert "a parlé" in body  # the turn order says who spoke
    assert 'class="clock"' in body  # the phase and session clocks
    assert f"/ws/session/{in_clarification.pk}/ecran/" in body


def test_the_display_shows_nothing_of_the_subjects_beyond_the_current_keyword(
    client, in_clarification, participant
):
    client.force_login(participant)
    # The same person's session page shows all three, at the same moment…
    page = client.get(f"/s/{in_clarification.pk}/").content.decode()
    assert "recrutement" in page and "Depuis quand" in page
    assert "hx-post" in page and "<form" in page.split("<main", 1)[1].split("</main>")[0]
    # …the display shows the current keyword and none of them.
    response = client.get(display_url(in_clarification))
    assert response.status_code == 200
    body = response.content.decode()
    assert "« délégation »" in body
    assert "recrutement" not in body  # a waiting subject
    assert "Depuis quand" not in body  # a contribution's text
    assert "hx-post" not in body and "<form" not in body.split("<main", 1)[1].split("</main>")[0]


@pytest.mark.parametrize("persona", ["outsider", "other_group_member", "removed_member"])
def test_non_members_get_404_and_learn_nothing(request, client, in_clarification, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in (display_url(in_clarification), display_url(in_clarification) + "live/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "délégation" not in response.content.decode()


def test_opening_the_display_takes_no_seat(client, session, participants):
    juliette = participants[0]
    client.force_login(juliette)
    assert client.get(display_url(session)).status_code == 200
    assert juliette.pk not in state_of(session).seating
    # The session page itself still seats her (its arrival).
    pages.open_page(client, session)
    assert juliette.pk in state_of(session).seating


def test_the_display_polls_its_own_region(client, in_clarification, participant):
    client.force_login(participant)
    url = display_url(in_clarification) + "live/"
    response = client.get(url)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="live" class="display-live')
    assert "recrutement" not in body and "Je passe" not in body
    version = version_of(in_clarification)
    assert client.get(url, {"v": version}).status_code == 204
    assert client.get(url, {"v": version - 1}).status_code == 200


def test_display_of_an_ended_session(client, in_clarification, facilitator):
    client.force_login(facilitator)
    before = client.get(display_url(in_clarification)).content.decode()
    assert "« délégation »" in before and "Séance terminée" not in before
    run(in_clarification, facilitator, {"type": "end"})
    response = client.get(display_url(in_clarification))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Séance terminée" in body and "délégation" not in body


def test_the_display_context_carries_no_subject_list(in_clarification):
    context = render.display_context(live.snapshot(Session.objects.get(pk=in_clarification.pk)))
    forbidden = {"state", "subjects", "handled", "contributions", "takeable", "actions"}
    assert context["keyword"] == "délégation"
    assert not set(context) & forbidden
    assert set(context["snap"]) == {"id", "title", "duration"}


# --- Where the display is offered, and the page's turn cues --------------------------------


def test_the_facilitator_is_offered_the_display_and_a_participant_is_not(
    client, in_clarification, facilitator, participant
):
    link = f'href="/s/{in_clarification.pk}/ecran/"'
    client.force_login(facilitator)
    assert link in client.get(f"/s/{in_clarification.pk}/").content.decode()
    client.force_login(participant)
    assert link not in client.get(f"/s/{in_clarification.pk}/").content.decode()


def test_the_lobby_offers_the_display_to_the_facilitator(client, seated, facilitator):
    client.force_login(facilitator)
    body = client.get(f"/s/{seated.pk}/").content.decode()
    assert "Affichage pour partage d’écran" in body


def test_the_page_carries_the_turn_cues_in_its_language(client, in_clarification, participant):
    client.force_login(participant)
    body = client.get(f"/s/{in_clarification.pk}/").content.decode()
    assert 'data-title-turn="À vous\u00a0!"' in body
    assert 'data-next-text="Vous êtes la prochaine personne à parler."' in body
    assert "Son quand c’est mon tour" in body and 'aria-pressed="false"' in body
    assert "js/turn.js" in body
    client.cookies["django_language"] = "en"
    english = client.get(f"/s/{in_clarification.pk}/").content.decode()
    assert 'data-title-turn="Your turn!"' in english
    assert "You are the next person to speak." in english


# --- The display's socket ---------------------------------------------------------------------


def display_socket(session_id, cookie):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, f"/ws/session/{session_id}/ecran/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_display_socket_follows_the_session_and_refuses_commands(
    seated, facilitator, participant
):
    cookie = cookie_for(facilitator)  # even the facilitator cannot drive from the display

    async def scenario():
        communicator = display_socket(seated.pk, cookie)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.send_json_to({
            "type": "command", "id": "display-cmd-1",
            "command": {"type": "start"}, "version": first["version"],
        })
        refused = await communicator.receive_json_from(timeout=TIMEOUT)
        snap = await database_sync_to_async(live.apply)(
            seated.pk, facilitator, {"type": "start"}, None
        )
        update = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return first, refused, snap, update

    first, refused, snap, update = async_to_sync(scenario)()
    assert 'class="display-live' in first["html"] and "Accueil" in first["html"]
    assert "Commencer le tour de mots-clés" not in first["html"]
    assert refused["nack"] == "display-cmd-1" and refused["code"] == "read_only"
    assert "Cet affichage ne sert qu’à regarder" in refused["error"]
    # Only the start was applied: the display's command changed nothing.
    assert update["version"] == snap["version"] == version_of(seated) == first["version"] + 1
    assert "Tour de mots-clés" in update["html"] and 'class="display-live' in update["html"]


@pytest.mark.django_db(transaction=True)
def test_the_display_socket_refuses_non_members(seated, outsider):
    cookie = cookie_for(outsider)

    async def scenario():
        communicator = display_socket(seated.pk, cookie)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_the_display_is_rendered_once_per_version(in_clarification, monkeypatch):
    snap = live.snapshot(Session.objects.get(pk=in_clarification.pk))
    calls = []
    real = render.display_context

    def counted(snapshot, audience):
        calls.append(audience)
        return real(snapshot)

    monkeypatch.setitem(render.CONTEXTS, render.DISPLAY, counted)
    first = render.live_frame(snap, render.DISPLAY, "fr")
    assert render.live_frame(snap, render.DISPLAY, "fr") == first
    assert len(calls) == 1
    assert render.live_frame(snap, "participant", "fr") != first


def test_the_display_says_in_words_when_the_phase_or_the_session_runs_over(
    client, in_clarification, participant
):
    """The whole visio sees the display: an overrun is written there as on the session page
    (shown by the page's clock at its moment), never with the facilitator's buttons."""
    session = Session.objects.get(pk=in_clarification.pk)
    state = session.flow_state()
    assert state.phase_started_at is not None
    session.state = {**state.to_dict(), "phase_started_at": state.phase_started_at - 3600}
    session.save(update_fields=["state"])
    client.force_login(participant)
    page = client.get(display_url(session)).content.decode()
    live_region = page[page.index('<section id="live"'):page.index("</section>")]
    assert (
        "Le temps de la phase «\u00a0Clarification\u00a0» (15\u00a0min) est dépassé."
        in live_region
    )
    assert "La séance a dépassé sa durée prévue (2\u00a0h)." in live_region
    assert 'class="overrun" data-due="' in live_region
    assert "<button" not in live_region
    assert 'id="clock-announce"' in page and "js/clock.js" in page
