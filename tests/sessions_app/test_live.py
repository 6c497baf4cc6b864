"""``live.apply``'s checks, called directly: who may command, and a command id's lookup;
and the snapshot a connecting page gets (``snapshot.for_member``)."""

import time

import pytest
from django.db import connection

from sessions_app import flow, live, snapshot
from sessions_app.models import Event, Session
from sessions_app.snapshot import Snapshot


@pytest.mark.parametrize("who", ["outsider", "other_group_member", "removed_member"])
def test_apply_refuses_anyone_but_an_active_member_and_changes_nothing(request, session, who):
    user = request.getfixturevalue(who)
    before = Session.objects.get(pk=session.pk)
    with pytest.raises(Session.DoesNotExist):
        live.apply(session.pk, user, {"type": "join"}, before.version, "cmd-outsider-1")
    after = Session.objects.get(pk=session.pk)
    assert (after.version, after.state) == (before.version, before.state)
    assert not Event.objects.filter(session=session).exists()


def test_apply_refuses_an_unknown_session(facilitator):
    with pytest.raises(Session.DoesNotExist):
        live.apply(10**9, facilitator, {"type": "join"}, None, "cmd-nowhere-1")


def test_a_member_is_checked_before_the_command_id(session, facilitator, removed_member):
    live.apply(session.pk, facilitator, {"type": "join"}, None, "cmd-shared-0001")
    # The same id from someone who may not command: refused, not acknowledged.
    with pytest.raises(Session.DoesNotExist):
        live.apply(session.pk, removed_member, {"type": "join"}, None, "cmd-shared-0001")
    with pytest.raises(live.AlreadyApplied):
        live.apply(session.pk, facilitator, {"type": "join"}, None, "cmd-shared-0001")


def test_a_command_id_is_found_through_its_index_not_by_reading_the_session(session):
    # A long session: both planners use the partial unique index for this query (SQLite
    # only when the query repeats the index's condition), not the session's other events.
    Event.objects.bulk_create(
        Event(session=session, version=v, command={}, command_id=f"cmd-{v:08d}", state_before={})
        for v in range(1, 3001)
    )
    sql, params = Event.objects.with_command_id(session, "cmd-abcdefgh").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "one_event_per_command_id" in plan


# --- a connecting page's snapshot (``snapshot.for_member``) ----------------------------


def keywords(snap):
    return [s["keyword"] for s in snap["state"]["subjects"]]


def seen(session, user) -> Snapshot:
    """What a page of ``user`` gets when it connects (a member's)."""
    snap = snapshot.for_member(session.pk, user)
    assert snap is not None
    return snap


def test_a_reconnect_while_nothing_changed_gets_the_same_snapshot_in_one_query(
    session, facilitator, participant, django_assert_num_queries
):
    live.apply(session.pk, participant, {"type": "join"}, None)
    first = snapshot.for_member(session.pk, participant)
    with django_assert_num_queries(1):  # the membership rule and the row's state
        again = snapshot.for_member(session.pk, facilitator)
    assert again is first


