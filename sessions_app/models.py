"""Sessions, the group's backlog of subjects, what was said, and what each member keeps of
it: their feedback on a session and their private carnet de bord.

A running session keeps its whole live state in ``Session.state`` (JSON, the pure
``flow.State``) with a ``version`` that strictly increases: the database is the truth, the
channel layer only carries news of it.
"""

from datetime import UTC, datetime, timedelta
from typing import cast

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from participants.models import Group, Membership, User

from . import flow

# Where a session stands (``Session.timing``).
UPCOMING, LIVE, ENDED, MISSED = "upcoming", "live", "ended", "missed"
TIMING_LABELS = {
    UPCOMING: _("à venir"),
    LIVE: _("en cours"),
    ENDED: _("terminée"),
    MISSED: _("non tenue"),
}
# A session not started yet can be joined on its day, or from this long before it starts.
OPENS_BEFORE = timedelta(hours=1)
# Its live state has started: any stage between the lobby and the end.
_STARTED = Q(stage__in=[s for s in flow.STAGES if s not in ("lobby", "ended")])
_ENDED = Q(stage="ended")
_NOT_STARTED = Q(stage="lobby")


# The columns ``Session.save`` keeps in step with the state.
STATE_COLUMNS = ("stage", "started_at", "ended_at", "tally")


def _moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


class SessionQuerySet(models.QuerySet):
    def for_member(self, user):
        """Sessions of the groups ``user`` is an active member of: the one membership rule
        of every page, command and socket."""
        return self.filter(group__in=Membership.objects.groups_of(user))

    def get_for_member_or_404(self, user: User, pk: int) -> "Session":
        """The session ``pk``, its group fetched with it, for an active member of that group;
        Http404 for anyone else, exactly as for a session that does not exist."""
        return get_object_or_404(self.for_member(user).select_related("group"), pk=pk)

    def upcoming(self, limit: int, now: datetime | None = None) -> list["Session"]:
        """Up to ``limit`` sessions à venir or en cours, the next first (one query).

        The database keeps those that may be (not ended; started, or planned less than a
        day ago: "today" depends on each group's time zone); ``Session.timing`` decides.
        """
        now = now or timezone.now()
        query = (
            self.filter(_STARTED | (_NOT_STARTED & Q(scheduled_at__gte=now - timedelta(days=1))))
            .select_related("group")
            .order_by("scheduled_at", "id")[: limit + 10]  # room for those not held
        )
        rows = cast(list[Session], list(query))
        return [s for s in rows if s.timing_at(now) in (UPCOMING, LIVE)][:limit]

    def past(self, limit: int, now: datetime | None = None) -> list["Session"]:
        """Up to ``limit`` sessions terminées or non tenues, the most recent first (one
        query; the database keeps those that may be, ``Session.timing`` decides)."""
        now = now or timezone.now()
        query = (
            self.filter(_ENDED | (_NOT_STARTED & Q(scheduled_at__lt=now)))
            .select_related("group")
            .order_by("-scheduled_at", "-id")[: limit + 10]
        )
        rows = cast(list[Session], list(query))
        return [s for s in rows if s.timing_at(now) in (ENDED, MISSED)][:limit]


