"""Sessions, the group's backlog of subjects, and what was said.

A running session keeps its whole live state in ``Session.state`` (JSON, the pure
``flow.State``) with a ``version`` that strictly increases: the database is the truth, the
channel layer only carries news of it.
"""

import functools

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Group, Membership, User

from . import flow


class SessionQuerySet(models.QuerySet):
    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            group__memberships__user=user, group__memberships__removed_at__isnull=True
        )


class Session(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("titre"), max_length=120, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Group.FORMATS)
    scheduled_at = models.DateTimeField(_("date et heure"), default=timezone.now)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)
    visio_url = models.URLField(_("lien de la visio"), blank=True, max_length=500)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_sessions"
    )
    state = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("séance")

    def __str__(self):
        return self.title or f"{self.group} — {self.scheduled_at:%Y-%m-%d}"

    def flow_state(self) -> flow.State:
        if not self.state:
            backlog = [s.as_flow() for s in self.group.subjects.filter(status="open")]
            return flow.new_state(self.format, backlog)
        return flow.State.from_dict(self.state)

    @property
    def stage(self) -> str:
        return (self.state or {}).get("stage", "lobby")

    def roster(self) -> tuple[dict[int, str], set[int]]:
        """The group's active members (id → name) and who drives, in one light query.

        Who drives: the facilitators named for this session who are still members, else
        the members whose role lets them facilitate. Runs on every command of a live
        session, so the query is plain SQL (the ORM spent longer building this query than
        the database spent answering it) and returns plain values.
        """
        with connection.cursor() as cursor:
            cursor.execute(_roster_sql(), [self.pk, self.group_id])
            rows = cursor.fetchall()
        people, named_ids, able = {}, set(), set()
        facilitation = self.group.facilitation
        for user_id, display_name, email, role, is_named in rows:
            people[user_id] = User.name_from(display_name, email)
            if is_named:
                named_ids.add(user_id)
            if Membership.role_can_facilitate(role, facilitation):
                able.add(user_id)
        return people, named_ids or able


def member_version(session_id: int, user_id: int) -> int | None:
    """The session's version if ``user_id`` is an active member of its group, else None.

    The websocket's check on every connect (thousands of them after a restart): plain SQL,
    as it costs the ORM more to build this query than the database to answer it.
    """
    with connection.cursor() as cursor:
        cursor.execute(_member_version_sql(), [session_id, user_id])
        row = cursor.fetchone()
    return None if row is None else row[0]


@functools.cache
def _member_version_sql() -> str:
    session, membership = Session._meta, Membership._meta
    return (
        f'SELECT s."version" FROM "{session.db_table}" s'
        f' INNER JOIN "{membership.db_table}" m ON m."group_id" = s."group_id"'
        f' WHERE s."id" = %s AND m."user_id" = %s AND m."removed_at" IS NULL'
    )


@functools.cache
def _roster_sql() -> str:
    membership, user = Membership._meta, User._meta
    named = Session.facilitators.through._meta
    return (
        f'SELECT m."user_id", u."display_name", u."email", m."role", EXISTS(SELECT 1'
        f' FROM "{named.db_table}" f WHERE f."session_id" = %s AND f."user_id" = m."user_id")'
        f' FROM "{membership.db_table}" m INNER JOIN "{user.db_table}" u ON u."id" = m."user_id"'
        f' WHERE m."group_id" = %s AND m."removed_at" IS NULL'
    )


class Subject(models.Model):
    """A subject of the group's backlog. Arrival order is the primary key's order."""

    STATUSES = [("open", _("ouvert")), ("handled", _("traité")), ("withdrawn", _("retiré"))]

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="subjects")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subjects"
    )
    keyword = models.CharField(_("mot-clé"), max_length=flow.KEYWORD_MAX)
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    urgent = models.BooleanField(default=False)
    proposed_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, related_name="proposed_subjects"
    )
    handled_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="handled_subjects"
    )
    actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.keyword

    def as_flow(self) -> flow.Subject:
        return flow.Subject(
            id=self.pk,
            owner=self.owner_id,
            keyword=self.keyword,
            arrival=self.pk,
            urgent=self.urgent,
            status=self.status,
        )


class Contribution(models.Model):
    """What one person said on a subject: a question, a reaction, a pass… and the panier."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="contributions")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="contributions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    n = models.PositiveIntegerField()
    phase = models.CharField(max_length=20)
    round = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12)
    text = models.TextField(blank=True)
    taken = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["subject_id", "n"]


class Event(models.Model):
    """One applied command: who did what, when. Gives undo, a timeline and phase timings."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    command = models.JSONField()
    state_before = models.JSONField()
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="one_event_per_version")
        ]


class RegistrationQuerySet(models.QuerySet):
    def seated(self):
        return self.filter(status=Registration.REGISTERED)

    def waiting(self):
        return self.filter(status=Registration.WAITLIST).order_by("created_at", "id")


class Registration(models.Model):
    """A member's seat at a scheduled session, or their place on its waitlist.

    Seats are limited by the group's capacity; a freed seat goes to the first on the
    waitlist (see ``sessions_app.scheduling``).
    """

    REGISTERED, WAITLIST = "registered", "waitlist"
    STATUSES = [(REGISTERED, _("inscrit·e")), (WAITLIST, _("en liste d'attente"))]

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations"
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=REGISTERED)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_registration_per_session")
        ]

    def __str__(self):
        return f"{self.user} @ {self.session} ({self.status})"

