"""The carnet de bord (seed 002), tied to the work: learnings, feelings, progress.

A note (``LogbookEntry``) may belong to a session and a subject; it is written during the
session from the live page's « Mon carnet » panel (autosaved, never broadcast) or afterwards
from the carnet, which shows each session's notes beside what the person took away (their own
actions). The whole carnet downloads as Markdown and as JSON, with what the person brought
home from their own subjects: the help they asked for (their contract), their synthesis,
the ideas they kept with their notes, each action's sign of success and the history of its
reports. The pages are in ``views.logbook``; here, the carnet as it is built and what its
downloads hold.

Every note is its author's alone: organisers, facilitators and the staff get a 404 on these
pages like anyone else, and the notes are not in the Django admin.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils.text import slugify

from participants.models import Group, User

from .cycle import OWN_WORDS
from .models import Action, ActionReport, Contribution, LogbookEntry, Session, Subject


@dataclass
class SubjectWork:
    """What the person brought home from one of their own subjects handled at a session:
    their contract, their synthesis, the ideas they kept (with their notes)."""

    subject: Subject
    request: str = ""
    synthesis: str = ""
    kept: list[Contribution] = field(default_factory=list)


@dataclass
class SessionPage:
    """One session of the carnet: my notes on it, and the actions I took away from it (and,
    in the downloads, my work on my own subjects there)."""

    session: Session
    notes: list[LogbookEntry] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    subjects: list[SubjectWork] = field(default_factory=list)


def carnet_of(user: User, group_id: int) -> tuple[list[SessionPage], list[LogbookEntry]]:
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
    return _latest_first(pages), loose[::-1]


def _latest_first(pages: dict[int, SessionPage]) -> list[SessionPage]:
    return sorted(
        pages.values(), key=lambda p: (p.session.scheduled_at, p.session.pk), reverse=True
    )


def with_subject_work(pages: list[SessionPage], user: User, group_id: int) -> list[SessionPage]:
    """The carnet's sessions for its downloads: on each, the person's own subjects handled
    there (contract, synthesis, the ideas kept with their notes), and on each action its
    history (``Action.history``). Two more queries, however long the carnet. Only the
    person's own: what others said on their subjects is kept only when they kept it, and
    never with who said it."""
    by_session = {page.session.pk: page for page in pages}
    said = (
        Contribution.objects.filter(
            Q(kind__in=OWN_WORDS, person=user) | Q(taken=True),
            subject__owner=user,
            subject__group_id=group_id,
        )
        .select_related("session", "subject")
        .order_by("session_id", "subject_id", "n")
    )
    for c in said:
        page = by_session.setdefault(c.session_id, SessionPage(c.session))
        if not page.subjects or page.subjects[-1].subject.pk != c.subject_id:
            page.subjects.append(SubjectWork(c.subject))
        work = page.subjects[-1]
        if c.kind in OWN_WORDS:
            setattr(work, c.kind, c.text)
        else:
            work.kept.append(c)
    actions = [a for page in pages for a in page.actions]
    history: dict[int, list[ActionReport]] = {a.pk: [] for a in actions}
    for report in ActionReport.objects.filter(action__in=actions).select_related("session"):
        history[report.action_id].append(report)
    for action in actions:
        action.history = history[action.pk]  # type: ignore[attr-defined]
    return _latest_first(by_session)


def current_subject(session: Session) -> Subject | None:
    """The subject being handled right now, if any: the one a note from the live page is
    tied to."""
    current = (session.state or {}).get("current")
    if current is None:
        return None
    return Subject.objects.filter(group_id=session.group_id, pk=current).first()


# --- What the downloads hold ---------------------------------------------------------------


def keyword_in_download(reader, subject: Subject | None) -> str | None:
    """The one rule of every file that leaves the site, the carnet's two downloads and the
    account's « Mes données » alike: a subject's keyword is written only for its owner.
    Another member's keyword is theirs and stays in the group (said on the privacy page);
    None in its place."""
    if subject is None or subject.owner_id != reader.pk:
        return None
    return subject.keyword


def carnet_filename(group: Group, extension: str) -> str:
    return f"carnet-{slugify(group.name) or group.pk}.{extension}"


def mark_download_keywords(
    pages: list[SessionPage], loose: list[LogbookEntry], reader: User
) -> None:
    """Sets ``download_keyword`` on every note, action and subject worked of the carnet, for
    the Markdown file: it names the subject by ``keyword_in_download``."""
    notes: list[LogbookEntry] = [*loose, *(e for page in pages for e in page.notes)]
    for entry in notes:
        keyword = keyword_in_download(reader, entry.subject)
        entry.download_keyword = keyword  # type: ignore[attr-defined]
    for action in (a for page in pages for a in page.actions):
        keyword = keyword_in_download(reader, action.subject)
        action.download_keyword = keyword  # type: ignore[attr-defined]
    for work in (w for page in pages for w in page.subjects):
        work.download_keyword = keyword_in_download(reader, work.subject)  # type: ignore[attr-defined]


def _note_data(entry: LogbookEntry, reader: User) -> dict:
    return {
        "id": entry.pk,
        "subject": keyword_in_download(reader, entry.subject),
        "text": entry.text,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }


def _report_data(report: ActionReport) -> dict:
    return {
        "session": report.session.scheduled_at.isoformat() if report.session else None,
        "at": report.created_at.isoformat(),
        "status": report.status,
        "note": report.note,
    }


def carnet_data(
    group: Group,
    pages: list[SessionPage],
    loose: list[LogbookEntry],
    reader: User,
    now: datetime,
) -> dict:
    """The whole carnet for the JSON file: the same content as the Markdown file."""
    return {
        "group": group.name,
        "exported_at": now.isoformat(),
        "sessions": [
            {
                "id": page.session.pk,
                "title": page.session.title,
                "scheduled_at": page.session.scheduled_at.isoformat(),
                "notes": [_note_data(entry, reader) for entry in page.notes],
                "subjects": [
                    {
                        "subject": keyword_in_download(reader, work.subject),
                        "request": work.request,
                        "synthesis": work.synthesis,
                        "kept": [{"text": c.text, "note": c.note} for c in work.kept],
                    }
                    for work in page.subjects
                ],
                "actions": [
                    {
                        "id": action.pk,
                        "subject": keyword_in_download(reader, action.subject),
                        "text": action.text,
                        "sign": action.sign,
                        "status": action.status,
                        "note": action.note,
                        "review_on": action.review_on.isoformat() if action.review_on else None,
                        "history": [
                            _report_data(report)
                            for report in getattr(action, "history", ())
                        ],
                    }
                    for action in page.actions
                ],
            }
            for page in pages
        ],
        "notes_without_session": [_note_data(entry, reader) for entry in loose],
    }
