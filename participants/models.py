"""People and the groups they belong to.

Confidentiality is the product's promise: every query that reaches a page goes through
``Group.objects.for_member(user)`` or ``Membership.objects.active()``, so a removed member
or an outsider never sees a group.
"""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .signals import member_removed, user_deactivated

DEFAULT_CHARTER = _(
    "Bienveillance : on écoute, on aide, on ne juge pas.\n"
    "Engagement : on vient, on s’implique dans la recherche d’efficacité.\n"
    "Confidentialité : on ne dit pas qui participe, ni ce qui se dit.\n"
    "Sincérité : on parle vrai, de situations réelles et actuelles."
)
MAX_CAPACITY = 8
# How long the texts said in a session are kept after it, unless the group chooses otherwise:
# long enough for the next session's report back (groups meet every four to eight weeks).
DEFAULT_RETENTION_DAYS = 60
MAX_RETENTION_DAYS = 730
ERASED_NAME = _("un·e ancien·ne membre")
MAX_REMINDER_HOURS = 14 * 24
# Votes each person gives when the group chooses its subjects by votes (``flow.ALLOWANCE_MAX``).
MAX_VOTES = 5
DEFAULT_ELIGIBILITY = _(
    "Quel est votre lien réel avec le domaine du groupe ?\n"
    "Travaillez-vous pour une société de service, comme freelance ou consultant ?"
)


DEFAULT_TIME_ZONE = "Europe/Paris"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Fuseau horaire inconnu : choisissez-en un dans la liste."))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """An unguessable token and the hash stored in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class GroupFull(Exception):
    """No seat left in the group."""


