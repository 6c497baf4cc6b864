"""Time on the live page: "+2 min" through the POST and the socket, who may give it, the
clocks with their unit, the overrun messages and the order stage's planner."""

import time

import pytest
from asgiref.sync import async_to_sync

from sessions_app import flow, live, texts
from sessions_app.models import Session

from .test_consumers import command as socket_command
from .test_consumers import connect as socket_connect
from .test_consumers import cookie_for, frame_html, frames_until
from .test_session_views import OUTSIDERS, current, do, live_url, page_url, text

NBSP = "\u00a0"


def to_order(session, facilitator, participants, keywords=("équilibre", "recrutement")):
    """Everyone seated, a keyword round where the first people propose: the order stage."""
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    for keyword in keywords:
        live.apply(session.pk, facilitator, {"type": "propose", "keyword": keyword}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    return session


def to_subject(session, facilitator, participants):
    to_order(session, facilitator, participants)
    live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    return session


def set_state(session, **changes):
    """Move the stored state in time (a phase begun long ago), as a clock would."""
    session.refresh_from_db()
    session.state = {**session.state, **changes}
    session.save(update_fields=["state"])


@pytest.fixture
def running(session, facilitator, participants):
    return to_subject(session, facilitator, participants)


# --- "+2 min" through the page's POST -------------------------------------------------------


def test_facilitator_gives_two_more_minutes(client, running, facilitator):
    client.force_login(facilitator)
    before = current(running)
    response = do(client, running, type="extend", minutes=2)
    assert response.status_code == 200
    after = current(running)
    assert after.version == before.version + 1
    assert flow.phase_box(after) == pytest.approx(12, abs=0.1)
    # The page now says the exposé's box is 12 minutes.
    assert f"sur 12{NBSP}min" in text(response)


def test_two_more_minutes_default_to_two(client, running, facilitator):
    client.force_login(facilitator)
    assert do(client, running, type="extend").status_code == 200
    assert flow.phase_box(current(running)) == pytest.approx(12, abs=0.1)


def test_a_participant_cannot_give_more_time(client, running, participants):
    owner = participants[0]  # the first subject is Juliette's: she is speaking
    client.force_login(owner)
    before = current(running)
    response = do(client, running, type="extend")
    assert response.status_code == 400
    assert "Seule la personne qui anime" in text(response)
    assert current(running) == before


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_cannot_give_more_time(request, client, running, persona):
    client.force_login(request.getfixturevalue(persona))
    before = current(running)
    assert do(client, running, type="extend").status_code == 404
    assert current(running) == before


@pytest.mark.parametrize("minutes", ["0", "31", "deux", "-2", "2.5"])
def test_bad_minutes_are_refused_and_change_nothing(client, running, facilitator, minutes):
    client.force_login(facilitator)
    before = current(running)
    response = do(client, running, type="extend", minutes=minutes)
    assert response.status_code == 400
    assert "Valeur invalide." in text(response)
    assert current(running) == before


def test_more_time_outside_a_phase_is_refused(client, session, facilitator, participants):
    to_order(session, facilitator, participants)
    client.force_login(facilitator)
    response = do(client, session, type="extend")
    assert response.status_code == 400
    assert "phase en cours" in text(response)


# --- "+2 min" over the socket ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_more_minutes_over_the_socket_reach_every_page(session, facilitator, participants):
    to_subject(session, facilitator, participants)
    cookies = [cookie_for(facilitator), cookie_for(participants[1])]
    before = Session.objects.get(pk=session.pk).version

    async def scenario():
        lucie, _ = await socket_connect(session.pk, cookies[0])
        dragos, _ = await socket_connect(session.pk, cookies[1])
        await lucie.send_json_to(socket_command("extend-0001", "extend", before, minutes=5))
        to_lucie = await frames_until(lucie, "ack")
        to_dragos = await dragos.receive_json_from(timeout=5)
        refused = None
        await dragos.send_json_to(socket_command("extend-0002", "extend", before + 1))
        refused = (await frames_until(dragos, "nack"))[-1]
        for communicator in (lucie, dragos):
            await communicator.disconnect()
        return to_lucie, to_dragos, refused

    to_lucie, to_dragos, refused = async_to_sync(scenario)()
    assert {"ack": "extend-0001", "version": before + 1} in to_lucie
    assert to_dragos["version"] == before + 1
    assert f"sur 15{NBSP}min" in frame_html(to_dragos)
    assert refused["code"] == "facilitator_only"
    state = Session.objects.get(pk=session.pk).flow_state()
    assert state.version == before + 1
    assert flow.phase_box(state) == pytest.approx(15, abs=0.1)


# --- Clocks and overruns on the page --------------------------------------------------------


def test_the_clocks_say_their_unit(client, running, participant):
    client.force_login(participant)
    page = text(client.get(page_url(running)))
    assert f"sur 10{NBSP}min" in page  # the exposé's box
    assert f"sur 2{NBSP}h" in page  # the session's 120 minutes
    assert " / 120 min" not in page


def test_the_clocks_say_their_unit_in_english(client, running, participant):
    client.force_login(participant)
    client.cookies["django_language"] = "en"
    page = text(client.get(page_url(running)))
    assert f"of 2{NBSP}h" in page


def test_a_long_session_reads_in_hours_and_minutes():
    assert texts.duration_label(45) == f"45{NBSP}min"
    assert texts.duration_label(60) == f"1{NBSP}h"
    assert texts.duration_label(65) == f"1{NBSP}h{NBSP}05"
    assert texts.duration_label(150) == f"2{NBSP}h{NBSP}30"


def test_everyone_gets_the_overrun_message_and_only_the_facilitator_its_buttons(
    client, running, facilitator, participants
):
    set_state(running, phase_started_at=time.time() - 11 * 60)
    client.force_login(participants[1])
    page = text(client.get(live_url(running)))
    due = flow.phase_due(current(running))
    assert f'data-due="{due:.3f}"' in page
    assert f"Le temps de la phase «{NBSP}Exposé{NBSP}» (10{NBSP}min) est dépassé." in page
    assert '"type": "extend"' not in page
    client.force_login(facilitator)
    page = text(client.get(live_url(running)))
    assert '"type": "extend", "minutes": 2' in page
    assert "Passer à la suite" in page


def test_the_session_overrun_offers_the_facilitator_to_end(client, running, facilitator):
    client.force_login(facilitator)
    page = text(client.get(live_url(running)))
    started = current(running).started_at
    assert started is not None
    assert f'data-due="{started + 120 * 60:.3f}"' in page
    assert f"La séance a dépassé sa durée prévue (2{NBSP}h)." in page


def test_an_ended_session_runs_over_nothing(client, running, facilitator):
    # Over its phase and over the session's two hours: both overruns shown while it runs…
    long_ago = time.time() - 3 * 60 * 60
    set_state(running, started_at=long_ago, phase_started_at=long_ago)
    client.force_login(facilitator)
    page = text(client.get(live_url(running)))
    assert page.count('class="overrun"') == 2, page
    assert "est dépassé." in page and "La séance a dépassé sa durée prévue" in page
    # …and none once it has ended.
    live.apply(running.pk, facilitator, {"type": "end"}, None)
    page = text(client.get(live_url(running)))
    assert "Séance terminée" in page
    assert 'class="overrun"' not in page
    assert "dépassé" not in page


# --- The planner in the order stage -----------------------------------------------------------


def test_a_participant_sees_the_order_and_the_planner(client, session, facilitator, participants):
    to_order(session, facilitator, participants, ("un", "deux", "trois"))
    # Two hours, 55 minutes a subject: two subjects fit, the third will likely wait.
    client.force_login(participants[3])
    page = text(client.get(live_url(session)))
    planner = page[page.index('class="card planner"') :]
    assert planner.index("«\u00a0un\u00a0»") < planner.index("«\u00a0deux\u00a0»")
    assert planner.index("«\u00a0deux\u00a0»") < planner.index("«\u00a0trois\u00a0»")
    assert f"Un sujet prend environ 55{NBSP}min." in planner
    assert planner.count('class="plan-row fits"') == 2
    assert planner.count('class="plan-row waits"') == 1


def test_the_planner_replans_with_the_time_left(client, session, facilitator, participants):
    to_order(session, facilitator, participants, ("un", "deux"))
    set_state(session, started_at=time.time() - 60 * 60)  # one hour already gone
    client.force_login(participants[0])
    page = text(client.get(live_url(session)))
    assert page.count('class="plan-row fits"') == 1
    assert page.count('class="plan-row waits"') == 1


def test_an_absent_owners_subject_waits_for_them(client, session, facilitator, participants):
    to_order(session, facilitator, participants, ("un", "deux"))
    live.apply(
        session.pk, facilitator,
        {"type": "set_absent", "person": participants[0].pk, "absent": True}, None,
    )
    client.force_login(facilitator)
    page = text(client.get(live_url(session)))
    assert page.count('class="plan-row away"') == 1
    assert "absent·e" in page


def test_the_planner_says_when_nothing_waits(client, session, facilitator, participants):
    to_order(session, facilitator, participants, ())
    client.force_login(participants[0])
    page = text(client.get(live_url(session)))
    assert "Aucun sujet en attente." in page
