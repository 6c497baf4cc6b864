"""Forms of signing in, of the organiser's pages and of joining a group."""

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from . import lockout
from .models import (
    MAX_CAPACITY,
    MAX_REMINDER_HOURS,
    MAX_RETENTION_DAYS,
    MAX_VOTES,
    Application,
    Group,
    Membership,
)

MAX_INVITES = 20
ANSWER_MAX = 2000


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = [
            "name",
            "description",
            "rhythm",
            "format",
            "capacity",
            "facilitation",
            "report_back",
            "subject_choice",
            "votes_per_person",
            "rota_timekeeper",
            "charter",
            "eligibility",
            "applications_open",
            "applications_when_full",
            "reminder_hours",
            "retention_days",
            "time_zone",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "charter": forms.Textarea(attrs={"rows": 6}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "capacity": forms.NumberInput(attrs={"min": 2, "max": MAX_CAPACITY}),
            "votes_per_person": forms.NumberInput(attrs={"min": 1, "max": MAX_VOTES}),
            "reminder_hours": forms.NumberInput(attrs={"min": 1, "max": MAX_REMINDER_HOURS}),
            "retention_days": forms.NumberInput(attrs={"min": 1, "max": MAX_RETENTION_DAYS}),
            "time_zone": forms.Select(
                choices=[(name, name) for name in sorted(zoneinfo.available_timezones())]
            ),
            "report_back": forms.Select(
                choices=[
                    ("unknown", _("Selon le format")),
                    ("true", _("Oui")),
                    ("false", _("Non")),
                ]
            ),
        }
        help_texts = {
            "eligibility": _(
                "Une question par ligne. Chaque personne y répond avant de rejoindre le groupe."
            ),
            "charter": _("Chaque membre l’accepte avant de participer."),
        }
        error_messages = {
            "capacity": {
                "max_value": _(
                    "Au plus %(limit_value)s personnes : au-delà, le groupe devient trop grand."
                ),
                "min_value": _("Au moins %(limit_value)s personnes."),
            },
            "reminder_hours": {
                "max_value": _("Au plus %(limit_value)s heures (deux semaines) avant la séance."),
                "min_value": _("Au moins %(limit_value)s heure avant la séance."),
            },
            "votes_per_person": {
                "max_value": _("Au plus %(limit_value)s votes par personne."),
                "min_value": _("Au moins %(limit_value)s vote par personne."),
                "invalid": _("Un nombre de votes entre 1 et 5."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (a page that does not show it), the votes stay as they were.
        self.fields["votes_per_person"].required = False

    def clean_votes_per_person(self):
        votes = self.cleaned_data.get("votes_per_person")
        return self.instance.votes_per_person if votes is None else votes

    def clean(self):
        data = super().clean() or {}
        if data.get("rota_timekeeper") and data.get("facilitation") not in (None, "rotating"):
            self.add_error(
                "rota_timekeeper",
                _(
                    "L’ordre de l’animation ne propose la personne qui garde le temps qu’en "
                    "animation tournante."
                ),
            )
        return data

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if self.instance.pk:
            active = self.instance.active_count()
            if capacity < active:
                raise forms.ValidationError(
                    _(
                        "Le groupe compte déjà %(n)s membres : "
                        "la capacité ne peut pas être inférieure."
                    ),
                    params={"n": active},
                )
        return capacity

    def clean_eligibility(self):
        text = self.cleaned_data["eligibility"]
        if len([line for line in text.splitlines() if line.strip()]) > 10:
            raise forms.ValidationError(_("Dix questions au plus."))
        return text


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Adresses e-mail"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=_(
            "Une adresse par ligne. Chaque personne reçoit son propre e-mail et son propre lien."
        ),
    )

    def clean_emails(self):
        raw = [part.strip() for part in self.cleaned_data["emails"].replace(",", "\n").splitlines()]
        emails, bad = [], []
        validator = forms.EmailField()
        for item in filter(None, raw):
            try:
                email = validator.clean(item).lower()
            except forms.ValidationError:
                bad.append(item)
                continue
            if email not in emails:
                emails.append(email)
        if bad:
            raise forms.ValidationError(
                _("Adresse invalide : %(list)s"), params={"list": ", ".join(bad[:5])}
            )
        if not emails:
            raise forms.ValidationError(_("Indiquez au moins une adresse."))
        if len(emails) > MAX_INVITES:
            raise forms.ValidationError(
                _("%(n)s adresses au plus à la fois."), params={"n": MAX_INVITES}
            )
        return emails


class EligibilityMixin:
    """One required answer field per eligibility question of the group."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def add_questions(self, questions):
        self.questions = questions
        for i, question in enumerate(questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                label=question,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("Merci de répondre à cette question.")},
            )

    def answers(self) -> list[dict]:
        return [
            {"question": q, "answer": self.cleaned_data[f"answer_{i}"]}
            for i, q in enumerate(self.questions)
        ]


class AcceptInvitationForm(EligibilityMixin, forms.Form):
    """Joining a group: a name and an optional password for a new account, the eligibility
    questions, then the charter."""

    display_name = forms.CharField(label=_("Votre nom affiché"), max_length=80, required=False)
    password = forms.CharField(
        label=_("Mot de passe (facultatif)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Sans mot de passe, vous vous connecterez avec un lien reçu par e-mail."),
    )
    accept_charter = forms.BooleanField(
        label=_("J’ai lu la charte du groupe et je m’engage à la respecter."),
        error_messages={"required": _("Il faut accepter la charte pour rejoindre le groupe.")},
    )

    def __init__(self, *args, questions=(), new_account=True, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.new_account = new_account
        self.email = email
        if not new_account:
            del self.fields["display_name"]
            del self.fields["password"]
        self.add_questions(list(questions))
        # The charter comes last, after the questions.
        self.order_fields([f for f in self.fields if f != "accept_charter"] + ["accept_charter"])

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            from .models import User

            password_validation.validate_password(password, User(email=self.email))
        return password


class ApplicationForm(EligibilityMixin, forms.Form):
    name = forms.CharField(label=_("Votre nom"), max_length=80)
    email = forms.EmailField(label=_("Votre adresse e-mail"))

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questions(list(questions))

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(Application.APPROVED, _("Accepter")), (Application.REJECTED, _("Refuser"))]
    )
    reason = forms.CharField(
        label=_("Motif (visible des seuls organisateurs)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Membership.ROLES)


class CurrentPasswordChangeForm(PasswordChangeForm):
    """Django's change of password, the current password checked as a sign-in attempt:
    through ``authenticate``, so that django-axes counts the wrong ones and locks out, as
    on the sign-in page. A session left open must not be a way to try passwords."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.email, password=old_password) is None:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout.MESSAGE, code="locked_out")
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    password = forms.CharField(
        label=_("Mot de passe (facultatif)"),
        widget=forms.PasswordInput,
        required=False,
    )
