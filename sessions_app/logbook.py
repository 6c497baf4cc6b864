"""The carnet de bord (seed 002), tied to the work: learnings, feelings, progress.

A note may belong to a session and a subject; it is written during the session from the live
page's « Mon carnet » panel (autosaved, never broadcast) or afterwards from the carnet, which
shows each session's notes beside what the person took away (their own actions). The whole
carnet downloads as Markdown and as JSON.

Every note is its author's alone: organisers, facilitators and the staff get a 404 on these
pages like anyone else, and the notes are not in the Django admin. The carnet lives here, not
in participants, because it shows sessions and actions; the note itself stays
``participants.LogbookEntry``.
"""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.access import get_membership_or_404

from .forms import LogbookForm
from .models import Action, LogbookEntry, Session, Subject


@dataclass
class SessionPage:
    """One session of the carnet: my notes on it, and the actions I took away from it."""

    session: Session
    notes: list[LogbookEntry] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def carnet_of(user, group_id) -> tuple[list[SessionPage], list[LogbookEntry]]:
    """The person's carnet in a group: sessions (latest first) with their notes and actions,
    and the notes tied to no session. Two queries, however long the carnet."""
    pages: dict[int, SessionPage] = {}
    loose = []
    entries = (
        LogbookEntry.objects.of(user, group_id)
        .select_related("session", "subject")
        .order_by("created_at", "id")
    )
    for entry in entries:
        if entry.session is None:
            loose.append(entry)
        else:
            pages.setdefault(entry.session_id, SessionPage(entry.session)).notes.append(entry)
    actions = (
        Action.objects.of(user)
        .filter(subject__group_id=group_id)
        .select_related("session", "subject")
    )
    for action in actions:
        pages.setdefault(action.session_id, SessionPage(action.session)).actions.append(action)
    ordered = sorted(
        pages.values(), key=lambda p: (p.session.scheduled_at, p.session.pk), reverse=True
    )
    return ordered, loose[::-1]


def _get_entry_or_404(user, group_id, entry_pk) -> LogbookEntry:
    return get_object_or_404(LogbookEntry.objects.of(user, group_id), pk=entry_pk)


@login_required
@never_cache
def logbook(request, pk):
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
def logbook_edit(request, pk, entry_pk):
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
def logbook_delete(request, pk, entry_pk):
    """GET asks for confirmation, POST deletes. Another person's note is a 404."""
    entry = _get_entry_or_404(request.user, pk, entry_pk)
    if request.method == "POST":
        entry.delete()
        messages.success(request, _("Note supprimée."))
        return redirect("logbook", pk=pk)
    return render(request, "sessions_app/logbook/delete.html", {"entry": entry, "group_pk": pk})


def keyword_in_download(reader, subject: Subject | None) -> str | None:
    """The one rule of every file that leaves the site, the carnet's two downloads and the
    account's « Mes données » alike: a subject's keyword is written only for its owner.
    Another member's keyword is theirs and stays in the group (said on the privacy page);
    None in its place."""
    if subject is None or subject.owner_id != reader.pk:
        return None
    return subject.keyword


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
@require_GET
def logbook_markdown(request, pk):
    """The whole carnet as a readable file (Markdown)."""
    membership = get_membership_or_404(request.user, pk)
    pages, loose = carnet_of(request.user, pk)
    # The file names the subject of a note or an action by that one rule.
    notes: list[LogbookEntry] = [*loose, *(e for page in pages for e in page.notes)]
    for entry in notes:
        keyword = keyword_in_download(request.user, entry.subject)
        entry.download_keyword = keyword  # type: ignore[attr-defined]
    for action in (a for page in pages for a in page.actions):
        keyword = keyword_in_download(request.user, action.subject)
        action.download_keyword = keyword  # type: ignore[attr-defined]
    text = render_to_string(
        "sessions_app/logbook/export.md.txt",
        {"group": membership.group, "pages": pages, "loose": loose, "now": timezone.now()},
        request=request,
    )
    filename = f"carnet-{slugify(membership.group.name) or membership.group.pk}.md"
    return _download(text, "text/markdown; charset=utf-8", filename)


def _note_data(entry: LogbookEntry, reader) -> dict:
    return {
        "id": entry.pk,
        "subject": keyword_in_download(reader, entry.subject),
        "text": entry.text,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }


@login_required
@never_cache
@require_GET
def logbook_json(request, pk):
    """The whole carnet as JSON: the same content as the Markdown file, for machines."""
    membership = get_membership_or_404(request.user, pk)
    pages, loose = carnet_of(request.user, pk)
    data = {
        "group": membership.group.name,
        "exported_at": timezone.now().isoformat(),
        "sessions": [
            {
                "id": page.session.pk,
                "title": page.session.title,
                "scheduled_at": page.session.scheduled_at.isoformat(),
                "notes": [_note_data(entry, request.user) for entry in page.notes],
                "actions": [
                    {
                        "id": action.pk,
                        "subject": keyword_in_download(request.user, action.subject),
                        "text": action.text,
                        "status": action.status,
                        "note": action.note,
                        "review_on": action.review_on.isoformat() if action.review_on else None,
                    }
                    for action in page.actions
                ],
            }
            for page in pages
        ],
        "notes_without_session": [_note_data(entry, request.user) for entry in loose],
    }
    filename = f"carnet-{slugify(membership.group.name) or membership.group.pk}.json"
    return _download(json.dumps(data, ensure_ascii=False, indent=2), "application/json", filename)


# --- The live page's « Mon carnet » panel --------------------------------------------------


def _current_subject(session: Session) -> Subject | None:
    """The subject being handled right now, if any."""
    current = (session.state or {}).get("current")
    if current is None:
        return None
    return Subject.objects.filter(group_id=session.group_id, pk=current).first()


@login_required
@never_cache
def session_logbook(request, pk):
    """The person's own note on this session, written from the live page.

    GET renders the panel (the latest note on the current subject, or a blank one with
    ``?new=1``); POST creates the note, tied to the session and the subject being handled,
    then updates that same note as the person types. Nothing here touches the live state or
    the channel layer: the note is never broadcast.
    """
    session = get_object_or_404(
        Session.objects.for_member(request.user).select_related("group"), pk=pk
    )
    mine = LogbookEntry.objects.of(request.user, session.group_id).filter(session=session)
    if request.method != "POST":
        subject = _current_subject(session)
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
            subject=_current_subject(session),
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
