"""The live session's pages and commands through the Django test client.

Who may see and do what; bad input changes nothing; undo; the broadcast after commit;
query counts that do not grow with the group.
"""

import asyncio
from datetime import date

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from participants.models import Group, Membership
from sessions_app import flow, live
from sessions_app.models import Contribution, Event, Session, Subject
from tests import pages
from tests.conftest import make_user

MEMBERS = ("facilitator", "organiser", "participant")
OUTSIDERS = ("outsider", "other_group_member", "removed_member")


def page_url(session):
    return f"/s/{session.pk}/"


def live_url(session):
    return f"/s/{session.pk}/live/"


def do_url(session):
    return f"/s/{session.pk}/do/"


def current(session) -> flow.State:
    session.refresh_from_db()
    return flow.State.from_dict(session.state) if session.state else session.flow_state()


def do(client, session, **data):
    """POST a command as the page does, with the version the page shows."""
    if "version" not in data:
        data["version"] = current(session).version
    elif data["version"] is None:
        del data["version"]
    return client.post(do_url(session), data)


def seat(session, people):
    for person in people:
        live.apply(session.pk, person, {"type": "join"}, None)


@pytest.fixture
def seated(session, participants):
    seat(session, participants)
    return session


@pytest.fixture
def triage(seated, facilitator):
    live.apply(seated.pk, facilitator, {"type": "start"}, None)
    return seated


@pytest.fixture
def broadcasts(monkeypatch):
    """Snapshots handed to the channel layer, in order."""
    sent: list[dict] = []
    monkeypatch.setattr(live, "broadcast", sent.append)
    return sent


def text(response):
    return response.content.decode()


# --- Who sees the session -------------------------------------------------------------------


