"""The organisers' pages for the group's formats: list, create from a preset or another
format, edit (name, phases, texts), delete. Organisers of the group only: anyone else
gets 404, like every organiser page (``participants.views``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from participants.access import get_organiser_membership_or_404 as _get_organiser_membership
from participants.models import Group

from . import flow, formats
from . import render as live_render
from .models import Format
from .templatetags.words import de

PHASE_FIELDS = ("key", "label", "block", "timebox", "kind", "rule", "aid")
TIMEBOX_ERROR = gettext_lazy("Une durée entre 1 et 120 minutes.")
STAGE_AID_LABELS = {
    "lobby": gettext_lazy("Aide à l’animation : accueil"),
    "retour": gettext_lazy("Aide à l’animation : retour sur les actions"),
    "triage": gettext_lazy("Aide à l’animation : tour de mots-clés"),
    "order": gettext_lazy("Aide à l’animation : ordre des sujets"),
}


class FormatForm(forms.Form):
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


def _format_initial(fmt: Format) -> dict:
    initial = {"name": fmt.name, "is_default": fmt.is_default,
               "report_back": {None: "", True: "yes", False: "no"}[fmt.report_back]}
    for stage in STAGE_AID_LABELS:
        initial[f"aid_{stage}"] = fmt.stage_aids.get(stage, "")
    return initial


def _posted_rows(data) -> list[dict]:
    """The phases as typed, even invalid: a move or a removal loses nothing."""
    try:
        total = min(int(data.get("phases-TOTAL_FORMS", 0)), flow.PHASES_MAX + 1)
    except ValueError:
        total = 0
    return [{f: data.get(f"phases-{i}-{f}", "") for f in PHASE_FIELDS} for i in range(total)]


def _new_key(rows) -> str:
    used = {r.get("key") for r in rows}
    n = 1
    while f"p{n}" in used:
        n += 1
    return f"p{n}"


def _reshape(rows: list[dict], op: str, block: str) -> tuple[list[dict], str | None]:
    """Move, remove or add a phase; returns the rows and an error, if any."""
    verb, _sep, index = op.partition("-")
    if verb == "add":
        if len(rows) >= flow.PHASES_MAX:
            return rows, _("Douze phases au plus.")
        block = block if block in flow.BLOCKS else "round"
        rows.append({"key": _new_key(rows), "label": "", "block": block, "timebox": 10,
                     "kind": "question", "rule": "", "aid": ""})
        return rows, None
    try:
        i = int(index)
    except ValueError:
        return rows, None
    if not 0 <= i < len(rows):
        return rows, None
    if verb == "remove":
        if len(rows) <= 1:
            return rows, _("Il faut au moins une phase.")
        rows.pop(i)
    elif verb == "up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif verb == "down" and i < len(rows) - 1:
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows, None


def _get_format(membership, format_pk) -> Format:
    return get_object_or_404(Format, pk=format_pk, group_id=membership.group_id)


@login_required
@never_cache
def format_list(request, pk):
    membership = _get_organiser_membership(request.user, pk)
    group = membership.group
    presets = [
        {"key": key, "name": name,
         "phases": formats.with_boxes(formats.preset_rows(key))}
        for key, name in Group.FORMATS
    ]
    own = [
        {"f": f, "phases": formats.with_boxes(f.phases)}
        for f in Format.objects.filter(group=group)
    ]
    return render(request, "sessions_app/formats/list.html",
                  {"group": group, "presets": presets, "own": own})


@login_required
@require_POST
def format_create(request, pk):
    """A new format, a copy of a preset or of one of the group's formats."""
    membership = _get_organiser_membership(request.user, pk)
    group = membership.group
    source = request.POST.get("source", "")
    presets = dict(Group.FORMATS)
    if source in presets:
        fmt = Format(group=group, base=source, phases=formats.preset_rows(source),
                     name=_("%(preset)s (à adapter)") % {"preset": presets[source]})
    else:
        origin = get_object_or_404(
            Format, pk=source[1:] if source[1:].isdigit() else 0, group=group
        )
        fmt = Format(group=group, base=origin.base, phases=origin.phases,
                     stage_aids=origin.stage_aids, report_back=origin.report_back,
                     name=_("Copie %(of)s") % {"of": de(origin.name)})
    fmt.save()
    messages.success(request, _("Le format est créé : adaptez-le puis enregistrez."))
    return redirect("format_edit", pk=pk, format_pk=fmt.pk)


@login_required
@never_cache
def format_edit(request, pk, format_pk):
    membership = _get_organiser_membership(request.user, pk)
    group = membership.group
    fmt = _get_format(membership, format_pk)
    op = request.POST.get("op", "save") if request.method == "POST" else ""
    if op and op != "save":
        # Reshaping: shown again as typed, not saved until « Enregistrer ».
        rows, error = _reshape(_posted_rows(request.POST), op, request.POST.get("new_block", ""))
        form = FormatForm(initial={k: request.POST.get(k, "") for k in FormatForm().fields})
        phases = PhaseFormSet(initial=rows, prefix="phases")
        if error:
            messages.error(request, error)
        else:
            messages.info(request, _("Pas encore enregistré : cliquez sur « Enregistrer »."))
    elif op == "save":
        form = FormatForm(request.POST)
        phases = PhaseFormSet(request.POST, prefix="phases")
        if form.is_valid() and phases.is_valid():
            rows = [
                {f: p.cleaned_data.get(f) or ("" if f != "timebox" else 10) for f in PHASE_FIELDS}
                for p in phases.forms
            ]
            for row in rows:
                row["label"], row["rule"], row["aid"] = (
                    row["label"].strip(), row["rule"].strip(), row["aid"].strip()
                )
            flow.phases_from_data(rows)  # the rules accept them (the form checked as much)
            data = form.cleaned_data
            fmt.name = data["name"]
            fmt.report_back = {"": None, "yes": True, "no": False}[data["report_back"]]
            fmt.stage_aids = {
                stage: data[f"aid_{stage}"].strip()
                for stage in STAGE_AID_LABELS if data[f"aid_{stage}"].strip()
            }
            fmt.phases = rows
            fmt.is_default = data["is_default"]
            with transaction.atomic():
                if fmt.is_default:
                    Format.objects.filter(group=group).exclude(pk=fmt.pk).update(is_default=False)
                fmt.save()
            messages.success(request, _("Le format est enregistré."))
            return redirect("format_list", pk=pk)
    else:
        form = FormatForm(initial=_format_initial(fmt))
        phases = PhaseFormSet(initial=list(fmt.phases), prefix="phases")
    return render(request, "sessions_app/formats/edit.html", {
        "group": group, "fmt": fmt, "form": form, "phases": phases,
        "blocks": list(formats.BLOCK_LABELS.items()), "max_phases": flow.PHASES_MAX,
        "stage_fields": [form[f"aid_{s}"] for s in STAGE_AID_LABELS],
    })


@login_required
@never_cache
def format_delete(request, pk, format_pk):
    """GET asks for confirmation, POST deletes; sessions keep what they froze."""
    membership = _get_organiser_membership(request.user, pk)
    fmt = _get_format(membership, format_pk)
    if request.method == "POST":
        fmt.delete()
        messages.success(request, _("Le format « %(name)s » est supprimé.") % {"name": fmt.name})
        return redirect("format_list", pk=pk)
    return render(request, "sessions_app/formats/delete.html",
                  {"group": membership.group, "fmt": fmt, "sessions": fmt.sessions.count()})
