"""Reading the session's page writes nothing; arriving is a command the page sends."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app import live
from sessions_app.models import Event, Session

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_the_session_page_writes_nothing(client, session, participant, facilitator):
    live.apply(session.pk, facilitator, {"type": "join"}, None)
    client.force_login(participant)
    client.get("/")  # the sign-in's own writes (the Django session, last login) happen first
    before = Session.objects.get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/s/{session.pk}/")
    assert response.status_code == 200
    assert writes(queries.captured_queries) == []
    after = Session.objects.get(pk=session.pk)
    assert (after.version, after.state) == (before.version, before.state)
    assert participant.pk not in after.flow_state().seating


def test_the_pages_arrival_seats_the_person_once(client, session, participants):
    juliette = participants[0]
    client.force_login(juliette)
    assert client.get(f"/s/{session.pk}/").status_code == 200
    assert client.post(f"/s/{session.pk}/arrive/").status_code == 200
    assert Session.objects.get(pk=session.pk).flow_state().seating == (juliette.pk,)
    # A second tab arriving: still one seat, no new step.
    version = Session.objects.get(pk=session.pk).version
    assert client.post(f"/s/{session.pk}/arrive/").status_code == 200
    assert Session.objects.get(pk=session.pk).version == version
    assert Event.objects.filter(session=session).count() == 1


@pytest.mark.parametrize("who", ["outsider", "other_group_member", "removed_member"])
def test_an_outsiders_arrival_is_a_404_and_seats_nobody(request, client, session, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/s/{session.pk}/arrive/").status_code == 404
    assert Session.objects.get(pk=session.pk).flow_state().seating == ()


def test_the_page_sends_its_arrival(client, session, participant):
    """The arrival is the page's: its script is on the page, and knows where to send it."""
    client.force_login(participant)
    page = client.get(f"/s/{session.pk}/").content.decode()
    assert "js/presence.js" in page and f'data-arrive="/s/{session.pk}/arrive/"' in page
    from django.contrib.staticfiles import finders

    found = finders.find("js/presence.js")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as script:
        assert "root.dataset.arrive" in script.read()