@pytest.mark.parametrize("persona", MEMBERS)
def test_members_see_the_session_page(request, client, session, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(page_url(session))
    assert response.status_code == 200
    assert "Séance de mars" in text(response)
    assert 'id="live"' in text(response)


@pytest.mark.parametrize("persona", MEMBERS)
def test_members_get_the_live_region(request, client, seated, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(live_url(seated))
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<section id="live"')
    assert f'data-version="{current(seated).version}"' in text(response)


def test_live_region_is_empty_when_the_page_is_up_to_date(client, seated, participant):
    client.force_login(participant)
    version = current(seated).version
    assert client.get(live_url(seated), {"v": version}).status_code == 204
    assert client.get(live_url(seated), {"v": version - 1}).status_code == 200


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("method,url", [("get", page_url), ("get", live_url), ("post", do_url)])
def test_outsiders_get_404_everywhere(request, client, triage, persona, method, url):
    client.force_login(request.getfixturevalue(persona))
    before = current(triage)
    response = getattr(client, method)(url(triage), {"type": "pass", "version": before.version})
    assert response.status_code == 404
    assert current(triage) == before


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsider_cannot_tell_a_session_exists(request, client, session, persona):
    client.force_login(request.getfixturevalue(persona))
    missing = Session.objects.order_by("-pk").first().pk + 1000
    assert client.get(f"/s/{missing}/").status_code == 404
    assert client.get(page_url(session)).status_code == 404
    assert text(client.get(f"/s/{missing}/")) == text(client.get(page_url(session)))


@pytest.mark.parametrize("method,url", [("get", page_url), ("get", live_url), ("post", do_url)])
def test_anonymous_is_sent_to_sign_in(client, triage, method, url):
    before = current(triage)
    response = getattr(client, method)(url(triage), {"type": "pass"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert current(triage) == before


def test_opening_the_page_takes_a_seat_in_arrival_order(client, session, participants):
    for person in reversed(participants):
        client.force_login(person)
        pages.open_page(client, session)
    assert current(session).seating == tuple(p.pk for p in reversed(participants))


def test_facilitator_does_not_take_a_seat(client, session, facilitator):
    client.force_login(facilitator)
    client.get(page_url(session))
    assert facilitator.pk not in current(session).seating


def test_removed_member_takes_no_seat(client, session, removed_member):
    client.force_login(removed_member)
    client.get(page_url(session))
    assert removed_member.pk not in current(session).seating


def test_facilitator_sees_the_controls_and_a_participant_does_not(
    client, seated, facilitator, participant
):
    client.force_login(facilitator)
    assert "Commencer le tour de mots-clés" in text(client.get(page_url(seated)))
    client.force_login(participant)
    page = text(client.get(page_url(seated)))
    assert "Commencer le tour de mots-clés" not in page
    assert "La séance va commencer" in page


# --- Acting on one's own turn ---------------------------------------------------------------


def test_participant_proposes_a_keyword_on_their_turn(client, triage, participants, broadcasts):
    juliette = participants[0]
    client.force_login(juliette)
    response = do(client, triage, type="propose", keyword="  équilibre  vie pro ")
    assert response.status_code == 200
    assert "équilibre vie pro" in text(response)
    subject = Subject.objects.get()
    assert (subject.owner, subject.keyword, subject.proposed_in) == (
        juliette,
        "équilibre vie pro",
        triage,
    )
    assert current(triage).speaker == participants[1].pk


def test_participant_cannot_act_out_of_turn(client, triage, participants):
    client.force_login(participants[1])
    before = current(triage)
    for data in ({"type": "pass"}, {"type": "propose", "keyword": "hors tour"}):
        response = do(client, triage, **data)
        assert response.status_code == 400
        assert "Ce n’est pas votre tour." in text(response)
    assert current(triage) == before
    assert not Subject.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"type": "start"},
        {"type": "skip"},
        {"type": "undo"},
        {"type": "next_phase"},
        {"type": "close_triage"},
        {"type": "end"},
        {"type": "shuffle"},
        {"type": "move", "delta": 1},
        {"type": "set_absent", "absent": "true"},
        {"type": "begin_subject"},
        {"type": "set_urgent", "urgent": "true"},
    ],
)
def test_participant_cannot_drive(client, triage, participants, data):
    juliette = participants[0]  # whose turn it is
    live.apply(triage.pk, juliette, {"type": "propose", "keyword": "un"}, None)
    data = dict(data)
    if data["type"] in ("move", "set_absent"):
        data["person"] = participants[2].pk
    if data["type"] == "set_urgent":
        data["subject"] = Subject.objects.get().pk
    client.force_login(participants[1])
    before = current(triage)
    events = Event.objects.count()
    response = do(client, triage, **data)
    assert response.status_code == 400
    assert "Seule la personne qui anime peut faire cela." in text(response)
    assert current(triage) == before
    assert Event.objects.count() == events


def test_owner_withdraws_their_own_subject_but_not_another(client, triage, participants):
    juliette, dragos = participants[:2]
    live.apply(triage.pk, juliette, {"type": "propose", "keyword": "à retirer"}, None)
    subject = Subject.objects.get()
    client.force_login(dragos)
    response = do(client, triage, type="withdraw", subject=subject.pk)
    assert response.status_code == 400
    assert "Seules la personne qui a proposé ce sujet" in text(response)
    client.force_login(juliette)
    assert do(client, triage, type="withdraw", subject=subject.pk).status_code == 200
    subject.refresh_from_db()
    assert subject.status == "withdrawn"


# --- Bad input changes nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    "data,message",
    [
        ({"type": "propose", "keyword": ""}, "Le texte est obligatoire."),
        ({"type": "propose", "keyword": "   "}, "Le texte est obligatoire."),
        ({"type": "propose"}, "Le texte est obligatoire."),
        ({"type": "propose", "keyword": "x" * 61}, "Texte trop long (60 caractères au plus)."),
        ({"type": "propose", "keyword": "x" * 100_000}, "Texte trop long"),
        ({"type": "drop_table"}, "Action inconnue."),
        ({"type": ""}, "Action inconnue."),
        ({}, "Action inconnue."),
        ({"type": "withdraw", "subject": "abc"}, "Sujet inconnu."),
        ({"type": "set_absent", "person": "1e3"}, "Personne inconnue"),
        ({"type": "take", "n": "un"}, "Sujet inconnu."),
        ({"type": "pass", "version": "douze"}, "Valeur invalide."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, triage, participant, data, message):
    client.force_login(participant)
    before = current(triage)
    response = do(client, triage, **data)
    assert response.status_code == 400
    assert message in text(response)
    assert current(triage) == before
    assert not Subject.objects.exists()


def test_stale_version_gets_a_conflict_and_changes_nothing(client, triage, facilitator, broadcasts):
    client.force_login(facilitator)
    stale = current(triage).version
    assert do(client, triage, type="pass", version=stale).status_code == 200
    after_first = current(triage)
    response = do(client, triage, type="pass", version=stale)
    assert response.status_code == 409
    assert "Quelqu’un d’autre vient d’agir" in text(response)
    assert current(triage) == after_first


def test_a_keyword_of_exactly_the_limit_is_accepted(client, triage, participant):
    client.force_login(participant)
    assert do(client, triage, type="propose", keyword="x" * 60).status_code == 200
    assert Subject.objects.get().keyword == "x" * 60


def test_get_on_the_command_url_is_refused(client, triage, facilitator):
    client.force_login(facilitator)
    assert client.get(do_url(triage), {"type": "end"}).status_code == 405
    assert current(triage).stage == "triage"


# --- A whole session, driven by the facilitator ---------------------------------------------


def test_facilitator_runs_a_whole_session(client, seated, facilitator, participants):
    juliette, dragos, amina, paul = participants
    client.force_login(facilitator)
    assert do(client, seated, type="move", person=paul.pk, delta=-1).status_code == 200
    assert current(seated).seating == (juliette.pk, dragos.pk, paul.pk, amina.pk)
    assert do(client, seated, type="start").status_code == 200
    assert do(client, seated, type="propose", keyword="délégation").status_code == 200  # Juliette
    assert do(client, seated, type="propose", keyword="recrutement").status_code == 200  # Dragos
    assert do(client, seated, type="skip").status_code == 200  # Paul is away
    assert do(client, seated, type="close_triage").status_code == 200
    recrutement = Subject.objects.get(keyword="recrutement")
    assert (
        do(client, seated, type="set_urgent", subject=recrutement.pk, urgent="true").status_code
        == 200
    )
    assert do(client, seated, type="begin_subject").status_code == 200
    state = current(seated)
    assert state.current == recrutement.pk and state.speaker == dragos.pk
    assert do(client, seated, type="done").status_code == 200  # exposé
    assert current(seated).queue == (paul.pk, amina.pk, juliette.pk)
    assert do(client, seated, type="speak", text="Depuis quand ?").status_code == 200
    assert do(client, seated, type="next_phase").status_code == 200  # enough questions
    for _ in range(3):
        assert do(client, seated, type="speak", text="Une piste").status_code == 200
    assert current(seated).current_phase.key == "panier"
    assert do(client, seated, type="take", n=2, taken="true", note="à tester").status_code == 200
    response = do(client, seated, type="done")
    assert response.status_code == 200
    assert "Ordre des sujets" in text(response)
    assert do(client, seated, type="end").status_code == 200

    recrutement.refresh_from_db()
    assert (recrutement.status, recrutement.handled_in) == ("handled", seated)
    delegation = Subject.objects.get(keyword="délégation")
    assert delegation.status == "open" and delegation.handled_in is None
    rows = list(
        Contribution.objects.filter(subject=recrutement).values_list(
            "person", "phase", "kind", "taken", "note"
        )
    )
    assert rows == [
        (paul.pk, "clarification", "question", False, ""),
        (paul.pk, "reaction", "reaction", True, "à tester"),
        (amina.pk, "reaction", "reaction", False, ""),
        (juliette.pk, "reaction", "reaction", False, ""),
    ]
    assert current(seated).stage == "ended"


def test_a_subject_left_open_is_carried_to_the_next_session(
    client, triage, facilitator, participants, group
):
    live.apply(triage.pk, participants[0], {"type": "propose", "keyword": "reste ouvert"}, None)
    client.force_login(facilitator)
    do(client, triage, type="end")
    following = Session.objects.create(group=group, format="intervision", title="Séance d’avril")
    following.facilitators.add(facilitator)
    page = text(client.get(page_url(following)))
    assert "reste ouvert" in page
    assert "séance précédente" in page


# --- Undo -----------------------------------------------------------------------------------


def test_facilitator_undoes_the_last_step(client, triage, facilitator, participants):
    juliette = participants[0]
    live.apply(triage.pk, juliette, {"type": "propose", "keyword": "oups"}, None)
    before_undo = current(triage)
    client.force_login(facilitator)
    response = do(client, triage, type="undo")
    assert response.status_code == 200
    state = current(triage)
    assert state.version == before_undo.version + 1
    assert state.speaker == juliette.pk
    assert state.subjects == ()
    assert not Subject.objects.exists()


def test_undo_twice_goes_back_two_steps(client, triage, facilitator, participants):
    live.apply(triage.pk, participants[0], {"type": "pass"}, None)
    live.apply(triage.pk, participants[1], {"type": "pass"}, None)
    client.force_login(facilitator)
    do(client, triage, type="undo")
    do(client, triage, type="undo")
    state = current(triage)
    assert state.turns == () and state.speaker == participants[0].pk


def test_undo_of_the_end_of_a_subject_forgets_its_records(
    client, triage, facilitator, participants
):
    live.apply(triage.pk, facilitator, {"type": "propose", "keyword": "sujet"}, None)
    live.apply(triage.pk, facilitator, {"type": "close_triage"}, None)
    for command in ("begin_subject", "done", "next_phase", "next_phase"):
        live.apply(triage.pk, facilitator, {"type": command}, None)
    live.apply(triage.pk, facilitator, {"type": "done"}, None)  # panier done: handled
    assert Subject.objects.get().status == "handled"
    client.force_login(facilitator)
    do(client, triage, type="undo")
    subject = Subject.objects.get()
    assert (subject.status, subject.handled_in) == ("open", None)
    assert current(triage).current_phase.key == "panier"


def test_nothing_to_undo(client, session, facilitator):
    client.force_login(facilitator)
    response = do(client, session, type="undo")
    assert response.status_code == 400
    assert "Rien à annuler." in text(response)


# --- Broadcast after commit -----------------------------------------------------------------


def test_a_command_is_broadcast_only_after_commit_with_its_version(
    client, triage, participant, broadcasts, django_capture_on_commit_callbacks
):
    client.force_login(participant)
    before = current(triage).version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = do(client, triage, type="pass")
        assert broadcasts == [], "broadcast before the transaction committed"
    assert response.status_code == 200
    assert len(callbacks) == 1
    (snap,) = broadcasts
    assert snap["version"] == before + 1 == current(triage).version
    assert snap["id"] == triage.pk
    assert list(snap["state"]["turns"]) == [{"person": participant.pk, "action": "passed"}]


def test_a_refused_command_is_not_broadcast(
    client, triage, participants, broadcasts, django_capture_on_commit_callbacks
):
    client.force_login(participants[1])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert do(client, triage, type="pass").status_code == 400
        assert do(client, triage, type="pass", version=0).status_code == 409
    assert callbacks == [] and broadcasts == []


def test_the_broadcast_reaches_the_sessions_channel_group(
    client, triage, participant, django_capture_on_commit_callbacks
):
    """Through the configured layer (in-memory, or Redis when REDIS_URL is set)."""
    client.force_login(participant)

    def pass_the_turn():
        with django_capture_on_commit_callbacks(execute=True):
            assert do(client, triage, type="pass").status_code == 200

    async def listen_while_passing():
        # One event loop for the listener and the broadcast: the Redis layer only adds
        # channels of its own process and loop to a group.
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(live.group_name(triage.pk), channel)
        try:
            await sync_to_async(pass_the_turn)()
            return await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard(live.group_name(triage.pk), channel)

    message = async_to_sync(listen_while_passing)()
    assert message["type"] == "session.update"
    assert message["snapshot"]["version"] == current(triage).version


# --- Query counts ---------------------------------------------------------------------------

# The request's Django session is one query, unless it is read from memory (the embedded
# default caches it; several processes sharing PostgreSQL keep database sessions).
SESSION_READ = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
# The user, the session; members and who drives are read once, then held with the session
# until its roster changes (``snapshot.roster_of``).
PAGE_QUERIES = SESSION_READ + 2
LIVE_QUERIES = SESSION_READ + 2
LIVE_UNCHANGED_QUERIES = SESSION_READ + 2
# The user; the lock (with membership), the event, the row's update, in a savepoint (two).
COMMAND_QUERIES = SESSION_READ + 6


def measure(client, session, speaker, django_assert_num_queries):
    """Pinned query counts of the session's page, live region and a command."""
    client.force_login(speaker)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(session)).status_code == 200
    with django_assert_num_queries(LIVE_QUERIES):
        assert client.get(live_url(session)).status_code == 200
    version = current(session).version
    with django_assert_num_queries(LIVE_UNCHANGED_QUERIES):
        assert client.get(live_url(session), {"v": version}).status_code == 204
    with django_assert_num_queries(COMMAND_QUERIES):
        assert client.post(do_url(session), {"type": "pass", "version": version}).status_code == 200


def test_query_counts_are_pinned(client, triage, participant, django_assert_num_queries):
    measure(client, triage, participant, django_assert_num_queries)


def test_query_counts_do_not_grow_with_members_and_backlog(db, client, django_assert_num_queries):
    group = Group.objects.create(name="Grand groupe")
    people = []
    for i in range(8):
        person = make_user(f"Membre{i}")
        Membership.objects.create(group=group, user=person)
        people.append(person)
    lead = make_user("Animatrice")
    Membership.objects.create(group=group, user=lead, role=Membership.FACILITATOR)
    Subject.objects.bulk_create(
        Subject(group=group, owner=people[i % 8], keyword=f"ancien {i}") for i in range(30)
    )
    session = Session.objects.create(group=group, format="intervision", title="Grande séance")
    session.facilitators.add(lead)
    seat(session, people)
    live.apply(session.pk, lead, {"type": "start"}, None)
    assert len(current(session).open_subjects) == 30
    measure(client, session, people[0], django_assert_num_queries)
    # The facilitator's rendering lists every subject with its buttons: still constant.
    client.force_login(lead)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(session)).status_code == 200


