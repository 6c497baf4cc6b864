"""The forms of sessions_app's pages.

Each form says what a page accepts and how it is labelled; what the accepted data then
changes is done by the views (one row) or by ``sessions_app.actions`` (several rows).
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import flow, formats
from . import render as live_render
from .models import Action

# --- Cycle, logbook and formats ---


class ActionForm(forms.ModelForm):
    """The follow-up of an action of the person's plan, between sessions."""

    class Meta:
        model = Action
        fields = ["status", "note", "review_on"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"review_on": gettext_lazy("Vide : à la prochaine séance du groupe.")}


# The fields of a phase, as the format's ``phases`` rows hold them.
PHASE_FIELDS = ("key", "label", "block", "timebox", "kind", "rule", "aid")
TIMEBOX_ERROR = gettext_lazy("Une durée entre 1 et 120 minutes.")
STAGE_AID_LABELS = {
    "lobby": gettext_lazy("Aide à l’animation : accueil"),
    "retour": gettext_lazy("Aide à l’animation : retour sur les actions"),
    "triage": gettext_lazy("Aide à l’animation : tour de mots-clés"),
    "order": gettext_lazy("Aide à l’animation : ordre des sujets"),
}


class FormatForm(forms.Form):
    """The edit page's fields of a group's format, all but its phases (``PhaseFormSet``)."""

    name = forms.CharField(
        label=gettext_lazy("Nom du format"), max_length=80,
        error_messages={"required": gettext_lazy("Donnez un nom au format.")},
    )
    report_back = forms.ChoiceField(
        label=gettext_lazy("Retour sur les plans d’action en début de séance"),
        required=False,
        choices=[
            ("", gettext_lazy("Selon le réglage du groupe")),
            ("yes", gettext_lazy("Oui")),
            ("no", gettext_lazy("Non")),
        ],
    )

    is_default = forms.BooleanField(
        label=gettext_lazy("Format par défaut des nouvelles séances du groupe"), required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stage, label in STAGE_AID_LABELS.items():
            self.fields[f"aid_{stage}"] = forms.CharField(
                label=label, required=False, max_length=formats.AID_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Vide : le texte proposé par défaut (« %(text)s… »).")
                % {"text": formats.aid(stage)[:60]},
            )


class PhaseForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=20)
    label = forms.CharField(label=gettext_lazy("Nom de la phase"), required=False,
                            max_length=flow.LABEL_MAX)
    block = forms.ChoiceField(
        label=gettext_lazy("Déroulement"), choices=list(formats.BLOCK_LABELS.items())
    )
    timebox = forms.IntegerField(
        label=gettext_lazy("Durée (minutes)"), min_value=1, max_value=flow.TIMEBOX_MAX,
        error_messages={"required": TIMEBOX_ERROR, "invalid": TIMEBOX_ERROR,
                        "min_value": TIMEBOX_ERROR, "max_value": TIMEBOX_ERROR},
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Chaque tour recueille"), required=False,
        choices=list(formats.KIND_LABELS.items()),
    )
    rule = forms.CharField(
        label=gettext_lazy("Règle affichée à tous"), required=False, max_length=formats.RULE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aid = forms.CharField(
        label=gettext_lazy("Aide à l’animation"), required=False, max_length=formats.AID_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean() or {}
        key = data.get("key", "")
        if key and not data.get("label") and key not in live_render.PHASE_LABELS:
            self.add_error("label", _("Donnez un nom à cette phase."))
        return data


class BasePhaseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        keys = [f.cleaned_data.get("key") for f in self.forms]
        if len(set(keys)) != len(keys):
            raise forms.ValidationError(_("Deux phases portent la même clé."))


PhaseFormSet = forms.formset_factory(
    PhaseForm, formset=BasePhaseFormSet, extra=0, min_num=1, max_num=flow.PHASES_MAX,
    validate_min=True, validate_max=True,
)
PhaseFormSet.default_error_messages = {
    **forms.BaseFormSet.default_error_messages,
    "too_few_forms": gettext_lazy("Il faut au moins une phase."),
    "too_many_forms": gettext_lazy("Douze phases au plus."),
}


# --- Logbook ----------------------------------------------------------------------------------


class LogbookForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nouvelle note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Apprentissages, ressentis, progrès. Vous seul·e lisez ces notes."),
    )
