"""The organisers' pages for the group's formats: list, create from a preset or another
format, edit (name, phases, texts), delete. Organisers of the group only: anyone else
gets 404, like every organiser page (``participants.views``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from participants.access import get_organiser_membership_or_404 as _get_organiser_membership
from participants.http import AuthenticatedHttpRequest
from participants.models import Group, Membership

from .. import flow, formats
from ..actions.formats import do_save_format
from ..forms import PHASE_FIELDS, STAGE_AID_LABELS, FormatForm, PhaseFormSet
from ..models import Format
from ..templatetags.words import de


def _format_initial(fmt: Format) -> dict:
    initial = {"name": fmt.name, "is_default": fmt.is_default,
               "report_back": {None: "", True: "yes", False: "no"}[fmt.report_back]}
    for stage in STAGE_AID_LABELS:
        initial[f"aid_{stage}"] = fmt.stage_aids.get(stage, "")
    return initial


def _posted_rows(data: QueryDict) -> list[dict]:
    """The phases as typed, even invalid: a move or a removal loses nothing."""
    try:
        total = min(int(data.get("phases-TOTAL_FORMS", 0)), flow.PHASES_MAX + 1)
    except ValueError:
        total = 0
    return [{f: data.get(f"phases-{i}-{f}", "") for f in PHASE_FIELDS} for i in range(total)]


def _new_key(rows: list[dict]) -> str:
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


def _get_format(membership: Membership, format_pk: int) -> Format:
    return get_object_or_404(Format, pk=format_pk, group_id=membership.group_id)


@login_required
@never_cache
def format_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def format_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def format_edit(request: AuthenticatedHttpRequest, pk: int, format_pk: int) -> HttpResponse:
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
            do_save_format(fmt)
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
def format_delete(request: AuthenticatedHttpRequest, pk: int, format_pk: int) -> HttpResponse:
    """GET asks for confirmation, POST deletes; sessions keep what they froze."""
    membership = _get_organiser_membership(request.user, pk)
    fmt = _get_format(membership, format_pk)
    if request.method == "POST":
        fmt.delete()
        messages.success(request, _("Le format « %(name)s » est supprimé.") % {"name": fmt.name})
        return redirect("format_list", pk=pk)
    return render(request, "sessions_app/formats/delete.html",
                  {"group": membership.group, "fmt": fmt, "sessions": fmt.sessions.count()})
