"""A session ended by mistake: its facilitator's page offers to undo the end, which reopens
the session where it stopped, through the same command as every other undo."""

import re

import pytest

from sessions_app import flow, live
from sessions_app.models import Contribution, Session, Subject

UNDO = """hx-vals='{"type": "undo"}'"""


def current(session) -> flow.State:
    return Session.objects.get(pk=session.pk).flow_state()


def ended_card(html):
    """The card the page shows once the session has ended."""
    match = re.search(r'<div class="card session-ended">(.*?)</div>', html, re.S)
    assert match, html[:500]
    return match.group(1)


@pytest.fixture
def broadcasts(monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(live, "broadcast", sent.append)
    return sent


@pytest.fixture
def ended(session, facilitator, participants):
    """Juliette's « délégation » in clarification, Dragos's question asked: then the end.
    Returns the state and the subjects' and contributions' rows just before the end."""
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    for command in (
        {"type": "start"},
        {"type": "propose", "keyword": "délégation"},  # Juliette
        {"type": "propose", "keyword": "recrutement"},  # Dragos
        {"type": "pass"},
        {"type": "pass"},
        {"type": "close_triage"},
        {"type": "begin_subject"},
        {"type": "done"},  # Juliette's exposé
        {"type": "speak", "text": "Depuis quand ?"},  # Dragos
    ):
        live.apply(session.pk, facilitator, command, None)
    before = current(session), records()
    live.apply(session.pk, facilitator, {"type": "end"}, None)
    assert current(session).stage == "ended"
    return before


def records():
    return (
        sorted(Subject.objects.values_list("id", "keyword", "status", "handled_in")),
        sorted(Contribution.objects.values_list("id", "subject", "person", "kind", "text")),
    )


def test_the_facilitators_page_after_the_end_offers_to_undo_it(
    client, session, ended, facilitator
):
    client.force_login(facilitator)
    for url in (f"/s/{session.pk}/", f"/s/{session.pk}/live/"):
        response = client.get(url)
        assert response.status_code == 200
        card = ended_card(response.content.decode())
        assert "Merci à toutes et à tous." in card
        assert UNDO in card and "Annuler la dernière étape" in card
        assert "Rouvrir la séance là où elle s’est arrêtée\u00a0?" in card  # hx-confirm


@pytest.mark.parametrize("persona", ["participant", "organiser"])
def test_a_member_who_does_not_facilitate_sees_no_undo_and_cannot_reopen(
    request, client, session, ended, persona
):
    client.force_login(request.getfixturevalue(persona))
    for url in (f"/s/{session.pk}/", f"/s/{session.pk}/live/"):
        body = client.get(url).content.decode()
        assert "Merci à toutes et à tous." in ended_card(body)
        assert UNDO not in body
    version = current(session).version
    response = client.post(f"/s/{session.pk}/do/", {"type": "undo", "version": version})
    assert response.status_code == 400
    assert current(session).stage == "ended" and current(session).version == version


def test_undoing_the_end_reopens_the_session_where_it_stopped_for_everyone(
    client, session, ended, facilitator, participants, broadcasts,
    django_capture_on_commit_callbacks,
):
    client.force_login(facilitator)
    ended_version = current(session).version
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{session.pk}/do/", {"type": "undo", "version": ended_version})
    assert response.status_code == 200
    state = current(session)
    assert state.version == ended_version + 1
    assert state.stage == "subject" and state.current_phase.key == "clarification"
    assert state.ended_at is None
    before, rows = ended
    assert state.to_dict() == {**before.to_dict(), "version": state.version}
    # The records are as they were before the end: nothing lost, nothing doubled.
    assert records() == rows
    assert [keyword for _id, keyword, status, _h in rows[0] if status == "open"] == [
        "délégation", "recrutement"
    ]
    # Every open page hears it: the new version, no longer ended.
    assert [snap["version"] for snap in broadcasts] == [state.version]
    # The facilitator's page is the running session's again, with its bar.
    page = client.get(f"/s/{session.pk}/").content.decode()
    assert '<div class="card session-ended">' not in page
    assert "Terminer la séance" in page
    # And it goes on: the next person's turn in the clarification round.
    amina = participants[2]
    assert state.speaker == amina.pk
    live.apply(session.pk, amina, {"type": "pass"}, None)
    assert current(session).speaker != amina.pk