class Format(models.Model):
    """A format a group's organisers shaped from a preset: its phases (each made of a
    building block the rules know), its texts and whether sessions open with the report
    back. A session freezes it when it starts (``Session.texts`` and the state's steps)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="formats")
    name = models.CharField(_("nom"), max_length=80)
    # The preset it derives from: what ``Session.format`` says of the sessions using it.
    base = models.CharField(_("méthode de départ"), max_length=20, choices=Group.FORMATS)
    # Each phase: key, label, block, timebox, kind, rule, aid (see sessions_app.formats).
    phases = models.JSONField(default=list)
    # Job-aid texts of the stages around the subjects: stage key -> text.
    stage_aids = models.JSONField(default=dict, blank=True)
    # None: the group's setting.
    report_back = models.BooleanField(_("retour sur les plans d’action"), null=True, blank=True)
    # Offered first when a session of the group is scheduled (one per group at most).
    is_default = models.BooleanField(_("format par défaut du groupe"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("format")

    def __str__(self):
        return self.name


class Session(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("titre"), max_length=120, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Group.FORMATS)
    # A format of the group's own, if one was chosen; ``format`` is then its preset family.
    shaped_format = models.ForeignKey(
        Format, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
        verbose_name=_("format du groupe"),
    )
    # The rule and job-aid texts of its format, frozen when it starts (see formats.freeze).
    texts = models.JSONField(default=dict, blank=True, editable=False)
    scheduled_at = models.DateTimeField(_("date et heure"), default=timezone.now)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)
    visio_url = models.URLField(_("lien de la visio"), blank=True, max_length=500)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_sessions"
    )
    # Whether the facilitators are seated when they open the page (they speak in turn and
    # may bring a subject), or only drive. Seed 000: the organisers facilitate and may
    # bring subjects, so the scheduling form proposes it to an organiser; off by default so
    # that sessions scheduled before the choice existed keep a facilitator who only drives.
    facilitators_take_part = models.BooleanField(
        _("la personne qui anime participe aussi"),
        default=False,
        help_text=_(
            "Elle prend place à la table : elle parle à son tour et peut apporter un sujet."
        ),
    )
    state = models.JSONField(default=dict)
    version = models.PositiveIntegerField(default=0)
    # Where the state stands, and when it started and ended, as columns the other pages
    # query and read: kept in step with ``state`` at every save of it (``save``), so that
    # nothing but ``flow`` reads the state by key.
    stage = models.CharField(max_length=10, default="lobby", editable=False, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Once ended, what the Bilan counts of the state, without its texts (``flow.Structure``).
    tally = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The calendar's revision of this session (iCalendar SEQUENCE): one more at each change
    # of date, duration, title or visio link, so calendars replace the event.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Sessions created together as a recurring series share this key.
    series = models.CharField(max_length=32, blank=True, default="", editable=False)
    # When the group's retention delay removed what was said (see privacy.retention).
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Moves on whenever the group's roster as this session sees it may have changed (a
    # member joins, leaves or changes role or name, the group's facilitation, the session's
    # facilitators: ``signals``). The locking query of a command reads it with the row, so
    # a process holds the roster it read until then (``snapshot.roster_of``), on any process.
    roster_stamp = models.PositiveIntegerField(default=0, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at"]
        verbose_name = _("séance")

    def __str__(self):
        if self.title:
            return self.title
        day = formats.date_format(timezone.localtime(self.scheduled_at, self.group.tz), "j F Y")
        return f"{self.group} — {day}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        # Only ``bump_rosters`` writes the roster stamp: a session loaded before a roster
        # change and saved after it must not put the old stamp back.
        if not self._state.adding and update_fields is None and not kwargs.get("force_insert"):
            # As Django saves a partly loaded row: its loaded fields only.
            deferred = self.get_deferred_fields()
            update_fields = [
                f.attname for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "roster_stamp" and f.attname not in deferred
            ]
        if update_fields is None or "state" in update_fields:
            self.sync_state_columns()
            if update_fields is not None:
                update_fields = {*update_fields, *STATE_COLUMNS}
        if update_fields is not None:
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    def sync_state_columns(self) -> None:
        """``stage``, ``started_at``, ``ended_at`` and, once ended, ``tally`` as ``state``
        says (read by ``flow``)."""
        stage, started, ended = flow.stage_and_times(self.state or {})
        self.stage = stage
        self.started_at = _moment(started)
        self.ended_at = _moment(ended)
        self.tally = flow.structure(self.state).as_data() if stage == "ended" else {}

    def flow_state(self) -> flow.State:
        if not self.state:
            backlog = [s.as_flow() for s in self.group.subjects.filter(status="open")]
            return flow.new_state(self.format, backlog)
        return flow.State.from_dict(self.state)

    def choice_inputs(self) -> dict[str, object]:
        """What ``start`` takes from the group: how it chooses its subjects (``choice``),
        the votes each person gives (``allowance``), and the day of the group's next
        session after this one, in its time zone (``next_on``: "" when none is planned),
        by which a plan needs an action due."""
        group = self.group
        following = (
            Session.objects.filter(
                group_id=self.group_id, stage="lobby", scheduled_at__gt=self.scheduled_at
            )
            .order_by("scheduled_at", "id")
            .values_list("scheduled_at", flat=True)
            .first()
        )
        return {
            "choice": group.subject_choice,
            "allowance": group.votes_per_person if group.subject_choice == "votes" else 0,
            "next_on": timezone.localdate(following, group.tz).isoformat() if following else "",
        }

    def was_at_table(self, user_id: int) -> bool:
        """Whether the person is seated, and not marked absent, in the session's state."""
        return flow.at_table(self.state or {}, user_id)

    @property
    def ends_at(self) -> datetime:
        """When it is planned to end."""
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)

    def timing_at(self, now: datetime) -> str:
        """Where the session stands at ``now``: the one rule behind every page's state.

        - ``ENDED`` (« terminée »): its live state has ended (a facilitator ended it);
        - ``LIVE`` (« en cours »): its live state has started and not ended, whatever the
          clock says (a session started early or running late is en cours);
        - ``MISSED`` (« non tenue »): never started, and its day has passed in the group's
          time zone (the facilitator may still start it: it is then en cours);
        - ``UPCOMING`` (« à venir »): not started, on its day or later.
        """
        stage = self.stage
        if stage == "ended":
            return ENDED
        if stage != "lobby":
            return LIVE
        tz = self.group.tz
        if timezone.localdate(self.scheduled_at, tz) < timezone.localdate(now, tz):
            return MISSED
        return UPCOMING

    @property
    def timing(self) -> str:
        """``timing_at`` now."""
        return self.timing_at(timezone.now())

    @property
    def timing_label(self) -> str:
        return str(TIMING_LABELS[self.timing])

    @property
    def is_live(self) -> bool:
        return self.timing == LIVE

    @property
    def is_ended(self) -> bool:
        return self.timing == ENDED

    @property
    def is_past(self) -> bool:
        """Terminée or non tenue: nothing left to join or register for."""
        return self.timing in (ENDED, MISSED)

    @property
    def is_joinable(self) -> bool:
        """En cours, or à venir and opening: on its day (group's time zone) or within
        ``OPENS_BEFORE`` of its start. Before that, its page is the info page, with
        registration; the live page would seat whoever opens it."""
        if self.timing == LIVE:
            return True
        if self.timing != UPCOMING:
            return False
        now = timezone.now()
        tz = self.group.tz
        return (
            timezone.localdate(self.scheduled_at, tz) <= timezone.localdate(now, tz)
            or self.scheduled_at - now <= OPENS_BEFORE
        )

    @property
    def registration_open(self) -> bool:
        """Seats are taken until the planned end, unless it has ended or was not held."""
        return not self.is_past and timezone.now() <= self.ends_at

    def roster(self) -> tuple[dict[int, str], set[int]]:
        """The group's active members (id → name) and who drives, in one query.

        Who drives: the facilitators named for this session who are still members, else
        the members whose role lets them facilitate.
        """
        named = Session.facilitators.through.objects.filter(
            session_id=self.pk, user_id=OuterRef("user_id")
        )
        rows = (
            self.group.memberships.active()
            .annotate(named=Exists(named))
            .values_list("user_id", "user__display_name", "user__email", "role", "named")
        )
        people, named_ids, able = {}, set(), set()
        facilitation = self.group.facilitation
        for user_id, display_name, email, role, is_named in rows:
            people[user_id] = User.name_from(display_name, email)
            if is_named:
                named_ids.add(user_id)
            if Membership.role_can_facilitate(role, facilitation):
                able.add(user_id)
        return people, named_ids or able


