"""Test data for the browser tests: a group, its people, sessions and signed-in cookies.

Prints one JSON object on stdout::

    {"group": 3, "sessions": [7, 8],
     "people": {"Lucie": {"id": 12, "email": "...", "cookie": "<sessionid>"}, ...}}

The cookie is a Django session key already signed in as that person, so a browser context
starts signed in without going through the sign-in pages. That is why the command refuses to
run unless DEBUG is on: it is a test fixture, never a production tool.
"""

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from participants.models import Group, LoginLink, Membership, User
from sessions_app.models import Session

PARTICIPANTS = ("Juliette", "Dragos", "Amina", "Paul")


def signed_in_cookie(user) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


class Command(BaseCommand):
    help = "Create a group with a facilitator and four participants for the browser tests."

    def add_arguments(self, parser):
        parser.add_argument("--tag", required=True, help="makes names and e-mails unique")
        parser.add_argument("--format", default="intervision", choices=["intervision", "codev"])
        parser.add_argument("--sessions", type=int, default=1)
        parser.add_argument(
            "--extra", action="append", default=[], help="another member (a late comer)"
        )
        parser.add_argument(
            "--outsider", action="store_true", help="also a signed-in person of no group"
        )
        parser.add_argument(
            "--organiser", action="store_true", help="also Olga, the group's organiser"
        )
        parser.add_argument(
            "--links", action="store_true", help="also a one-use sign-in token per person"
        )

    def handle(self, *args, tag, format, sessions, extra, outsider, organiser, links, **options):
        if not settings.DEBUG:
            raise CommandError("This command signs people in without a password: DEBUG only.")
        with transaction.atomic():
            group = Group.objects.create(name=f"Pairs produit {tag}", format=format)
            if hasattr(group, "applications_open"):
                group.applications_open = True
                group.save(update_fields=["applications_open"])
            people = {}
            roles = [("Lucie", Membership.FACILITATOR)]
            roles += [(name, Membership.MEMBER) for name in (*PARTICIPANTS, *extra)]
            if organiser:
                roles.append(("Olga", Membership.ORGANISER))
            for name, role in roles:
                user = User.objects.create_user(
                    f"{name.lower()}.{tag}@e2e.example.org", display_name=name
                )
                Membership.objects.create(
                    group=group, user=user, role=role, charter_accepted_at=timezone.now()
                )
                people[name] = user
            if outsider:
                people["Oscar"] = User.objects.create_user(
                    f"oscar.{tag}@e2e.example.org", display_name="Oscar"
                )
            session_ids = []
            for number in range(1, sessions + 1):
                session = Session.objects.create(
                    group=group,
                    format=format,
                    title=f"Séance {number}",
                    scheduled_at=timezone.now() + timedelta(minutes=number),
                    visio_url="https://visio.example.org/pairs-produit",
                )
                session.facilitators.add(people["Lucie"])
                session_ids.append(session.pk)
            out: dict[str, Any] = {
                "group": group.pk,
                # The group's public application page, where the app has one.
                "public_key": getattr(group, "public_key", None),
                "sessions": session_ids,
                "people": {},
            }
            for name, user in people.items():
                entry = {"id": user.pk, "email": user.email, "cookie": signed_in_cookie(user)}
                if links:
                    entry["link"] = LoginLink.issue(user)
                out["people"][name] = entry
        self.stdout.write(json.dumps(out))