# --- Seating by the facilitator -------------------------------------------------------------


def test_facilitator_seats_a_member_who_has_no_device(client, seated, facilitator, organiser):
    client.force_login(facilitator)
    assert do(client, seated, type="join", person=organiser.pk).status_code == 200
    assert current(seated).seating[-1] == organiser.pk


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_facilitator_cannot_seat_someone_outside_the_group(
    request, client, seated, facilitator, persona
):
    stranger = request.getfixturevalue(persona)
    client.force_login(facilitator)
    before = current(seated)
    response = do(client, seated, type="join", person=stranger.pk)
    assert response.status_code == 400
    assert "Personne inconnue dans cette séance." in text(response)
    assert current(seated) == before


# --- More commands, each from the person allowed to send it ---------------------------------


def test_facilitator_shuffles_the_table(client, seated, facilitator, participants, monkeypatch):
    monkeypatch.setattr("random.sample", lambda order, k: list(reversed(order)))
    client.force_login(facilitator)
    assert do(client, seated, type="shuffle").status_code == 200
    assert current(seated).seating == tuple(p.pk for p in reversed(participants))


def test_facilitator_marks_someone_absent_and_back(client, triage, facilitator, participants):
    juliette = participants[0]
    client.force_login(facilitator)
    response = do(client, triage, type="set_absent", person=juliette.pk, absent="true")
    assert response.status_code == 200
    state = current(triage)
    assert juliette.pk in state.absent and state.speaker == participants[1].pk
    assert (
        do(client, triage, type="set_absent", person=juliette.pk, absent="false").status_code == 200
    )
    assert current(triage).absent == ()


