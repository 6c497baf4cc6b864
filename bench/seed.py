"""Create the benchmark's sessions: S groups of 8 (a facilitator and 7 members), each with a
live session already in its "order" stage with one open subject, and a logged-in Django
session per person. Prints one JSON line: the sessions, their people's cookies and versions.

Run inside the app's settings:  manage.py shell -c "from bench import seed; seed.main(S)"
"""

import datetime
import json
import secrets
import sys
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import transaction
from django.middleware.csrf import (  # type: ignore[attr-defined]
    _get_new_csrf_string,
    _mask_cipher_secret,
)
from django.utils import timezone

from participants.models import Group, Membership, User
from sessions_app import flow
from sessions_app.models import Session, Subject

BACKEND = "django.contrib.auth.backends.ModelBackend"


def main(count: int) -> None:
    started = time.monotonic()
    run = secrets.token_hex(3)
    with transaction.atomic():
        groups = Group.objects.bulk_create(
            Group(name=f"Bench {run} {i}", format="intervision") for i in range(count)
        )
        users = User.objects.bulk_create(
            User(
                email=f"b{run}-{i}-{j}@bench.example.org",
                display_name=f"Personne {i}.{j}",
                password="!" + secrets.token_urlsafe(20),  # unusable: cookies only
            )
            for i in range(count)
            for j in range(8)
        )
        Membership.objects.bulk_create(
            Membership(
                group=groups[i],
                user=users[i * 8 + j],
                role=Membership.FACILITATOR if j == 0 else Membership.MEMBER,
            )
            for i in range(count)
            for j in range(8)
        )
        subjects = Subject.objects.bulk_create(
            Subject(group=groups[i], owner=users[i * 8 + 1], keyword=f"sujet {i}")
            for i in range(count)
        )
        sessions = Session.objects.bulk_create(
            Session(group=groups[i], format="intervision", title=f"Séance {i}")
            for i in range(count)
        )
        Session.facilitators.through.objects.bulk_create(
            Session.facilitators.through(session_id=sessions[i].pk, user_id=users[i * 8].pk)
            for i in range(count)
        )
        now = time.time()
        for i, session in enumerate(sessions):
            people = users[i * 8 : i * 8 + 8]
            state = flow.new_state("intervision", [subjects[i].as_flow()])
            for person in people[1:]:
                state = flow.step(state, {"type": "join"}, actor=person.pk, facilitator=False,
                                  now=now)
            for kind in ("start", "close_triage"):
                state = flow.step(state, {"type": kind}, actor=people[0].pk, facilitator=True,
                                  now=now)
            session.state = state.to_dict()
            session.version = state.version
            session.sync_state_columns()
        Session.objects.bulk_update(
            sessions, ["state", "version", "stage", "started_at", "ended_at"], batch_size=200
        )

        store = SessionStore()
        expire = timezone.now() + datetime.timedelta(days=1)
        keys = []
        rows = []
        for user in users:
            key = secrets.token_hex(16)
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: BACKEND,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            rows.append(DjangoSession(session_key=key, session_data=store.encode(data),
                                      expire_date=expire))
            keys.append(key)
        DjangoSession.objects.bulk_create(rows, batch_size=500)

    out = []
    for i, session in enumerate(sessions):
        secret = _get_new_csrf_string()
        out.append(
            {
                "id": session.pk,
                "version": session.version,
                "subject": subjects[i].pk,
                # The facilitator's cookies and the masked token the page puts in hx-headers.
                "csrf_cookie": secret,
                "csrf_token": _mask_cipher_secret(secret),
                "cookies": [
                    f"{settings.SESSION_COOKIE_NAME}={keys[i * 8 + j]}" for j in range(8)
                ],
            }
        )
    seconds = time.monotonic() - started
    sys.stdout.write("BENCH-SEED " + json.dumps({"sessions": out, "seconds": seconds}) + "\n")
    sys.stdout.flush()
