"""Create (or refresh) a demo group to click through, and print sign-in links.

For local use only: the links sign in without a password. Run by ``python3 dev.py run``,
which prints this command's output last, once the server answers. The printout is in French,
as the app is; each sign-in link says how long it lasts. A re-run gives the demo people their
demo names back (Lucie facilitates: she is named « Lucie », as e-mails show her).

On its first run it also gives the group a past: three sessions, two weeks apart, played
through the live path (``live.apply``, as the pages do) on a clock set to when they happened,
with subjects handled, questions, reactions, paniers, action plans, a withdrawal, an absence
and the members' feedback, so that the group's « Bilan » has something to show. Amina's
« roadmap » is left over for today's session.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intervision.demo_community import demo_community
from participants.models import Group, LoginLink, Membership, User
from sessions_app import live
from sessions_app.actions.scheduling import do_register
from sessions_app.models import Action, Event, Feedback, Registration, Session, Subject

PEOPLE = [
    ("lucie@demo.intervision.local", "Lucie", Membership.ORGANISER),
    ("juliette@demo.intervision.local", "Juliette", Membership.MEMBER),
    ("dragos@demo.intervision.local", "Dragos", Membership.MEMBER),
    ("amina@demo.intervision.local", "Amina", Membership.MEMBER),
    ("paul@demo.intervision.local", "Paul", Membership.MEMBER),
    ("sofia@demo.intervision.local", "Sofia", Membership.MEMBER),
]
GROUP_NAME = "Intervision Product Management (démo)"
# How long the printed sign-in links last (each signs in once).
LINK_HOURS = 12


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
                if user.display_name != name:  # an earlier demo's « Lucie (animatrice) »
                    user.display_name = name
                    user.save(update_fields=["display_name"])
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
                _history(group, users)
            # Today's: the latest session not ended, not the next one (tomorrow evening).
            session = next(
                (
                    s
                    for s in group.sessions.filter(
                        scheduled_at__lte=timezone.now() + timedelta(hours=1)
                    ).order_by("-scheduled_at", "-pk")
                    if s.stage != "ended"
                ),
                None,
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
                    do_register(upcoming.pk, user)
            community, leader = demo_community(group, users)
            links = [(u, LoginLink.issue(u, minutes=LINK_HOURS * 60)) for u in [*users, leader]]
        # In French, as the app, in lines that fit a terminal; the links last.
        out = self.stdout.write
        out(self.style.SUCCESS(f"Groupe de démo : {group.name}"))
        out(f"  Séance du jour : {base_url}{reverse('session_page', args=[session.pk])}")
        out(
            "  Prochaine séance (inscription, .ics) : "
            f"{base_url}{reverse('session_info', args=[upcoming.pk])}"
        )
        out(
            f"  Organisation du groupe (avec le lien de {users[0].name}) : "
            f"{base_url}{reverse('group_members', args=[group.pk])}"
        )
        out(f"  Candidature publique : {base_url}{reverse('apply', args=[group.public_key])}")
        out(
            f"  Communauté « {community.name} » (avec le lien de {leader.name}, qui l’anime) : "
            f"{base_url}{reverse('community_detail', args=[community.pk])}"
        )
        out("")
        out("Liens de connexion, un par personne, à ouvrir chacun dans son propre profil de")
        out("navigateur ou sa fenêtre privée. Un lien a servi ? Relancez python3 dev.py run,")
        out("ou demandez-en un sur la page de connexion : l’e-mail s’affiche dans ce terminal.")
        validity = f"valable {LINK_HOURS} heures, une seule fois"
        for user, token in links:
            role = " (anime les séances, organise le groupe)" if user == users[0] else ""
            if user == leader:
                role = " (responsable de la communauté, dans aucun groupe)"
            out(f"  {user.name}{role}, {validity} :")
            out(f"    {base_url}{reverse('login_link', args=[token])}")


# --- The group's past ------------------------------------------------------------------------


class _Replay:
    """Plays one past session through ``live.apply``, each step a few minutes after the one
    before: the time given to ``live.apply`` and the event's time both say when, so
    the phases last what they would have lasted."""

    def __init__(self, session: Session, clock: SimpleNamespace, people: dict[int, User]):
        self.session, self.clock, self.people = session, clock, people
        self.start = session.scheduled_at.timestamp()
        self.minute = -5.0  # people arrive a little before the time

    def __call__(self, actor: User, kind: str, took: float = 0.5, /, **fields) -> None:
        self.minute += took
        self.clock.t = self.start + self.minute * 60
        snap = live.apply(
            self.session.pk, actor, {"type": kind, **fields}, None, now=self.clock.t
        )
        Event.objects.filter(session=self.session, version=snap["version"]).update(
            created_at=datetime.fromtimestamp(self.clock.t, tz=UTC)
        )

    def state(self):
        return Session.objects.get(pk=self.session.pk).flow_state()

    def at(self) -> datetime:
        return datetime.fromtimestamp(self.start + self.minute * 60, tz=UTC)

    def keywords(self, proposed: dict[User, str]) -> None:
        """The keyword round: each proposes theirs on their turn or passes, until a whole
        round passes."""
        left = dict(proposed)
        while (state := self.state()).stage == "triage":
            person = self.people[state.speaker]
            if person in left:
                self(person, "propose", 2, keyword=left.pop(person))
            else:
                self(person, "pass", 0.5)

    def rounds(self, said: dict[User, str], took: float) -> None:
        """The current phase's rounds: who is in ``said`` speaks once (``took`` minutes),
        the others pass, until the rules move on to the next phase."""
        left = dict(said)
        phase = self.state().phase
        while (state := self.state()).stage == "subject" and state.phase == phase:
            person = self.people[state.speaker]
            if person in left:
                self(person, "speak", took, text=left.pop(person))
            else:
                self(person, "pass", 0.5)

    def subject(
        self,
        driver: User,
        keyword: str,
        *,
        expose: float,
        questions: dict[User, str],
        reactions: dict[User, str],
        taken: dict[str, str],
        actions: tuple[str, ...] = (),
    ) -> None:
        """One subject through the intervision phases: exposé, clarification, réaction, and
        the panier, where the owner takes what helps (``taken``: a reaction's beginning →
        their note) and notes their next actions."""
        subject = Subject.objects.get(group=self.session.group, keyword=keyword)
        self(driver, "begin_subject", 1, subject=subject.pk)
        owner = subject.owner
        self(owner, "done", expose)
        self.rounds(questions, 4)
        self.rounds(reactions, 6)
        for contribution in self.state().contributions:
            note = next((n for start, n in taken.items() if contribution.text.startswith(start)),
                        None)
            if note is not None:
                self(owner, "take", 1.5, n=contribution.n, taken=True, note=note)
        for text in actions:
            self(owner, "add_action", 2, text=text)
        self(owner, "done", 2)


def _history(group: Group, users: list[User]) -> None:
    """Three sessions, six, four and two weeks ago at 18:30, played through the live path."""
    lucie, juliette, dragos, amina, paul, sofia = users
    people = {u.pk: u for u in users}
    clock = SimpleNamespace(t=0.0)
    evening = timezone.localtime().replace(hour=18, minute=30, second=0, microsecond=0)

    def session(days_ago: int, title: str, driver: User, registered: list[User]) -> _Replay:
        when = evening - timedelta(days=days_ago)
        created = Session.objects.create(
            group=group, format=group.format, title=title, scheduled_at=when,
            visio_url="https://meet.jit.si/intervision-demo",
        )
        created.facilitators.add(driver)
        for person in registered:
            Registration.objects.create(
                session=created, user=person, created_at=when - timedelta(days=5)
            )
        return _Replay(created, clock, people)

    def close(play: _Replay, feedback: list[tuple[User, int, str]]) -> None:
        """When the subjects were proposed, and the feedback given after the session."""
        Subject.objects.filter(proposed_in=play.session).update(
            created_at=play.session.scheduled_at + timedelta(minutes=5)
        )
        for author, usefulness, shared in feedback:
            Feedback.objects.create(
                session=play.session, author=author, usefulness=usefulness,
                keeps=shared, shared=bool(shared), created_at=play.at() + timedelta(hours=2),
            )

    # Six weeks ago, Lucie facilitates. Sofia, registered, is kept away at the last
    # minute: she is marked absent. Juliette's and Paul's subjects are handled,
    # Dragos's « priorisation » waits for the next session.
    play = session(42, "Première séance", lucie, [juliette, dragos, amina, paul, sofia])
    for person in (juliette, dragos, amina, paul, sofia):
        play(person, "join", 1)
    play(lucie, "set_absent", 1, person=sofia.pk, absent=True)
    play(lucie, "start", 1)
    play.keywords({juliette: "délégation", dragos: "priorisation", paul: "onboarding"})
    play.subject(
        lucie, "délégation", expose=11,
        questions={dragos: "Qu’as-tu déjà délégué ?", amina: "Que crains-tu si Marc "
                   "s’en charge ?", paul: "Ton équipe le sait-elle ?"},
        reactions={dragos: "Déléguer un domaine entier plutôt que des tâches.",
                   amina: "J’ai ressenti de la fatigue dans ta voix.",
                   paul: "Et si tu commençais par les revues de tickets ?"},
        taken={"Déléguer un domaine": "Le suivi des tickets à Marc",
               "Et si tu commençais": ""},
        actions=("Confier le suivi des tickets à Marc",),
    )
    play.subject(
        lucie, "onboarding", expose=9,
        questions={juliette: "Combien d’arrivées ce trimestre ?",
                   dragos: "Qui les accueille aujourd’hui ?"},
        reactions={juliette: "Un binôme pour chaque arrivée.",
                   amina: "Une page, pas un wiki.", dragos: "Demande aux derniers "
                   "arrivés ce qui leur a manqué."},
        taken={"Une page": "", "Demande aux derniers": ""},
        actions=("Écrire le parcours d’arrivée en une page",
                 "Interroger les trois derniers arrivés"),
    )
    play(lucie, "end", 6)
    close(play, [
        (juliette, 5, "J’ai une idée claire de ce que je peux déléguer, et à qui."),
        (dragos, 4, ""), (amina, 4, ""), (paul, 5, ""),
    ])

    # Four weeks ago, Juliette facilitates (the rota turns) and Lucie takes part.
    # Dragos's « priorisation » is still current and handled first; Paul withdraws
    # his « télétravail », settled since; Sofia's « feedback client » is handled.
    play = session(28, "Deuxième séance", juliette, [lucie, dragos, amina, paul, sofia])
    for person in (dragos, lucie, amina, sofia, paul):
        play(person, "join", 1)
    play(juliette, "start", 1)
    subject = Subject.objects.get(group=group, keyword="priorisation")
    play(dragos, "confirm", 1, subject=subject.pk, keep=True)
    play.keywords({sofia: "feedback client", paul: "télétravail"})
    play(paul, "withdraw", 1,
         subject=Subject.objects.get(group=group, keyword="télétravail").pk)
    play.subject(
        juliette, "priorisation", expose=10,
        questions={lucie: "Qui décide en dernier ?", amina: "Qu’as-tu dit non "
                   "récemment ?", sofia: "Combien de demandes par semaine ?"},
        reactions={lucie: "Classer par impact et effort, chaque lundi.",
                   amina: "Le non est aussi un service rendu.",
                   paul: "Partage la liste, les arbitrages viendront d’eux-mêmes."},
        taken={"Classer par impact": "Essayer lundi prochain",
               "Partage la liste": ""},
        actions=("Classer les demandes par impact et effort chaque lundi",),
    )
    play.subject(
        juliette, "feedback client", expose=8,
        questions={dragos: "Qui lit les retours aujourd’hui ?",
                   paul: "Les clients savent-ils ce que vous en faites ?"},
        reactions={dragos: "Un tableau partagé, relu chaque sprint.",
                   lucie: "Réponds à chaque retour, même par un mot."},
        taken={"Un tableau partagé": ""},
        actions=("Relire les retours clients à chaque revue de sprint",),
    )
    play(juliette, "end", 5)
    close(play, [
        (dragos, 5, "Entendre comment les autres priorisent m’a rassuré."),
        (sofia, 4, ""), (amina, 3, ""), (lucie, 4, ""),
    ])

    # Two weeks ago, Lucie again. Paul, registered, does not come. Sofia's
    # « recrutement », marked urgent, takes the evening; Amina's « roadmap » waits.
    play = session(14, "Séance précédente", lucie, [juliette, dragos, amina, paul, sofia])
    for person in (juliette, amina, dragos, sofia):
        play(person, "join", 1)
    play(lucie, "start", 2)
    play.keywords({amina: "roadmap", sofia: "recrutement"})
    play(lucie, "set_urgent", 1, urgent=True,
         subject=Subject.objects.get(group=group, keyword="recrutement").pk)
    play.subject(
        lucie, "recrutement", expose=14,
        questions={juliette: "Quel profil cherches-tu vraiment ?",
                   amina: "Depuis combien de temps le poste est-il ouvert ?",
                   dragos: "Qui fait passer les entretiens ?"},
        reactions={juliette: "Écris la fiche de poste avec l’équipe.",
                   amina: "Un cas pratique plutôt que trois entretiens.",
                   dragos: "J’entends surtout de l’urgence : et si tu prenais un "
                   "intérim ?"},
        taken={"Écris la fiche": "Atelier d’une heure avec l’équipe",
               "Un cas pratique": ""},
        actions=("Revoir la fiche de poste avec l’équipe",),
    )
    play(lucie, "end", 35)
    close(play, [
        (sofia, 5, "Des questions qui m’ont fait voir mon recrutement autrement."),
        (juliette, 4, ""), (amina, 3, ""), (dragos, 3, ""),
    ])

    # Between sessions, the owners followed their plans up on « Mes actions ».
    for text, status, note in (
        ("Confier le suivi des tickets à Marc", Action.DONE, "Marc a pris le relais."),
        ("Écrire le parcours d’arrivée en une page", Action.DONE, ""),
        ("Interroger les trois derniers arrivés", Action.DROPPED, "Deux sont déjà partis."),
        ("Classer les demandes par impact et effort chaque lundi", Action.DOING, ""),
    ):
        Action.objects.filter(subject__group=group, text=text).update(status=status, note=note)
