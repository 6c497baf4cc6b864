"""Presence through the pages: who opening the page seats, what their page tells them, the
facilitator's presence controls at any stage, and facilitator changes pushed to open pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participants.models import Membership
from sessions_app import flow, formats, live
from sessions_app.models import Format, Registration, Session
from tests import pages
from tests.conftest import make_user
from tests.sessions_app.test_scheduling import schedule_data

NEXT_ROUND = "Vous êtes à la table\u00a0: vous rejoignez le tour de table au prochain tour."


def state_of(session) -> flow.State:
    session.refresh_from_db()
    return session.flow_state()


def open_page(client, user, session) -> str:
    client.force_login(user)
    response = pages.open_page(client, session)
    assert response.status_code == 200
    return response.content.decode()


def do(client, user, session, **data):
    client.force_login(user)
    data.setdefault("version", state_of(session).version)
    return client.post(f"/s/{session.pk}/do/", data)


@pytest.fixture
def broadcasts(monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(live, "broadcast", sent.append)
    return sent


@pytest.fixture
def clarification(session, facilitator, participants):
    """Juliette's subject, in its first clarification round; Dragos and Amina at the table,
    Paul not yet arrived."""
    juliette, dragos, amina, _paul = participants
    for person in (juliette, dragos, amina):
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    live.apply(session.pk, juliette, {"type": "propose", "keyword": "feedback"}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    live.apply(session.pk, juliette, {"type": "done"}, None)
    state = state_of(session)
    assert state.current_phase.key == "clarification" and state.queue == (dragos.pk, amina.pk)
    return session


# --- Who opening the page seats -----------------------------------------------------------


def test_a_page_opened_days_before_the_session_shows_it_and_seats_nobody(
    client, group, participant
):
    session = Session.objects.create(
        group=group, format=group.format, title="Dans deux semaines",
        scheduled_at=timezone.now() + timedelta(days=14),
    )
    page = open_page(client, participant, session)
    assert "Dans deux semaines" in page
    assert "La séance n’est pas encore ouverte" in page
    assert state_of(session).seating == ()
    assert session.events.count() == 0


def test_registration_is_the_expected_table_and_the_waitlist_is_respected(
    client, group, session, participants
):
    group.capacity = 2
    group.save()
    juliette, dragos, amina, paul = participants
    Registration.objects.create(session=session, user=dragos)
    Registration.objects.create(session=session, user=amina)
    Registration.objects.create(session=session, user=paul, status=Registration.WAITLIST)

    page = open_page(client, paul, session)
    assert "Vous êtes sur la liste d’attente" in page
    page = open_page(client, juliette, session)  # did not register: the table is full
    assert "La séance est complète et vous n’y êtes pas inscrit·e" in page
    open_page(client, amina, session)
    open_page(client, dragos, session)
    assert state_of(session).seating == (amina.pk, dragos.pk)


def test_a_member_who_did_not_register_is_seated_while_there_is_room(client, session, participants):
    juliette, dragos = participants[:2]
    Registration.objects.create(session=session, user=dragos)
    page = open_page(client, juliette, session)
    assert state_of(session).seating == (juliette.pk,)
    assert "pas à la table" not in page


def test_someone_marked_absent_who_opens_the_page_again_is_back(
    client, clarification, participants
):
    amina = participants[2]
    state = state_of(clarification)
    live.apply(
        clarification.pk,
        clarification.facilitators.first(),
        {"type": "set_absent", "person": amina.pk, "absent": True},
        None,
    )
    assert amina.pk in state_of(clarification).absent
    open_page(client, amina, clarification)
    after = state_of(clarification)
    assert amina.pk in after.present and after.version == state.version + 2


def test_in_a_self_managed_group_every_member_who_opens_the_page_is_seated(
    client, group, session, facilitator, participants
):
    group.facilitation = "self"
    group.save()
    session.facilitators.clear()
    for person in (facilitator, *participants):
        open_page(client, person, session)
    assert state_of(session).seating == (facilitator.pk, *(p.pk for p in participants))


@pytest.mark.parametrize("take_part", [True, False])
def test_whether_the_facilitator_is_seated_is_the_sessions_choice(
    client, session, facilitator, take_part
):
    session.facilitators_take_part = take_part
    session.save()
    page = open_page(client, facilitator, session)
    assert (facilitator.pk in state_of(session).seating) is take_part
    assert "Commencer le tour de mots-clés" in page  # and drives either way


def test_the_scheduling_form_offers_the_choice_checked_for_an_organiser(
    client, group, organiser, facilitator
):
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert 'id="id_facilitators_take_part" checked>' in page
    client.force_login(facilitator)
    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert 'id="id_facilitators_take_part">' in page
    client.force_login(organiser)
    client.post(
        f"/g/{group.pk}/sessions/new/",
        schedule_data(organiser, facilitators_take_part="on"),
    )
    assert Session.objects.get().facilitators_take_part is True


# --- A late arrival and a departure mid-round -----------------------------------------------


def test_a_late_arrival_is_seated_told_where_they_are_and_seen_by_the_facilitator(
    client, clarification, facilitator, participants
):
    paul = participants[3]
    page = open_page(client, paul, clarification)
    state = state_of(clarification)
    assert paul.pk in state.seating and paul.pk not in state.queue
    assert f'data-only-for="{paul.pk}" role="status"' in page
    assert NEXT_ROUND in page
    facilitator_page = open_page(client, facilitator, clarification)
    assert "au prochain tour" in facilitator_page
    assert f'data-person="{paul.pk}">Paul</span>' in facilitator_page


def test_the_facilitator_marks_someone_absent_and_back_mid_round(
    client, clarification, facilitator, participants
):
    dragos, amina = participants[1:3]
    response = do(client, facilitator, clarification, type="set_absent", person=dragos.pk,
                  absent="true")
    assert response.status_code == 200
    state = state_of(clarification)
    assert state.speaker == amina.pk, "the one whose turn it was is skipped"
    assert "Marquer Dragos présent·e" in response.content.decode()
    response = do(client, facilitator, clarification, type="set_absent", person=dragos.pk,
                  absent="false")
    assert dragos.pk in state_of(clarification).present


def test_a_participant_cannot_mark_someone_absent(client, clarification, participants):
    juliette, dragos = participants[:2]
    before = state_of(clarification)
    response = do(client, juliette, clarification, type="set_absent", person=dragos.pk,
                  absent="true")
    assert response.status_code == 400
    assert state_of(clarification) == before


def test_an_absent_owners_subject_is_shown_as_such_and_not_proposed_next(
    client, session, facilitator, participants
):
    juliette, dragos, amina = participants[:3]
    for person in (juliette, dragos):
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    live.apply(session.pk, juliette, {"type": "propose", "keyword": "budget"}, None)
    live.apply(session.pk, dragos, {"type": "propose", "keyword": "feedback"}, None)
    live.apply(session.pk, facilitator, {"type": "close_triage"}, None)
    live.apply(session.pk, facilitator, {"type": "set_absent", "person": juliette.pk}, None)
    page = open_page(client, facilitator, session)
    assert "absent·e" in page
    assert "Prochain sujet\u00a0: «\u00a0feedback\u00a0» (Dragos)." in page
    assert amina.pk not in state_of(session).seating


# --- Facilitator changes reach open pages ----------------------------------------------------


def test_naming_another_facilitator_of_a_running_session_is_broadcast_after_commit(
    client, clarification, organiser, facilitator, participants, broadcasts,
    django_capture_on_commit_callbacks,
):
    dragos = participants[1]
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{clarification.pk}/edit/", schedule_data(dragos))
    assert response.status_code == 302
    assert broadcasts and broadcasts[-1]["facilitators"] == [dragos.pk]
    # The new facilitator's page now drives; the former one's no longer does.
    client.force_login(dragos)
    assert "Terminer la phase" in client.get(f"/s/{clarification.pk}/live/").content.decode()
    client.force_login(facilitator)
    assert "Terminer la phase" not in client.get(f"/s/{clarification.pk}/live/").content.decode()


def test_an_edit_that_keeps_the_facilitators_broadcasts_nothing(
    client, clarification, organiser, facilitator, broadcasts, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{clarification.pk}/edit/", schedule_data(facilitator, title="Autre"))
    assert broadcasts == []


def test_removing_the_facilitator_from_the_group_is_broadcast(
    clarification, group, facilitator, organiser, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.get(group=group, user=facilitator).remove()
    assert broadcasts and facilitator.pk not in broadcasts[-1]["facilitators"]
    assert organiser.pk in broadcasts[-1]["facilitators"]  # the group's facilitators drive


def test_outsiders_get_nothing_of_the_presence_controls(client, clarification, participants):
    stranger = make_user("Xavier")
    client.force_login(stranger)
    response = client.post(
        f"/s/{clarification.pk}/do/",
        {"type": "join", "version": state_of(clarification).version},
    )
    assert response.status_code == 404
    assert stranger.pk not in state_of(clarification).seating


@pytest.mark.parametrize(
    ("language", "absent", "present", "confirm", "tag"),
    [
        ("fr", "Marquer Dragos absent·e", "Marquer Amina présent·e",
         "Marquer Dragos absent·e\u00a0? Son tour sera passé jusqu’à son retour.",
         "au prochain tour"),
        ("en", "Mark Dragos absent", "Mark Amina present",
         "Mark Dragos absent? Their turn will be skipped until they are back.",
         "next round"),
    ],
)
def test_the_presence_card_names_each_person_in_the_pages_language(
    client, clarification, facilitator, participants, language, absent, present, confirm, tag
):
    dragos, amina, paul = participants[1:4]
    live.apply(clarification.pk, facilitator, {"type": "set_absent", "person": amina.pk,
                                                "absent": True}, None)
    live.apply(clarification.pk, facilitator, {"type": "join", "person": paul.pk}, None)
    # A name is text, never markup, in a label as in the card.
    paul.display_name = 'Paul <b>"P"</b>'
    paul.save()
    client.cookies["django_language"] = language
    page = open_page(client, facilitator, clarification)
    assert f'aria-label="{absent}"' in page
    assert f'hx-confirm="{confirm}"' in page
    assert f'aria-label="{present}"' in page
    assert "Paul &lt;b&gt;&quot;P&quot;&lt;/b&gt;" in page and "<b>" not in page
    card = page[page.index("presence-card"):]
    assert card.count('class="tag next-round"') == 1 and tag in card


# --- Whether the person who facilitates takes part (issue 23) --------------------------------


def test_scheduling_a_codev_session_leaves_the_facilitator_out_of_the_table_by_default(
    client, group, organiser
):
    """003: in codéveloppement the animateur does not consult; in intervision (000) the
    organisers take part."""
    group.format = "codev"
    group.save()
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert 'id="id_facilitators_take_part">' in page


def test_unchecking_the_box_takes_the_facilitator_off_the_table_at_once(
    client, session, organiser, facilitator, participants, broadcasts,
    django_capture_on_commit_callbacks,
):
    juliette = participants[0]
    session.facilitators_take_part = True
    session.save()
    open_page(client, facilitator, session)
    open_page(client, juliette, session)
    live.apply(session.pk, facilitator, {"type": "set_absent", "person": facilitator.pk}, None)
    assert state_of(session).seating == (facilitator.pk, juliette.pk)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{session.pk}/edit/", schedule_data(facilitator))
    assert response.status_code == 302
    state = state_of(session)
    assert state.seating == (juliette.pk,) and state.absent == ()
    # Every open page is told, through the live path: the change is an event of the session.
    assert broadcasts and list(broadcasts[-1]["state"]["seating"]) == [juliette.pk]
    assert session.events.filter(command__type="unseat").count() == 1
    # She still drives, and opening the page again does not seat her.
    page = open_page(client, facilitator, session)
    assert "Commencer le tour de mots-clés" in page
    assert state_of(session).seating == (juliette.pk,)


def test_unchecking_the_box_mid_round_moves_the_turn_on(
    client, clarification, organiser, facilitator, participants, broadcasts,
    django_capture_on_commit_callbacks,
):
    """She was seated (and in the round); leaving, her turn is skipped and she is out of
    the next rounds, not counted absent."""
    dragos, amina = participants[1:3]
    clarification.facilitators_take_part = True
    clarification.save()
    live.apply(clarification.pk, facilitator, {"type": "join"}, None)
    assert facilitator.pk in state_of(clarification).seating
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{clarification.pk}/edit/", schedule_data(facilitator))
    state = state_of(clarification)
    assert facilitator.pk not in state.seating and facilitator.pk not in state.absent
    assert state.speaker == dragos.pk and state.next_speaker == amina.pk


def test_an_edit_that_keeps_the_box_checked_leaves_the_table_alone(
    client, session, organiser, facilitator, django_capture_on_commit_callbacks
):
    session.facilitators_take_part = True
    session.save()
    open_page(client, facilitator, session)
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/s/{session.pk}/edit/", schedule_data(facilitator, facilitators_take_part="on")
        )
    assert state_of(session).seating == (facilitator.pk,)


def test_a_participants_lobby_lists_absent_people_apart_from_those_present(
    client, session, facilitator, participants
):
    juliette, dragos = participants[:2]
    for person in (juliette, dragos):
        open_page(client, person, session)
    live.apply(session.pk, facilitator, {"type": "set_absent", "person": dragos.pk}, None)
    page = open_page(client, juliette, session)
    present = page[page.index("<h3>Présents</h3>"):page.index("<h4>Absents</h4>")]
    assert "Juliette" in present and "Dragos" not in present
    absent = page[page.index("<h4>Absents</h4>"):]
    assert f'data-person="{dragos.pk}">Dragos</span>' in absent[: absent.index("</ul>")]


def test_a_groups_default_codev_format_leaves_the_box_unchecked_too(client, group, organiser):
    Format.objects.create(group=group, name="Codév maison", base="codev", is_default=True,
                          phases=formats.preset_rows("codev"))
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/sessions/new/").content.decode()
    assert 'id="id_facilitators_take_part">' in page