def test_owner_runs_their_own_subject_from_their_device(client, triage, facilitator, participants):
    juliette, dragos = participants[:2]
    live.apply(triage.pk, juliette, {"type": "propose", "keyword": "le mien"}, None)
    live.apply(triage.pk, facilitator, {"type": "close_triage"}, None)
    live.apply(triage.pk, facilitator, {"type": "begin_subject"}, None)
    client.force_login(dragos)
    response = do(client, triage, type="done")
    assert response.status_code == 400
    assert "Seules la personne dont c’est le sujet et celle qui anime" in text(response)
    client.force_login(juliette)
    assert do(client, triage, type="done").status_code == 200  # exposé over
    state = current(triage)
    assert state.current_phase.key == "clarification" and state.speaker == dragos.pk
    # Juliette is not in her own clarification round.
    assert do(client, triage, type="speak", text="moi ?").status_code == 400
    client.force_login(dragos)
    assert do(client, triage, type="speak", text="Depuis quand ?").status_code == 200
    assert current(triage).contributions[0].text == "Depuis quand ?"


def test_codev_action_plan_through_the_views(
    client, group, facilitator, participants, codev_session
):
    juliette = participants[0]
    seat(codev_session, participants)
    for command in ({"type": "start"},):
        live.apply(codev_session.pk, facilitator, command, None)
    live.apply(codev_session.pk, juliette, {"type": "propose", "keyword": "client"}, None)
    for kind in ("close_triage", "begin_subject", "done", "next_phase"):
        live.apply(codev_session.pk, facilitator, {"type": kind}, None)
    # Contrat: the consultants reformulate in turn (here they pass), then the client states
    # the help she wants, which is required.
    assert current(codev_session).current_phase.key == "contrat"
    while current(codev_session).in_round:
        live.apply(codev_session.pk, facilitator, {"type": "pass"}, None)
    client.force_login(juliette)
    response = do(client, codev_session, type="done")
    assert response.status_code == 400
    assert "Le texte est obligatoire." in text(response)
    assert do(client, codev_session, type="done", text="Aidez-moi à déléguer").status_code == 200
    assert current(codev_session).request == "Aidez-moi à déléguer"
    live.apply(codev_session.pk, facilitator, {"type": "next_phase"}, None)  # consultation
    assert current(codev_session).current_phase.key == "synthese"
    response = do(client, codev_session, type="done")
    assert response.status_code == 400
    assert "au moins une action" in text(response)
    assert do(client, codev_session, type="add_action", text="Appeler Marc").status_code == 200
    assert do(
        client, codev_session, type="add_action", text="Relire le contrat", due="2027-01-05",
        sign="Le contrat est signé",
    ).status_code == 200
    bad_date = do(client, codev_session, type="add_action", text="x", due="5 janvier")
    assert bad_date.status_code == 400 and "Date invalide." in text(bad_date)
    assert do(client, codev_session, type="remove_action", index=0).status_code == 200
    client.force_login(participants[1])
    assert do(client, codev_session, type="add_action", text="pas le mien").status_code == 400
    client.force_login(juliette)
    assert do(client, codev_session, type="done").status_code == 200
    state = current(codev_session)
    assert state.current_phase.key == "apprentissages"
    assert state.queue[-1] == juliette.pk  # the client speaks too, last
    client.force_login(facilitator)
    assert do(client, codev_session, type="next_phase").status_code == 200
    subject = Subject.objects.get(keyword="client")
    assert subject.status == "handled"
    assert [(a.text, a.status, a.owner_id, a.session_id) for a in subject.plan.all()] == [
        ("Relire le contrat", "todo", juliette.pk, codev_session.pk)
    ]
    assert subject.plan.get().review_on == date(2027, 1, 5)