def bump_rosters(sessions: models.QuerySet) -> None:
    """Tell every process that the roster of ``sessions`` may have changed: their pages and
    commands read it again (``snapshot.roster_of``). Called inside the change's transaction."""
    sessions.update(roster_stamp=models.F("roster_stamp") + 1)


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
    # The votes it got the last time the group chose its subjects by votes (counts only:
    # who voted what is never kept).
    votes = models.PositiveSmallIntegerField(default=0)
    proposed_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, related_name="proposed_subjects"
    )
    handled_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="handled_subjects"
    )
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
    kind = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    taken = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["subject_id", "n"]

    def __str__(self):
        return f"contribution {self.pk}"  # never its text: what is said stays in the session


class ActionQuerySet(models.QuerySet):
    def of(self, user):
        """``user``'s own actions, in groups they still belong to: nobody else's, ever."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user, subject__group__in=Membership.objects.groups_of(user))

    def open(self):
        return self.filter(status__in=(Action.TODO, Action.DOING))

    def open_first(self):
        """The open actions first, then the latest session's first, in plan order."""
        return self.annotate(
            closed=Case(
                When(status__in=(Action.TODO, Action.DOING), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("closed", "-session__scheduled_at", "position", "id")


class Action(models.Model):
    """One action of a subject owner's plan: written at the panier (intervision) or the
    synthèse (codev), achievable by the next session (seed 002), followed up until then."""

    TODO, DOING, DONE, DROPPED = "todo", "doing", "done", "dropped"
    STATUSES = [
        (TODO, _("à faire")),
        (DOING, _("en cours")),
        (DONE, _("fait")),
        (DROPPED, _("abandonné")),
    ]

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="plan")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("action"), max_length=flow.ACTION_MAX)
    # How its owner will know it worked (codev's synthèse).
    sign = models.CharField(_("signe de réussite"), max_length=flow.ACTION_MAX, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=STATUSES, default=TODO)
    note = models.TextField(_("note"), blank=True, max_length=flow.TEXT_MAX)
    # Empty: at the group's next session.
    review_on = models.DateField(_("à revoir le"), null=True, blank=True)
    # The session whose report back said what became of it.
    reported_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["session_id", "subject_id", "position", "id"]
        verbose_name = _("action")

    def __str__(self):
        return f"action {self.pk}"  # never its text: the plan is its owner's

    @property
    def is_open(self) -> bool:
        return self.status in (self.TODO, self.DOING)


class ActionReport(models.Model):
    """One report on an action: what its owner said of it at a session's report back
    (``session``), or wrote on its page between sessions (``session`` None). Each is kept,
    so the action's page tells its history; ``Action.status`` and ``Action.note`` hold the
    latest."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Action.STATUSES)
    note = models.TextField(_("ce qui a été dit"), blank=True, max_length=flow.TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("point sur une action")

    def __str__(self):
        return f"report {self.pk} on action {self.action_id}"  # never its note: the owner's


class EventQuerySet(models.QuerySet):
    def with_command_id(self, session, command_id: str):
        """The event a page's command id gave in ``session``: found through the partial
        unique index on (session, command id). The query repeats the index's condition
        (the id is not empty): SQLite uses a partial index only then, and would otherwise
        read every event of the session (PostgreSQL infers it)."""
        return self.filter(session=session, command_id=command_id).exclude(command_id="")


class Event(models.Model):
    """One applied command: who did what, when. Gives undo, a timeline and phase timings."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    version = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    command = models.JSONField()
    # The id the page gave the command: a retry of the same command is never applied twice.
    command_id = models.CharField(max_length=64, blank=True, default="")
    state_before = models.JSONField()
    undone = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["session", "version"], name="one_event_per_version"),
            models.UniqueConstraint(
                fields=["session", "command_id"],
                condition=~models.Q(command_id=""),
                name="one_event_per_command_id",
            ),
        ]

    def __str__(self):
        return f"event {self.version} of session {self.session_id}"