class InvitationUnusable(Exception):
    """The invitation was used, revoked or has expired meanwhile."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


class UserQuerySet(models.QuerySet["User"]):
    def active_members_of(self, group: "Group | int", **membership: object) -> "UserQuerySet":
        """The people with an active membership of ``group`` (a group or its id).

        ``membership`` adds conditions on that same membership (``reminders=True``): in one
        ``filter()`` they share its join, where a later ``.filter(memberships__...)`` would
        join again and could match the person's membership of another group. An
        ``order_by("memberships__joined_at")`` that follows orders by this group's."""
        return self.filter(
            memberships__group=group,
            memberships__removed_at__isnull=True,
            **{f"memberships__{name}": value for name, value in membership.items()},
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def active_members_of(self, group: "Group | int", **membership: object) -> UserQuerySet:
        return self.get_queryset().active_members_of(group, **membership)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=80, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the person erased their account: the row stays, emptied, so that what the
    # group counts still adds up; nothing in it names or reaches the person any more.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The language of the e-mails the person receives (``participants.language``): the one
    # chosen in « Mon compte » when ``language_chosen``, else the one they last used.
    language = models.CharField(
        _("langue des e-mails"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    language_chosen = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        verbose_name = _("utilisateur")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.erased_at is not None:
            return str(ERASED_NAME)
        return self.name_from(self.display_name, self.email)

    @staticmethod
    def name_from(display_name: str, email: str) -> str:
        """The name shown to the group: the chosen one, else the e-mail's local part."""
        return display_name or email.split("@")[0]

    def deactivate(self) -> None:
        """Close the account for good; other apps hear of it through ``user_deactivated``."""
        with transaction.atomic():
            self.is_active = False
            self.save(update_fields=["is_active"])
            user_deactivated.send(sender=User, user=self)


def _public_key() -> str:
    return secrets.token_urlsafe(12)


class CommunityQuerySet(models.QuerySet["Community"]):
    def for_member(self, user) -> "CommunityQuerySet":
        """The communities ``user`` belongs to (as a leader or a member), never removed."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            community_memberships__user=user, community_memberships__removed_at__isnull=True
        )

    def claiming(self, domain: str) -> list["Community"]:
        """The communities whose e-mail domains include ``domain`` (at most one: the
        leaders' form refuses a domain another community claims)."""
        domain = domain.strip().lower()
        if not domain:
            return []
        return [c for c in self.filter(email_domains__icontains=domain) if domain in c.domains()]


class Community(models.Model):
    """A community of practice (004): several groups, the leaders who animate it, and
    possibly the company's own sign-in (OpenID Connect) for the e-mail domains it names.

    Its leaders create its groups and name their organisers; being a leader gives no seat in
    a group, and no sight of what a group says or who sits in it."""

    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # Company sign-in: people whose address is in ``email_domains`` sign in through this
    # OpenID Connect provider instead of an e-mailed link.
    oidc_issuer = models.URLField(_("émetteur OpenID Connect (issuer)"), blank=True)
    oidc_client_id = models.CharField(_("identifiant client"), max_length=255, blank=True)
    oidc_secret = models.CharField(_("secret client"), max_length=255, blank=True)
    email_domains = models.TextField(
        _("domaines des adresses e-mail"),
        blank=True,
        help_text=_("Un domaine par ligne, par exemple « exemple.fr »."),
    )
    # The provider and domains as the people who run the app approved them (in the admin):
    # a change by the leaders waits for a new approval.
    sign_in_approved = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("communauté")
        verbose_name_plural = _("communautés")

    def __str__(self):
        return self.name

    def domains(self) -> list[str]:
        """The e-mail domains of the company sign-in, lower case, without « @ »."""
        return [
            line.strip().lstrip("@").lower()
            for line in self.email_domains.splitlines()
            if line.strip()
        ]

    def sign_in_terms(self) -> str:
        """What the operator approves of the company sign-in: the provider and the domains
        it speaks for (``approve_sign_in``)."""
        return "\n".join([self.oidc_issuer, self.oidc_client_id, *sorted(self.domains())])

    @property
    def sign_in_configured(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.email_domains.strip())

    @property
    def has_company_sign_in(self) -> bool:
        """Configured by its leaders and approved, as it stands, by the people who run the
        app: a provider speaks for everyone at its domains, so a community's leaders alone
        never decide which company's addresses it speaks for."""
        return self.sign_in_configured and self.sign_in_approved == self.sign_in_terms()

    @property
    def sign_in_awaits_approval(self) -> bool:
        return self.sign_in_configured and not self.has_company_sign_in

    def approve_sign_in(self) -> None:
        """The operator checked that the provider is the company's, for these domains."""
        self.sign_in_approved = self.sign_in_terms()
        self.save(update_fields=["sign_in_approved"])

    # The community's company sign-in as allauth names it: in its URLs (/auth/oidc/c<pk>/…)
    # and on the accounts linked through it (``SocialAccount.provider``).
    SIGN_IN_PREFIX = "c"

    @property
    def sign_in_provider_id(self) -> str:
        return f"{self.SIGN_IN_PREFIX}{self.pk}"

    @classmethod
    def pk_from_sign_in_provider_id(cls, provider_id: str) -> int | None:
        prefix, digits = provider_id[:1], provider_id[1:]
        if prefix != cls.SIGN_IN_PREFIX or not digits.isdigit() or digits.startswith("0"):
            return None
        return int(digits)


class CommunityMembershipQuerySet(models.QuerySet["CommunityMembership"]):
    def active(self) -> "CommunityMembershipQuerySet":
        return self.filter(removed_at__isnull=True)


class CommunityMembership(models.Model):
    """Someone's place in a community: a leader, or a member (who may join its groups).

    A removed row stays, so that a person a leader removed cannot come back by signing in
    through the company's provider."""

    LEADER, MEMBER = "leader", "member"
    ROLES = [(LEADER, _("responsable de la communauté")), (MEMBER, _("membre"))]

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="community_memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=ROLES, default=MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = CommunityMembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="one_membership_per_community"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.community}"

    @property
    def is_leader(self) -> bool:
        return self.role == self.LEADER


class GroupQuerySet(models.QuerySet):
    def for_member(self, user):
        return self.filter(pk__in=Membership.objects.groups_of(user))

    def open(self):
        """The groups not closed by their community's leaders."""
        return self.filter(closed_at__isnull=True)


class Group(models.Model):
    FORMATS = [("intervision", _("Intervision")), ("codev", _("Codéveloppement"))]
    FACILITATION = [
        ("named", _("Animation par des personnes désignées")),
        ("rotating", _("Animation tournante entre les membres")),
        ("self", _("Autogestion")),
    ]
    SUBJECT_CHOICES = [
        ("", _("Par ordre d’arrivée")),
        ("votes", _("Par un vote du groupe")),
        ("consensus", _("Par consensus, noté par la personne qui anime")),
    ]

    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # The community the group belongs to, if any: a group may stand alone.
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("communauté"),
    )
    rhythm = models.CharField(
        _("rythme"),
        max_length=120,
        blank=True,
        help_text=_("Ce que la page de la communauté en dit, par exemple « Un mardi par mois »."),
    )
    # Set when the community's leaders close the group: no new session, no application.
    closed_at = models.DateTimeField(null=True, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=FORMATS, default="intervision")
    capacity = models.PositiveSmallIntegerField(
        _("capacité"),
        default=7,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("De 5 à 7 personnes, 8 au plus."),
    )
    charter = models.TextField(_("charte"), default=DEFAULT_CHARTER)
    eligibility = models.TextField(_("questions d’éligibilité"), default=DEFAULT_ELIGIBILITY)
    facilitation = models.CharField(
        _("animation"), max_length=10, choices=FACILITATION, default="named"
    )
    report_back = models.BooleanField(
        _("retour sur les plans d’action"),
        null=True,
        blank=True,
        help_text=_(
            "En ouverture de séance, chaque porteur reparti avec un plan dit ce que sont "
            "devenues ses actions. Par défaut : oui en codéveloppement, non en intervision."
        ),
    )
    subject_choice = models.CharField(
        _("choix des sujets"),
        max_length=10,
        choices=SUBJECT_CHOICES,
        default="",
        blank=True,
        help_text=_(
            "Après le tour de mots-clés, le groupe peut choisir ensemble les sujets traités : "
            "chaque personne à la table donne ses votes (secrets jusqu’à ce que tout le monde "
            "ait voté), ou la personne qui anime note le consensus. Les sujets urgents restent "
            "en tête."
        ),
    )
    votes_per_person = models.PositiveSmallIntegerField(
        _("votes par personne"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VOTES)],
        help_text=_("Quand le groupe vote : de 1 à 5 votes chacun, à répartir entre les sujets."),
    )
    rota_timekeeper = models.BooleanField(
        _("gardien·ne du temps à tour de rôle"),
        default=False,
        help_text=_(
            "En animation tournante, l’ordre de l’animation propose aussi la personne qui "
            "garde le temps : celle qui suit la personne qui anime."
        ),
    )
    applications_open = models.BooleanField(
        _("candidatures ouvertes"),
        default=False,
        help_text=_(
            "Une page publique permet de candidater ; elle ne montre ni les membres ni les séances."
        ),
    )
    applications_when_full = models.BooleanField(
        _("candidatures quand le groupe est complet"),
        default=False,
        help_text=_(
            "Quand toutes les places sont prises, la page publique le dit ; cochez pour "
            "continuer à recevoir des candidatures, qui attendront qu’une place se libère."
        ),
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("rappel avant la séance (heures)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_HOURS)],
        help_text=_(
            "Chaque membre reçoit un rappel par e-mail ce nombre d’heures avant la séance "
            "(48 : deux jours avant)."
        ),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("conservation des échanges (jours)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "Ce nombre de jours après chaque séance, le texte des questions, réactions et "
            "apprentissages est effacé. Le panier, le plan d’action de chaque porteur et les "
            "carnets de bord restent à leurs auteurs."
        ),
    )
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Les dates et heures des séances se lisent et se saisissent dans ce fuseau."),
    )
    # The public application page is addressed by this key, never by the group's id, so
    # that nobody can enumerate groups.
    public_key = models.CharField(max_length=32, unique=True, default=_public_key)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("groupe")

    def __str__(self):
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def eligibility_questions(self) -> list[str]:
        return [line.strip() for line in str(self.eligibility).splitlines() if line.strip()]

    @property
    def runs_report_back(self) -> bool:
        """Whether sessions open with the report back (003): the group's choice, else its
        format's default (on for codéveloppement, where the method asks for it)."""
        return self.format == "codev" if self.report_back is None else self.report_back

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The group's time zone: its sessions are read and entered in it."""
        return zoneinfo.ZoneInfo(self.time_zone)

    def active_count(self) -> int:
        return self.memberships.active().count()

    def seats_left(self) -> int:
        return max(0, self.capacity - self.active_count())


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        return self.filter(removed_at__isnull=True)

    def groups_of(self, user):
        """The ids of the groups ``user`` is an active member of, as a subquery: the one
        membership rule that every page, command and socket of a group goes through."""
        if not user.is_authenticated:
            return self.none().values("group_id")
        return self.active().filter(user=user).values("group_id")


class Membership(models.Model):
    ORGANISER, FACILITATOR, MEMBER = "organiser", "facilitator", "member"
    ROLES = [
        (ORGANISER, _("organisateur·rice")),
        (FACILITATOR, _("animateur·rice")),
        (MEMBER, _("membre")),
    ]

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=ROLES, default=MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    # The answers to the group's eligibility questions: [{"question", "answer"}].
    eligibility_answers = models.JSONField(default=list, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    reminders = models.BooleanField(_("rappels par e-mail avant les séances"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"

    @property
    def can_facilitate(self) -> bool:
        return self.role_can_facilitate(self.role, self.group.facilitation)

    @classmethod
    def role_can_facilitate(cls, role: str, facilitation: str) -> bool:
        """Who may drive a session of the group when no facilitator is named for it."""
        return facilitation == "self" or role in (cls.ORGANISER, cls.FACILITATOR)

    @property
    def is_organiser(self) -> bool:
        return self.role == self.ORGANISER

    def is_last_organiser(self) -> bool:
        return (
            self.role == self.ORGANISER
            and not Membership.objects.active()
            .filter(group_id=self.group_id, role=self.ORGANISER)
            .exclude(pk=self.pk)
            .exists()
        )

    def remove(self) -> None:
        """Take the person out of the group; other apps hear of it through ``member_removed``."""
        self.removed_at = timezone.now()
        self.save(update_fields=["removed_at"])
        member_removed.send(sender=Membership, membership=self)


class LoginLink(models.Model):
    """A single-use, short-lived sign-in link sent by e-mail. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"sign-in link {self.pk}"

    @classmethod
    def issue(cls, user, minutes=None) -> str:
        token, digest = new_token()
        minutes = minutes or settings.LOGIN_LINK_MINUTES
        cls.objects.create(
            user=user,
            token_sha256=digest,
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        return token

    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now() and self.user.is_active


class Invitation(models.Model):
    """An e-mailed, single-use invitation to join a group. Only the token's hash is stored.

    Opening the link (GET) shows the invitation; accepting it (POST) consumes it, so a mail
    scanner that follows links cannot burn it.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    application = models.ForeignKey(
        "Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")

    def __str__(self):
        return f"{self.email} → {self.group}"

    @classmethod
    def issue(cls, group, email, invited_by=None, application=None) -> tuple["Invitation", str]:
        token, digest = new_token()
        invitation = cls.objects.create(
            group=group,
            email=email.lower(),
            invited_by=invited_by,
            application=application,
            token_sha256=digest,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, token

    @classmethod
    def find(cls, token: str):
        return (
            cls.objects.select_related("group", "invited_by")
            .filter(token_sha256=hash_token(token))
            .first()
        )

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> str:
        return str({
            "used": _("acceptée"),
            "revoked": _("révoquée"),
            "expired": _("expirée"),
            "pending": _("en attente"),
        }[self.status])

    def accept(self, *, display_name="", password="", answers=None) -> "User":
        """Consume the invitation and make its addressee a member; return the user.

        The group row is locked for the whole check-and-insert, so two people accepting the
        last seat at once yield exactly one member and one ``GroupFull``.
        """
        with transaction.atomic():
            group = Group.objects.select_for_update().get(pk=self.group_id)
            invitation = Invitation.objects.select_for_update().get(pk=self.pk)
            if invitation.status != "pending":
                raise InvitationUnusable(invitation.status)
            now = timezone.now()
            user = User.objects.filter(email=invitation.email).first()
            membership = Membership.objects.filter(group=group, user=user).first() if user else None
            if membership is None or membership.removed_at is not None:
                if group.memberships.active().count() >= group.capacity:
                    raise GroupFull
                if user is None:
                    user = User.objects.create_user(
                        invitation.email, password or None, display_name=display_name.strip()
                    )
                if membership is None:
                    membership = Membership(group=group, user=user)
                membership.role = Membership.MEMBER
                membership.removed_at = None
                membership.joined_at = now
                membership.charter_accepted_at = now
                membership.eligibility_answers = answers or []
                membership.save()
            assert user is not None  # found with a membership above, or created
            if group.community_id is not None:
                # A member of one of its groups is a member of the community (its page).
                CommunityMembership.objects.update_or_create(
                    community_id=group.community_id,
                    user=user,
                    defaults={"removed_at": None},
                    create_defaults={"joined_at": now},
                )
            invitation.used_at = now
            invitation.used_by = user
            invitation.save(update_fields=["used_at", "used_by"])
        return user


class Application(models.Model):
    """Someone applying to a group from its public page, answering its eligibility questions.

    The reason of a decision stays between organisers: the applicant only gets a neutral e-mail.
    """

    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUSES = [(PENDING, _("en attente")), (APPROVED, _("acceptée")), (REJECTED, _("refusée"))]

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(_("nom"), max_length=80)
    email = models.EmailField(_("adresse e-mail"))
    answers = models.JSONField(default=list)
    # The language the applicant wrote in: the replies they get (decision, invitation) use it.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    reason = models.TextField(_("motif (visible des seuls organisateurs)"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("candidature")

    def __str__(self):
        return f"{self.name} → {self.group}"