def test_a_persons_own_ballot_is_on_their_page_alone(
    client, codev_session, facilitator, participants
):
    """Votes are secret until everyone voted: the live region every participant's page shares
    holds nobody's ballot; each page gets its own person's, outside it."""
    juliette, dragos = participants[:2]
    group = codev_session.group
    group.subject_choice, group.votes_per_person = "votes", 2
    group.save(update_fields=["subject_choice", "votes_per_person"])
    seat(codev_session, participants)
    live.apply(codev_session.pk, facilitator, {"type": "start"}, None)
    for person in (juliette, dragos):
        live.apply(codev_session.pk, person, {"type": "propose", "keyword": person.email}, None)
    live.apply(codev_session.pk, facilitator, {"type": "close_triage"}, None)
    first, second = (s.id for s in current(codev_session).open_subjects)
    client.force_login(juliette)
    assert do(client, codev_session, type="vote", subjects=f"{second} {second}").status_code == 200
    client.force_login(dragos)
    assert do(client, codev_session, type="vote", subjects=str(first)).status_code == 200
    assert do(client, codev_session, type="vote", subjects=f"{first} {first} {second}"
              ).status_code == 400  # 2 votes each
    pages = {}
    for person, ballot in ((juliette, f"{second} {second}"), (dragos, str(first))):
        client.force_login(person)
        html = text(client.get(page_url(codev_session)))
        assert f'<span hidden id="my-ballot" data-subjects="{ballot}"></span>' in html
        pages[person] = html[html.index('<section id="live"'):html.index('<section id="carnet"')]
    assert pages[juliette] == pages[dragos]
    assert "2 personnes sur 4 ont voté." in pages[juliette]