class RegistrationQuerySet(models.QuerySet):
    def seated(self):
        return self.filter(status=Registration.REGISTERED)

    def waiting(self):
        return self.filter(status=Registration.WAITLIST).order_by("created_at", "id")


class Registration(models.Model):
    """A member's seat at a scheduled session, or their place on its waitlist.

    Seats are limited by the group's capacity; a freed seat goes to the first on the
    waitlist (see ``sessions_app.actions.scheduling``).
    """

    REGISTERED, WAITLIST = "registered", "waitlist"
    STATUSES = [(REGISTERED, _("inscrit·e")), (WAITLIST, _("en liste d’attente"))]

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



class Reminder(models.Model):
    """The reminder e-mail sent to one person before one session: recorded in the same
    transaction that sends it, so that nobody gets it twice, however often the job runs."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_reminder_per_session")
        ]

    def __str__(self):
        return f"reminder of session {self.session_id} to user {self.user_id}"


class Rota(models.Model):
    """The order of a rotating group's facilitation, once an organiser or a member changed it
    (a skip or a swap): see ``sessions_app.rota``. Without a row, the order is the members'
    arrival in the group.

    ``order`` is the queue of user ids as it stood after the change, the next person first;
    ``after_session_id`` is the session whose facilitator the queue followed then, so that
    the queue moves on by itself once someone else's session is scheduled.
    """

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="rota")
    order = models.JSONField(default=list)
    after_session_id = models.IntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"rota of group {self.group_id}"


class FeedbackQuerySet(models.QuerySet):
    def of(self, user):
        """``user``'s own feedback, in groups they still belong to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            author=user, session__group__in=Membership.objects.groups_of(user)
        )


