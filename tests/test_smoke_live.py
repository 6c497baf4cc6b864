import pytest

from sessions_app import live


@pytest.mark.django_db
def test_a_whole_session_through_the_views(client, session, facilitator, participants):
    juliette, dragos, amina, paul = participants
    for person in participants:
        client.force_login(person)
        assert client.get(f"/s/{session.pk}/").status_code == 200
    client.force_login(facilitator)
    page = client.get(f"/s/{session.pk}/")
    assert page.status_code == 200
    session.refresh_from_db()
    assert session.state["seating"] == [p.pk for p in participants]
    r = client.post(f"/s/{session.pk}/do/", {"type": "start", "version": session.version})
    assert r.status_code == 200, r.content
    client.force_login(juliette)
    session.refresh_from_db()
    r = client.post(f"/s/{session.pk}/do/", {"type": "propose", "keyword": "équilibre", "version": session.version})
    assert r.status_code == 200, r.content
    assert "équilibre" in r.content.decode()
    r = client.post(f"/s/{session.pk}/do/", {"type": "pass"})
    assert r.status_code == 400
    assert "pas votre tour" in r.content.decode()
    snap = live.snapshot(session)
    assert snap["state"]["stage"] == "triage"