# --- Who is in the session and who drives it -------------------------------------------------


def test_roster_names_active_members_and_the_named_facilitator(
    session, facilitator, organiser, participants, removed_member
):
    people, drivers = Session.objects.select_related("group").get(pk=session.pk).roster()
    assert people[participants[0].pk] == "Juliette"
    assert removed_member.pk not in people
    assert drivers == {facilitator.pk}


def test_when_the_named_facilitator_leaves_the_group_its_facilitators_drive(
    client, session, facilitator, organiser, participants
):
    Membership.objects.get(group=session.group, user=facilitator).remove()
    people, drivers = Session.objects.select_related("group").get(pk=session.pk).roster()
    assert facilitator.pk not in people
    assert drivers == {organiser.pk}
    # The organiser now starts the session from the page; the departed facilitator cannot.
    client.force_login(organiser)
    assert do(client, session, type="join", person=participants[0].pk).status_code == 200
    client.force_login(facilitator)
    assert do(client, session, type="shuffle").status_code == 404


def test_in_a_self_facilitated_group_every_member_may_drive(session, facilitator, participants):
    session.facilitators.clear()
    session.group.facilitation = "self"
    session.group.save()
    _, drivers = Session.objects.select_related("group").get(pk=session.pk).roster()
    assert drivers >= {p.pk for p in participants}
