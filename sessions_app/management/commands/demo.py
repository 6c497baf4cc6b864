"""Create (or refresh) a demo group to click through, and print sign-in links.

For local use only: the links sign in without a password. Run by ``python3 dev.py run``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import Group, LoginLink, Membership, User
from sessions_app import scheduling
from sessions_app.models import Session, Subject

PEOPLE = [
    ("lucie@demo.intervision.local", "Lucie (animatrice)", Membership.ORGANISER),
    ("juliette@demo.intervision.local", "Juliette", Membership.MEMBER),
    ("dragos@demo.intervision.local", "Dragos", Membership.MEMBER),
    ("amina@demo.intervision.local", "Amina", Membership.MEMBER),
    ("paul@demo.intervision.local", "Paul", Membership.MEMBER),
    ("sofia@demo.intervision.local", "Sofia", Membership.MEMBER),
]
GROUP_NAME = "Intervision Product Management (démo)"


class Command(BaseCommand):
    help = "Create a demo group (a facilitator and five participants) and print sign-in links."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=settings.SITE_URL)

    def handle(self, *args, base_url, **options):
        if not settings.DEBUG:
            raise CommandError("The demo signs people in without a password: DEBUG only.")
        with transaction.atomic():
            group, created = Group.objects.get_or_create(
                name=GROUP_NAME,
                defaults={
                    "description": (
                        "Un groupe de pairs product managers, une séance toutes les deux semaines."
                    ),
                    "format": "intervision",
                    "applications_open": True,
                },
            )
            if not group.applications_open:
                group.applications_open = True
                group.save(update_fields=["applications_open"])
            users = []
            for email, name, role in PEOPLE:
                user, _ = User.objects.get_or_create(email=email, defaults={"display_name": name})
                Membership.objects.update_or_create(
                    group=group,
                    user=user,
                    defaults={
                        "role": role,
                        "removed_at": None,
                        "charter_accepted_at": timezone.now(),
                    },
                )
                users.append(user)
            if created:
                earlier = Session.objects.create(
                    group=group,
                    format=group.format,
                    title="Séance précédente",
                    scheduled_at=timezone.now() - timedelta(days=14),
                    state={"stage": "ended"},
                )
                Subject.objects.create(
                    group=group, owner=users[3], keyword="roadmap", proposed_in=earlier
                )
            session = next(
                (s for s in group.sessions.order_by("-scheduled_at") if s.stage != "ended"), None
            )
            if session is None:
                session = Session.objects.create(
                    group=group,
                    format=group.format,
                    title="Séance du jour",
                    scheduled_at=timezone.now(),
                    visio_url="https://meet.jit.si/intervision-demo",
                )
                session.facilitators.add(users[0])
            # Tomorrow evening: within the group's 48 hours, so the periodic jobs send its
            # reminders (to the console) as soon as the demo runs.
            upcoming = group.sessions.filter(
                title="Prochaine séance", scheduled_at__gt=timezone.now()
            ).first()
            if upcoming is None:
                local = timezone.localtime() + timedelta(days=1)
                upcoming = Session.objects.create(
                    group=group,
                    format=group.format,
                    title="Prochaine séance",
                    scheduled_at=local.replace(hour=18, minute=30, second=0, microsecond=0),
                    visio_url="https://meet.jit.si/intervision-demo",
                )
                upcoming.facilitators.add(users[0])
                for user in users[1:4]:
                    scheduling.register(upcoming.pk, user)
            links = [(u, LoginLink.issue(u, minutes=12 * 60)) for u in users]
        self.stdout.write(self.style.SUCCESS(f"Demo group: {group.name}"))
        self.stdout.write(f"Session page: {base_url}{reverse('session_page', args=[session.pk])}")
        self.stdout.write(
            "Next session (registration, .ics): "
            f"{base_url}{reverse('session_info', args=[upcoming.pk])}"
        )
        self.stdout.write(
            f"Organiser pages (as {users[0].name}): "
            f"{base_url}{reverse('group_members', args=[group.pk])}"
        )
        self.stdout.write(
            f"Public application page: {base_url}{reverse('apply', args=[group.public_key])}"
        )
        self.stdout.write(
            "Sign-in links (one per person, single use, 12 hours; "
            "open each in its own browser profile or private window):"
        )
        for user, token in links:
            self.stdout.write(f"  {user.name:<22} {base_url}{reverse('login_link', args=[token])}")
