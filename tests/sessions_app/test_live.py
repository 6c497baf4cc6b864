"""``live.apply``'s checks, called directly: who may command, and a command id's lookup."""

import pytest
from django.db import connection

from sessions_app import live
from sessions_app.models import Event, Session


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
