"""The forms of sessions_app's pages.

Each form says what a page accepts and how it is labelled; what the accepted data then
changes is done by the views (one row) or by ``sessions_app.actions`` (several rows).
"""

from datetime import datetime, timedelta

from django import forms
from django.utils import formats as date_formats
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import Group, Membership, User

from . import flow, formats, rota_queries, series
from .models import Action, Format, Session
from .texts import PHASE_LABELS

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
        if key and not data.get("label") and key not in PHASE_LABELS:
            self.add_error("label", _("Donnez un nom à cette phase."))
        mode = flow.BLOCKS.get(data.get("block", ""), ("round",))[0]
        if mode != "round":  # only rounds choose what they record (a contract: reformulations)
            self.errors.pop("kind", None)
            data["kind"] = flow.FIXED_KINDS.get(mode, "")
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


# --- Scheduling and rota ---

# A session has one or two facilitators (a co-facilitation).
MAX_FACILITATORS = 2


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ScheduleForm(forms.ModelForm):
    """A session's date and time (in the group's time zone), duration, visio link,
    facilitators and format; a new one may repeat as a series."""

    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.TimeField(
        label=gettext_lazy("Heure"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    facilitators = PeopleField(
        label=gettext_lazy("Animation"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Une personne, ou deux pour une co-animation."),
    )

    method = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,  # not sent: unchanged (a new session: the group's method)
        help_text=gettext_lazy(
            "Les organisateurs façonnent les formats du groupe ; une séance garde le format "
            "avec lequel elle a commencé."
        ),
    )
    repeat = forms.ChoiceField(
        label=gettext_lazy("Répéter"),
        required=False,
        choices=[
            ("", gettext_lazy("Non, une seule séance")),
            ("weekly", gettext_lazy("Toutes les N semaines, même jour, même heure")),
            ("monthly", gettext_lazy("Chaque mois, même jour de la semaine (ex. le 2ᵉ mardi)")),
        ],
    )
    every = forms.IntegerField(
        label=gettext_lazy("Toutes les … semaines"),
        required=False,
        min_value=1,
        max_value=8,
        initial=2,
    )
    count = forms.IntegerField(
        label=gettext_lazy("Nombre de séances à programmer"),
        required=False,
        min_value=2,
        max_value=series.MAX_SERIES,
        initial=4,
        help_text=gettext_lazy("Chacune reste modifiable ou annulable à part."),
    )
    # Whom the rota proposed when the form was opened (not knowing the date yet): kept as
    # is, that proposal is made again for the date chosen (see ``clean``).
    proposed = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Shown only when a monthly series begun on a 5th weekday needs the organiser's word.
    last_weekday = forms.BooleanField(
        label=gettext_lazy("Oui, programmer ces dates"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Session
        fields = ["title", "duration_minutes", "visio_url", "facilitators_take_part"]
        help_texts = {
            "visio_url": gettext_lazy(
                "Jitsi, Zoom, Meet, Teams… Le lien figure dans le fichier agenda."
            ),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.reproposed: list[User] = []
        facilitators = self.fields["facilitators"]
        assert isinstance(facilitators, forms.ModelMultipleChoiceField)
        facilitators.queryset = User.objects.active_members_of(group).order_by(
            "memberships__joined_at", "id"
        )
        # The two presets, then the group's own formats.
        method = self.fields["method"]
        assert isinstance(method, forms.ChoiceField)
        self.shaped = {f"f{f.pk}": f for f in Format.objects.filter(group=group)}
        method.choices = [(key, label) for key, label in Group.FORMATS] + [
            (key, f.name) for key, f in self.shaped.items()
        ]
        # The methods that are codéveloppements: the page unchecks « participe aussi » when
        # one is chosen (static/js/schedule.js), as the default does (see session_create).
        method.widget.attrs["data-codev"] = " ".join(
            ["codev", *(key for key, f in self.shaped.items() if f.base == "codev")]
        )
        instance = self.instance
        if instance.pk:
            current = f"f{instance.shaped_format_id}" if instance.shaped_format_id else None
            method.initial = current if current in self.shaped else instance.format
        else:
            default = next((k for k, f in self.shaped.items() if f.is_default), None)
            method.initial = default or group.format
        self.order_fields(
            ["title", "date", "time", "duration_minutes", "visio_url", "facilitators",
             "facilitators_take_part", "method", "repeat", "every", "count", "last_weekday"]
        )
        self.fields["time"].label = _("Heure (%(zone)s)") % {"zone": group.time_zone}
        self.fields["time"].help_text = _(
            "Le fuseau horaire du groupe ; il se change dans ses paramètres."
        )
        if self.instance.pk:
            for name in ("repeat", "every", "count", "last_weekday", "proposed"):
                del self.fields[name]
            local = timezone.localtime(self.instance.scheduled_at, group.tz)
            self.initial.setdefault("date", local.date())
            self.initial.setdefault("time", local.time().replace(second=0, microsecond=0))
            self.initial.setdefault("facilitators", list(self.instance.facilitators.all()))

    def clean_duration_minutes(self):
        value = self.cleaned_data["duration_minutes"]
        if not 15 <= value <= 480:
            raise forms.ValidationError(_("Entre 15 minutes et 8 heures."))
        return value

    def clean_visio_url(self):
        url = self.cleaned_data["visio_url"]
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(_("Le lien de la visio doit commencer par https://"))
        return url

    def clean_facilitators(self):
        people = self.cleaned_data["facilitators"]
        if len(people) > MAX_FACILITATORS:
            raise forms.ValidationError(_("Deux personnes au plus animent une séance."))
        if not people and self.group.facilitation != "self":
            raise forms.ValidationError(
                _("Choisissez qui anime la séance (ou passez le groupe en autogestion).")
            )
        return people

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("date") and data.get("time"):
            when = timezone.make_aware(datetime.combine(data["date"], data["time"]), self.group.tz)
            if not self.instance.pk and when < timezone.now() - timedelta(hours=1):
                self.add_error("date", _("Cette date est passée."))
            data["scheduled_at"] = when
        if data.get("repeat"):
            if data["repeat"] == "weekly" and not data.get("every"):
                self.add_error("every", _("Indiquez toutes les combien de semaines."))
            if not data.get("count"):
                self.add_error("count", _("Indiquez combien de séances programmer."))
        if "proposed" in self.fields and data.get("scheduled_at"):
            self._propose_for_the_date(data)
        if data.get("repeat") == "monthly" and data.get("count") and data.get("scheduled_at"):
            self._confirm_fifth_weekday(data)
        return data

    def _propose_for_the_date(self, data) -> None:
        """In a rotating group, the rota's proposal kept unchanged is made for the chosen
        date: if that person leads the session just before or just after it, the next one
        in the rota at that date facilitates instead (no one leads two in a row)."""
        proposed, people = data.get("proposed"), list(data.get("facilitators") or [])
        if self.group.facilitation != "rotating" or [u.pk for u in people] != [proposed]:
            return
        when = data["scheduled_at"]
        if proposed not in rota_queries.neighbours(self.group, when):
            return
        following = rota_queries.next_facilitator(self.group, when)
        if following is not None and following != proposed:
            data["facilitators"] = list(User.objects.filter(pk=following))
            self.reproposed = data["facilitators"]

    def _confirm_fifth_weekday(self, data) -> None:
        """A series begun on a 5th weekday falls on the last one in the months without a
        5th: the organiser sees which dates and confirms, rather than find out later."""
        first = data["scheduled_at"]
        tz = self.group.tz
        moved = series.fallen_back(
            first, tz, series.series_dates(first, tz, "monthly", 1, data["count"])
        )
        if not moved or data.get("last_weekday"):
            return
        local = timezone.localtime(first, tz)
        self.fields["last_weekday"].widget = forms.CheckboxInput()
        self.add_error(
            "last_weekday",
            _(
                "Le %(first)s est le 5ᵉ %(weekday)s du mois. Les mois qui n’en ont pas, la "
                "séance tomberait le dernier %(weekday)s du mois : %(dates)s. Cochez cette "
                "case pour programmer ces dates, ou choisissez un autre jour."
            )
            % {
                "first": date_formats.date_format(local, "DATE_FORMAT"),
                "weekday": date_formats.date_format(local, "l"),
                "dates": ", ".join(
                    date_formats.date_format(timezone.localtime(d, tz), "DATE_FORMAT")
                    for d in moved
                ),
            },
        )

    def occurrences(self) -> list[datetime]:
        """The dates of the series (the first included), at the same local time."""
        first = self.cleaned_data["scheduled_at"]
        repeat = self.cleaned_data.get("repeat") or ""
        count = self.cleaned_data.get("count") or 1
        return series.series_dates(
            first, self.group.tz, repeat, self.cleaned_data.get("every") or 1, count
        )

    def to_session(self) -> Session:
        """The session as the form describes it, not saved (``actions.scheduling`` saves it,
        with its facilitators)."""
        session = super().save(commit=False)
        session.scheduled_at = self.cleaned_data["scheduled_at"]
        if not session.pk:
            session.group = self.group
        method = self.cleaned_data.get("method") or self.fields["method"].initial
        shaped = self.shaped.get(method)
        session.shaped_format = shaped
        session.format = shaped.base if shaped is not None else method
        return session


class SwapForm(forms.Form):
    """Two members of a rotating group whose places in the rota exchange."""

    first = forms.ModelChoiceField(
        label=gettext_lazy("Échanger la place de"), queryset=Membership.objects.none()
    )
    second = forms.ModelChoiceField(
        label=gettext_lazy("avec"), queryset=Membership.objects.none()
    )

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        members = Membership.objects.active().filter(group=group).select_related("user")
        for name in ("first", "second"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = members
