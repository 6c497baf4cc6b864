from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Feedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["usefulness", "keeps", "shared"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "keeps": forms.Textarea(attrs={"rows": 3, "maxlength": Feedback.KEEPS_MAX}),
        }
        help_texts = {
            "keeps": _("Pour vous seul·e, sauf si vous cochez la case ci-dessous."),
            "shared": _(
                "La phrase apparaît dans le bilan du groupe, sans votre nom ni la date, "
                "une fois qu’au moins trois personnes ont donné leur retour."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The score is required: no « --------- » choice, and none made until the person
        # makes one.
        field = self.fields["usefulness"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = Feedback.USEFULNESS

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("shared") and not (cleaned.get("keeps") or "").strip():
            self.add_error("shared", _("Écrivez d’abord ce que vous retenez pour le partager."))
        return cleaned


class AttestationPeriodForm(forms.Form):
    """The period of « Mon attestation de participation »: since the start, the last 12
    months, or between two days (both included)."""

    ALL, YEAR, DATES = "all", "12m", "dates"
    PERIODS = [
        (ALL, _("Depuis le début")),
        (YEAR, _("Les 12 derniers mois")),
        (DATES, _("Entre deux dates")),
    ]

    periode = forms.ChoiceField(
        label=_("Période"), choices=PERIODS, initial=ALL, widget=forms.RadioSelect
    )
    du = forms.DateField(
        label=_("Du"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label=_("Au (inclus)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("periode") != self.DATES:
            return cleaned
        start, end = cleaned.get("du"), cleaned.get("au")
        if start is None and "du" not in self.errors:
            self.add_error("du", _("Indiquez la date de début."))
        if end is None and "au" not in self.errors:
            self.add_error("au", _("Indiquez la date de fin."))
        if start is not None and start > self.today:
            self.add_error(
                "du", _("La date de début est dans le futur : aucune séance n’y a eu lieu.")
            )
        elif start is not None and end is not None and end < start:
            self.add_error("au", _("La date de fin vient avant la date de début."))
        return cleaned

    def bounds(self) -> tuple[date | None, date | None]:
        """The first and last day of the period chosen (None: no bound); the form is valid."""
        period = self.cleaned_data["periode"]
        if period == self.YEAR:
            return self.today - timedelta(days=365), self.today
        if period == self.DATES:
            return self.cleaned_data["du"], self.cleaned_data["au"]
        return None, None
