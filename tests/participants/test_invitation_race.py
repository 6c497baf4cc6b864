"""Two people accepting the last seat at once: exactly one becomes a member.

Real concurrent transactions need a real database. Against PostgreSQL (DATABASE_URL set) the
races run in this process, one connection per thread, and the group's row lock decides. With
SQLite, the test database is in memory and shared-cache locking fails fast instead of
waiting, so the races run in a subprocess against a SQLite *file* configured as in
production (WAL, IMMEDIATE transactions, busy timeout): the embedded default is tested too.
"""

import threading
from pathlib import Path

import pytest
from django.db import connection

from participants.models import Group, GroupFull, Invitation, Membership, User
from tests.sqlite_file import run_on_sqlite_file

N = 6
ROOT = Path(__file__).resolve().parents[2]


def _run_at_once(targets):
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)

    def runner(i, target):
        try:
            barrier.wait()
            results[i] = target()
        except Exception as exc:  # noqa: BLE001 - recorded and asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def race_for_the_last_group_seat() -> dict:
    group = Group.objects.create(name="Course", capacity=3)
    for i in range(2):
        Membership.objects.create(group=group, user=User.objects.create_user(f"m{i}@example.org"))
    invitations = [Invitation.issue(group, f"racer{i}@example.org")[0] for i in range(N)]
    results = _run_at_once(
        [lambda inv=inv: inv.accept(display_name="x", answers=[]) for inv in invitations]
    )
    return {
        "joined": sum(isinstance(r, User) for r in results),
        "full": sum(isinstance(r, GroupFull) for r in results),
        "errors": [
            repr(r) for r in results if isinstance(r, Exception) and not isinstance(r, GroupFull)
        ],
        "members": Membership.objects.active().filter(group=group).count(),
        "used": Invitation.objects.filter(group=group, used_at__isnull=False).count(),
    }


def race_on_one_invitation() -> dict:
    group = Group.objects.create(name="Double clic", capacity=8)
    invitation, _token = Invitation.issue(group, "twice@example.org")
    results = _run_at_once(
        [lambda: Invitation.objects.get(pk=invitation.pk).accept(answers=[]) for _ in range(4)]
    )
    return {
        "joined": sum(isinstance(r, User) for r in results),
        "members": Membership.objects.filter(group=group).count(),
        "accounts": User.objects.filter(email="twice@example.org").count(),
    }


def race_for_the_last_session_seat() -> dict:
    from sessions_app.actions import scheduling
    from sessions_app.models import Registration, Session

    group = Group.objects.create(name="Séance pleine", capacity=3)
    people = [User.objects.create_user(f"p{i}@example.org") for i in range(N)]
    for person in people:
        Membership.objects.create(group=group, user=person)
    session = Session.objects.create(group=group, format="intervision")
    results = _run_at_once([lambda p=p: scheduling.do_register(session.pk, p) for p in people])
    return {
        "errors": [repr(r) for r in results if isinstance(r, Exception)],
        "seated": Registration.objects.seated().filter(session=session).count(),
        "waiting": Registration.objects.waiting().filter(session=session).count(),
    }


RACES = ["race_for_the_last_group_seat", "race_on_one_invitation", "race_for_the_last_session_seat"]


@pytest.fixture(scope="module")
def sqlite_file_results(tmp_path_factory):
    """All races run once, in one subprocess on a fresh SQLite file (migrating takes seconds)."""
    return run_on_sqlite_file(
        tmp_path_factory.mktemp("race") / "race.sqlite3",
        "tests.participants.test_invitation_race",
        "{name: getattr(t, name)() for name in t.RACES}",
    )


@pytest.fixture
def run_race(request):
    def run(name):
        if connection.vendor == "sqlite":
            return request.getfixturevalue("sqlite_file_results")[name]
        return globals()[name]()

    return run


@pytest.mark.django_db(transaction=True)
def test_racing_for_the_last_seat_yields_exactly_one_member(run_race):
    result = run_race("race_for_the_last_group_seat")
    assert result == {"joined": 1, "full": N - 1, "errors": [], "members": 3, "used": 1}


@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_several_times_at_once_is_used_once(run_race):
    result = run_race("race_on_one_invitation")
    assert result == {"joined": 1, "members": 1, "accounts": 1}


@pytest.mark.django_db(transaction=True)
def test_racing_for_the_last_session_seat_puts_the_others_on_the_waitlist(run_race):
    result = run_race("race_for_the_last_session_seat")
    assert result == {"errors": [], "seated": 3, "waiting": N - 3}