def test_a_click_reaches_the_pages_that_connect_next(
    session, facilitator, participant, django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    snapshot.for_member(session.pk, participant)
    with django_capture_on_commit_callbacks(execute=True):
        applied = live.apply(session.pk, participant, {"type": "join"}, None, "cmd-join-0001")
    with django_assert_num_queries(1):
        snap = seen(session, facilitator)
    assert snap["version"] == applied["version"]
    assert participant.pk in snap["state"]["seating"]


@pytest.mark.parametrize("who", ["outsider", "other_group_member", "removed_member"])
def test_a_held_snapshot_is_never_given_to_anyone_but_a_member(request, session, facilitator, who):
    assert snapshot.for_member(session.pk, facilitator) is not None
    assert snapshot.for_member(session.pk, request.getfixturevalue(who)) is None


def test_a_state_changed_outside_the_commands_is_never_served_from_memory(
    session, facilitator, participants
):
    """An erasure empties texts in the row without a new version: the next page to connect
    reads the emptied state, even before the erasure's broadcast reaches this process."""
    from privacy import actions

    juliette, dragos = participants[0], participants[1]
    for person in (juliette, dragos):
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    live.apply(session.pk, juliette, {"type": "propose", "keyword": "SUJET-JULIETTE"}, None)
    live.apply(session.pk, dragos, {"type": "propose", "keyword": "SUJET-DRAGOS"}, None)
    assert "SUJET-DRAGOS" in keywords(seen(session, juliette))
    actions.do_erase_content(dragos)  # its after-commit broadcast does not run here
    snap = seen(session, juliette)
    assert "SUJET-DRAGOS" not in keywords(snap) and "SUJET-JULIETTE" in keywords(snap)
    assert flow.ERASED_KEYWORD in keywords(snap)


def test_a_session_row_made_again_under_the_same_id_is_not_served_the_old_one(
    session, facilitator
):
    """Ids come back after a database is restored: the row's creation tells them apart."""
    from datetime import timedelta

    live.apply(session.pk, facilitator, {"type": "join"}, None)
    first = snapshot.for_member(session.pk, facilitator)
    Session.objects.filter(pk=session.pk).update(
        title="Autre séance", created_at=session.created_at + timedelta(seconds=1)
    )
    again = seen(session, facilitator)
    assert again is not first and again["title"] == "Autre séance"


def renamed_after_a_connect(session, facilitator, participant) -> None:
    """Juliette seated, a page of the session connected, then Juliette renamed."""
    live.apply(session.pk, participant, {"type": "join"}, None)
    snapshot.for_member(session.pk, facilitator)
    participant.display_name = "Juliette R."
    participant.save()


def test_what_a_snapshot_holds_beside_the_state_is_read_again_after_a_while(
    session, facilitator, participant, monkeypatch
):
    renamed_after_a_connect(session, facilitator, participant)
    held = seen(session, facilitator)
    assert held["people"][str(participant.pk)] == "Juliette"  # as the open pages show it
    now = time.monotonic()
    monkeypatch.setattr(snapshot, "monotonic", lambda: now + snapshot.RECENT_SECONDS + 1)
    assert seen(session, facilitator)["people"][str(participant.pk)] == "Juliette R."


def test_a_page_loaded_after_a_rename_and_its_socket_show_the_same_name(
    client, session, facilitator, participant
):
    renamed_after_a_connect(session, facilitator, participant)
    client.force_login(facilitator)
    assert "Juliette R." in client.get(f"/s/{session.pk}/").content.decode()
    # The page's socket connects next: the snapshot the page was rendered from.
    assert seen(session, facilitator)["people"][str(participant.pk)] == "Juliette R."


# --- a command id checked by the event's unique index; the roster held with the session ---


def in_triage(session, facilitator, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)


def test_a_retry_is_acknowledged_not_applied_again_nor_broadcast(
    session, facilitator, participants, django_capture_on_commit_callbacks
):
    from sessions_app.models import Subject

    in_triage(session, facilitator, participants)
    speaker = Session.objects.get(pk=session.pk).flow_state().speaker
    person = next(p for p in participants if p.pk == speaker)
    propose = {"type": "propose", "keyword": "Relance client"}
    applied = live.apply(session.pk, person, dict(propose), None, "cmd-propose-01")
    # The retry comes while the rules would still take it (a facilitator may propose for
    # whoever's turn it is): the event's index refuses it, its new subject goes with it.
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(live.AlreadyApplied) as answer:
            live.apply(session.pk, facilitator, dict(propose), None, "cmd-propose-01")
    assert answer.value.version == applied["version"]
    assert callbacks == []  # nothing broadcast
    assert Subject.objects.filter(keyword="Relance client").count() == 1
    assert Session.objects.get(pk=session.pk).version == applied["version"]
    assert Event.objects.filter(session=session, command_id="cmd-propose-01").count() == 1


def test_a_retry_on_the_version_it_was_sent_from_is_acknowledged_not_a_conflict(
    session, facilitator, participants
):
    in_triage(session, facilitator, participants)
    before = Session.objects.get(pk=session.pk).version
    applied = live.apply(session.pk, facilitator, {"type": "skip"}, before, "cmd-skip-0001")
    with pytest.raises(live.AlreadyApplied) as answer:
        live.apply(session.pk, facilitator, {"type": "skip"}, before, "cmd-skip-0001")
    assert answer.value.version == applied["version"]
    # A new command on that version is a conflict.
    with pytest.raises(live.Conflict):
        live.apply(session.pk, facilitator, {"type": "skip"}, before, "cmd-skip-0002")


def test_who_drives_changes_at_once_for_the_next_command(session, facilitator, participants):
    from participants.models import Membership

    in_triage(session, facilitator, participants)
    juliette = participants[0]
    with pytest.raises(flow.FlowError, match="facilitator_only"):
        live.apply(session.pk, juliette, {"type": "skip"}, None)
    session.facilitators.add(juliette)  # named for this session: she drives
    live.apply(session.pk, juliette, {"type": "skip"}, None)
    session.facilitators.remove(juliette, facilitator)  # nobody named: the roles decide
    live.apply(session.pk, facilitator, {"type": "skip"}, None)  # a facilitator by role
    with pytest.raises(flow.FlowError, match="facilitator_only"):
        live.apply(session.pk, juliette, {"type": "skip"}, None)
    Membership.objects.filter(user=facilitator).update(role=Membership.MEMBER)
    membership = Membership.objects.get(user=facilitator)
    membership.save()  # the role change as the members' page saves it
    with pytest.raises(flow.FlowError, match="facilitator_only"):
        live.apply(session.pk, facilitator, {"type": "skip"}, None)


def test_a_renamed_member_shows_under_the_new_name_at_the_next_command(
    session, facilitator, participants
):
    in_triage(session, facilitator, participants)
    juliette = participants[0]
    juliette.display_name = "Juliette R."
    juliette.save()
    snap = live.apply(session.pk, facilitator, {"type": "skip"}, None)
    assert snap["people"][str(juliette.pk)] == "Juliette R."


def test_a_removed_member_is_seated_by_nobody(session, facilitator, participants):
    from participants.models import Membership

    paul = participants[3]
    Membership.objects.get(user=paul).remove()
    with pytest.raises(flow.FlowError, match="bad_person"):
        live.apply(session.pk, facilitator, {"type": "join", "person": paul.pk}, None)


def test_the_stage_and_times_columns_follow_every_command(session, facilitator, participants):
    """Pages query the session's stage and times as columns; ``apply`` keeps them in step
    with the state in the same save (an undo too)."""
    in_triage(session, facilitator, participants)
    row = Session.objects.get(pk=session.pk)
    assert (row.stage, row.ended_at) == ("triage", None)
    assert row.started_at is not None
    started = row.flow_state().started_at
    assert started is not None
    assert abs(row.started_at.timestamp() - started) < 1e-3
    live.apply(session.pk, facilitator, {"type": "end"}, None)
    assert Session.objects.filter(pk=session.pk, stage="ended", ended_at__isnull=False).exists()
    live.apply(session.pk, facilitator, {"type": "undo"}, None)
    row = Session.objects.get(pk=session.pk)
    assert (row.stage, row.ended_at) == ("triage", None)  # where it stopped


def test_an_edit_saved_from_a_row_read_before_a_roster_change_keeps_the_change(
    session, facilitator, participants
):
    """A scheduling edit loads the session, someone is named to drive meanwhile, the edit
    saves: the roster is still read again, not the one held from before."""
    in_triage(session, facilitator, participants)
    juliette = participants[0]
    stale = Session.objects.get(pk=session.pk)
    session.facilitators.add(juliette)
    stale.title = "Séance éditée"
    stale.save()
    live.apply(session.pk, juliette, {"type": "skip"}, None)  # she drives now
