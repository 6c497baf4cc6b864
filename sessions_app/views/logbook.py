"""The carnet de bord's pages (``sessions_app.logbook``): the carnet, a note's edit and
delete pages, its two downloads, and the live page's « Mon carnet » panel.

Every note is its author's alone: another person's note is a 404, whoever asks.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHtmxHttpRequest, AuthenticatedHttpRequest
from participants.models import User

from ..forms import LogbookForm
from ..logbook import (
    carnet_data,
    carnet_filename,
    carnet_of,
    current_subject,
    mark_download_keywords,
    with_subject_work,
)
from ..models import LogbookEntry, Session


def _get_entry_or_404(user: User, group_id: int, entry_pk: int) -> LogbookEntry:
    return get_object_or_404(LogbookEntry.objects.of(user, group_id), pk=entry_pk)


@login_required
@never_cache
def logbook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The carnet: per session, my notes beside what I took away; a note of my own to add."""
    membership = get_membership_or_404(request.user, pk)
    form = LogbookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        LogbookEntry.objects.create(
            author=request.user, group=membership.group, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Note ajoutée à votre carnet de bord."))
        return redirect("logbook", pk=pk)
    pages, loose = carnet_of(request.user, pk)
    return render(
        request,
        "sessions_app/logbook/carnet.html",
        {"group": membership.group, "form": form, "pages": pages, "loose": loose},
    )


@login_required
@never_cache
def logbook_edit(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Another person's note is a 404, whoever asks."""
    entry = _get_entry_or_404(request.user, pk, entry_pk)
    form = LogbookForm(request.POST or None, initial={"text": entry.text})
    form.fields["text"].label = _("Note")
    if request.method == "POST" and form.is_valid():
        entry.text = form.cleaned_data["text"]
        entry.save(update_fields=["text", "updated_at"])
        messages.success(request, _("Note enregistrée."))
        return redirect("logbook", pk=pk)
    return render(
        request, "sessions_app/logbook/edit.html", {"entry": entry, "form": form, "group_pk": pk}
    )


@login_required
@never_cache
def logbook_delete(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """GET asks for confirmation, POST deletes. Another person's note is a 404."""
    entry = _get_entry_or_404(request.user, pk, entry_pk)
    if request.method == "POST":
        entry.delete()
        messages.success(request, _("Note supprimée."))
        return redirect("logbook", pk=pk)
    return render(request, "sessions_app/logbook/delete.html", {"entry": entry, "group_pk": pk})


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_GET
def logbook_markdown(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole carnet as a readable file (Markdown)."""
    membership = get_membership_or_404(request.user, pk)
    pages, loose = carnet_of(request.user, pk)
    pages = with_subject_work(pages, request.user, pk)
    mark_download_keywords(pages, loose, request.user)
    text = render_to_string(
        "sessions_app/logbook/export.md.txt",
        {"group": membership.group, "pages": pages, "loose": loose, "now": timezone.now()},
        request=request,
    )
    filename = carnet_filename(membership.group, "md")
    return _download(text, "text/markdown; charset=utf-8", filename)


@login_required
@never_cache
@require_GET
def logbook_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The whole carnet as JSON: the same content as the Markdown file, for machines."""
    membership = get_membership_or_404(request.user, pk)
    pages, loose = carnet_of(request.user, pk)
    pages = with_subject_work(pages, request.user, pk)
    data = carnet_data(membership.group, pages, loose, request.user, timezone.now())
    filename = carnet_filename(membership.group, "json")
    return _download(json.dumps(data, ensure_ascii=False, indent=2), "application/json", filename)


# --- The live page's « Mon carnet » panel --------------------------------------------------


@login_required
@never_cache
def session_logbook(request: AuthenticatedHtmxHttpRequest, pk: int) -> HttpResponse:
    """The person's own note on this session, written from the live page.

    GET renders the panel (the latest note on the current subject, or a blank one with
    ``?new=1``); POST creates the note, tied to the session and the subject being handled,
    then updates that same note as the person types. Nothing here touches the live state or
    the channel layer: the note is never broadcast.
    """
    session = Session.objects.get_for_member_or_404(request.user, pk)
    mine = LogbookEntry.objects.of(request.user, session.group_id).filter(session=session)
    if request.method != "POST":
        subject = current_subject(session)
        entry = None
        if not request.GET.get("new"):
            entry = mine.filter(subject=subject).order_by("-updated_at", "-id").first()
        return render(
            request,
            "sessions_app/logbook/panel.html",
            {"session": session, "subject": subject, "entry": entry},
        )
    entry_pk = request.POST.get("entry", "")
    entry = get_object_or_404(mine, pk=entry_pk) if entry_pk.isdigit() else None
    if entry is not None and not request.POST.get("text", "").strip():
        # The person emptied the field: the note goes, as on the carnet's own page.
        entry.delete()
        if not request.htmx:
            messages.success(request, _("Note effacée de votre carnet."))
            return redirect("session_page", pk=pk)
        return render(request, "sessions_app/logbook/panel_status.html", {"deleted": True})
    form = LogbookForm(request.POST)
    saved = form.is_valid()
    if saved and entry is not None:
        entry.text = form.cleaned_data["text"]
        entry.save(update_fields=["text", "updated_at"])
    elif saved:
        entry = LogbookEntry.objects.create(
            author=request.user,
            group=session.group,
            session=session,
            subject=current_subject(session),
            text=form.cleaned_data["text"],
        )
    if not request.htmx:
        if saved:
            messages.success(request, _("Note enregistrée dans votre carnet de bord."))
        return redirect("session_page", pk=pk)
    return render(
        request,
        "sessions_app/logbook/panel_status.html",
        {"entry": entry, "saved": saved, "errors": form.errors.get("text")},
    )
