"""Two co-facilitators click at the same moment on the same version: one advance, one 409.

Each click runs in its own thread with its own database connection, released together by
a barrier, so both transactions really overlap: the row lock (PostgreSQL) or the write
lock taken at BEGIN IMMEDIATE (SQLite) makes the second wait, then see the new version.

On PostgreSQL the scenarios run in the test process. The embedded default is a SQLite
*file* (WAL, busy timeout); the test database pytest-django makes for SQLite is in memory
with a shared cache, whose table locks fail at once instead of waiting — not what users
run. So on SQLite the same scenarios run in a child process on a fresh SQLite file.
"""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


# --- Scenarios: shared by both paths, they return plain data --------------------------------


def build_session():
    """A session in its keyword round, driven by two facilitators."""
    from participants.models import Group, Membership, User
    from sessions_app import live
    from sessions_app.models import Session

    group = Group.objects.create(name="Pairs produit")
    tag = group.pk  # the child process runs every scenario in one database
    people = {}
    for name, role in [
        ("Lucie", Membership.FACILITATOR),
        ("Marc", Membership.FACILITATOR),
        ("Juliette", Membership.MEMBER),
        ("Dragos", Membership.MEMBER),
        ("Amina", Membership.MEMBER),
    ]:
        user = User.objects.create_user(f"{name.lower()}{tag}@example.org", display_name=name)
        Membership.objects.create(group=group, user=user, role=role)
        people[name] = user
    session = Session.objects.create(group=group, format="intervision", title="Séance")
    session.facilitators.add(people["Lucie"], people["Marc"])
    for name in ("Juliette", "Dragos", "Amina"):
        live.apply(session.pk, people[name], {"type": "join"}, None)
    live.apply(session.pk, people["Lucie"], {"type": "start"}, None)
    return session, people["Lucie"], people["Marc"]


def at_once(*actions):
    """Run each action in its own thread, all released together; return their results."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each click got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def outcome(result):
    from sessions_app import live

    if isinstance(result, dict):
        return {"ok": result["version"]}
    if isinstance(result, live.Conflict):
        return {"conflict": result.version}
    return {"error": repr(result)}


def session_state(session):
    from sessions_app.models import Event, Session

    session = Session.objects.get(pk=session.pk)
    return {
        "version": session.version,
        "turns": [t["action"] for t in session.state["turns"]],
        "events": Event.objects.filter(session=session).count(),
    }


def two_facilitators_apply():
    from sessions_app import live

    session, lucie, marc = build_session()
    before = session_state(session)
    results = at_once(
        lambda: live.apply(session.pk, lucie, {"type": "pass"}, before["version"]),
        lambda: live.apply(session.pk, marc, {"type": "pass"}, before["version"]),
    )
    return {
        "before": before,
        "after": session_state(session),
        "results": [outcome(r) for r in results],
    }


def two_facilitators_click():
    from django.test import Client

    session, lucie, marc = build_session()
    before = session_state(session)
    clients = []
    for user in (lucie, marc):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = f"/s/{session.pk}/do/"
    results = at_once(
        *(lambda c=c: c.post(url, {"type": "skip", "version": before["version"]}) for c in clients)
    )
    return {
        "before": before,
        "after": session_state(session),
        "results": [
            {"status": r.status_code, "body": r.content.decode()}
            if hasattr(r, "status_code")
            else {"error": repr(r)}
            for r in results
        ],
    }


def six_clicks():
    from sessions_app import live

    session, lucie, marc = build_session()
    before = session_state(session)
    results = at_once(
        *(
            lambda p=p: live.apply(session.pk, p, {"type": "skip"}, before["version"])
            for p in [lucie, marc] * 3
        )
    )
    return {
        "before": before,
        "after": session_state(session),
        "results": [outcome(r) for r in results],
    }


def two_retries_of_one_id():
    """The same proposal sent twice at once with one command id (the socket's send and the
    POST's retry): each thread runs the rules, the event's unique index decides."""
    from sessions_app import live
    from sessions_app.models import Subject

    session, lucie, marc = build_session()
    before = session_state(session)
    results = at_once(
        *(
            lambda: live.apply(
                session.pk, lucie, {"type": "propose", "keyword": "Relance"}, None, "retry-0001"
            )
            for _ in range(2)
        )
    )
    return {
        "before": before,
        "after": session_state(session),
        "results": [
            {"duplicate": r.version} if isinstance(r, live.AlreadyApplied) else outcome(r)
            for r in results
        ],
        "subjects": Subject.objects.filter(proposed_in=session, keyword="Relance").count(),
    }


SCENARIOS = {
    f.__name__: f
    for f in (two_facilitators_apply, two_facilitators_click, six_clicks, two_retries_of_one_id)
}


def child_main():
    """In the child process: a fresh SQLite file, every scenario, results as JSON."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps({name: scenario() for name, scenario in SCENARIOS.items()}))


@pytest.fixture(scope="module")
def sqlite_file_results(tmp_path_factory):
    path = tmp_path_factory.mktemp("concurrency") / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME")
    }
    env.update(SQLITE_PATH=str(path), DJANGO_SETTINGS_MODULE="intervision.settings", DEBUG="1")
    done = subprocess.run(
        [sys.executable, "-c", "import tests.sessions_app.test_concurrency as t; t.child_main()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def run(request):
    """Run a scenario where it can really overlap: here on PostgreSQL, else on a file."""
    if connection.vendor == "postgresql":
        return lambda name: SCENARIOS[name]()
    results = request.getfixturevalue("sqlite_file_results")
    return lambda name: results[name]


# --- Tests ----------------------------------------------------------------------------------


def test_two_facilitators_on_the_same_version_advance_once(run):
    got = run("two_facilitators_apply")
    version = got["before"]["version"]
    assert sorted(got["results"], key=str) == [{"conflict": version + 1}, {"ok": version + 1}]
    assert got["after"]["version"] == version + 1
    assert got["after"]["turns"] == ["passed"]  # one pass, not two
    assert got["after"]["events"] == got["before"]["events"] + 1


def test_two_facilitators_clicking_in_their_browsers_get_200_and_409(run):
    got = run("two_facilitators_click")
    assert sorted(r.get("status") for r in got["results"]) == [200, 409], got["results"]
    loser = next(r for r in got["results"] if r["status"] == 409)
    assert "Quelqu’un d’autre vient d’agir" in loser["body"]
    assert got["after"]["version"] == got["before"]["version"] + 1
    assert got["after"]["turns"] == ["skipped"]


def test_many_clicks_on_the_same_version_advance_once(run):
    got = run("six_clicks")
    version = got["before"]["version"]
    assert got["results"].count({"ok": version + 1}) == 1, got["results"]
    assert got["results"].count({"conflict": version + 1}) == 5, got["results"]
    assert got["after"]["version"] == version + 1
    assert got["after"]["turns"] == ["skipped"]


def test_two_retries_of_one_command_id_at_once_apply_it_once(run):
    got = run("two_retries_of_one_id")
    version = got["before"]["version"]
    # One applied, the other acknowledged as the same command, at the version it made.
    assert sorted(got["results"], key=str) == [{"duplicate": version + 1}, {"ok": version + 1}]
    assert got["after"]["version"] == version + 1
    assert got["after"]["events"] == got["before"]["events"] + 1
    assert got["subjects"] == 1  # the second proposal's subject rolled back with it