class Feedback(models.Model):
    """A member's own word on a session: how useful it was, and what they keep from it.

    « Ce que je retiens » is its author's: nobody else reads it, unless they choose to share
    it with the group, and then without their name (seed 004: "des retours qualitatifs de la
    part de nos membres"). The usefulness counts in the group's figures (``insights``), never
    shown per person.
    """

    USEFULNESS = [
        (1, _("1 — pas utile")),
        (2, _("2 — peu utile")),
        (3, _("3 — assez utile")),
        (4, _("4 — utile")),
        (5, _("5 — très utile")),
    ]
    KEEPS_MAX = 1000

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    usefulness = models.PositiveSmallIntegerField(
        _("utilité de la séance pour moi"),
        choices=USEFULNESS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    keeps = models.TextField(_("ce que je retiens"), blank=True, max_length=KEEPS_MAX)
    shared = models.BooleanField(
        _("partager ce que je retiens avec le groupe, sans mon nom"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        db_table = "insights_feedback"  # the table it had in insights, rows and all
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_feedback_per_session")
        ]
        verbose_name = _("retour sur la séance")

    def __str__(self):
        return f"feedback {self.pk}"  # never its text: it is its author's


class LogbookEntryQuerySet(models.QuerySet):
    def of(self, user, group_id):
        """The author's own entries in a group they still belong to: nobody else's, ever."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            author=user, group_id=group_id, group__in=Membership.objects.groups_of(user)
        )


class LogbookEntry(models.Model):
    """A private logbook entry (carnet de bord, seed 002): learnings, feelings, progress.

    Readable by its author only — not by organisers, not by facilitators.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="logbook_entries"
    )
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("note"), max_length=5000)
    # Tied to the work: the session, and the subject, the note was written about. No reverse
    # accessor, so nothing reaches a note from a session; a deleted session leaves its
    # author's note in place.
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LogbookEntryQuerySet.as_manager()

    class Meta:
        db_table = "participants_logbookentry"  # the table it had in participants, rows and all
        ordering = ["-created_at", "-id"]
        verbose_name = _("entrée du carnet de bord")

    def __str__(self):
        return f"logbook entry {self.pk}"
