"""Every e-mail of sessions_app: one function per e-mail, named after its template
(``templates/emails/<name>.txt``), that gathers the template's context and who receives it;
``participants.emails.send`` renders it in each recipient's language, dates and calendar
file included, and sends it after the transaction commits.

Nothing said in a session leaves by e-mail: dates, links, names, and to each person only
their own actions and subjects.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from participants.emails import send
from participants.models import Group, User

from . import calendar
from .models import Action, Registration, Session, Subject

# --- Scheduling, reminders and rota ---


def _when(session: Session) -> str:
    local = timezone.localtime(session.scheduled_at, session.group.tz)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({session.group.time_zone})"


def _session_url(session: Session) -> str:
    return settings.SITE_URL + reverse("session_info", args=[session.pk])


def session_scheduled(sessions: list[Session], actor: User) -> None:
    """A session, or a series, was scheduled: every member but ``actor`` is told of them
    all in one e-mail, with their calendar file."""
    _tell_members("session_scheduled", sessions, actor)


def session_changed(session: Session, actor: User) -> None:
    """Its date, duration, title or visio link changed: the calendar file replaces the
    event (same UID, higher SEQUENCE)."""
    _tell_members("session_changed", [session], actor)


def session_cancelled(session: Session, actor: User) -> None:
    """The calendar file withdraws the event (METHOD:CANCEL)."""
    _tell_members("session_cancelled", [session], actor, cancelled=True)


def _tell_members(
    template: str, sessions: list[Session], actor: User, *, cancelled: bool = False
) -> None:
    """One e-mail per member of the group (not ``actor``), after the commit, with the
    calendar file of ``sessions``: nothing said in a session, only dates and links. Each is
    written in its recipient's language, its dates and calendar file too (made once per
    language)."""
    first = sessions[0]
    made: dict[str, tuple[dict[str, Any], str]] = {}

    def in_language() -> tuple[dict[str, Any], str]:
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in made:
            context = {
                "group": first.group.name,
                "sessions": [
                    {"title": str(s), "when": _when(s), "url": _session_url(s)} for s in sessions
                ],
                "visio": first.visio_url,
                "by": actor.name,
            }
            made[language] = (context, calendar.calendar(sessions, cancelled=cancelled))
        return made[language]

    name = calendar.filename(first) if len(sessions) == 1 else f"seances-{first.pk}.ics"
    # Each person is also told which of these sessions they facilitate (theirs only).
    leads = {s.pk: set(s.facilitators.values_list("pk", flat=True)) for s in sessions}
    group_url = settings.SITE_URL + reverse("group_detail", args=[first.group_id])
    members = User.objects.active_members_of(first.group_id).filter(is_active=True)
    for person in members.exclude(pk=actor.pk):

        def context_for(person: User = person) -> dict[str, Any]:
            context, _ics = in_language()
            mine = [
                item for s, item in zip(sessions, context["sessions"], strict=True)
                if person.pk in leads[s.pk]
            ]
            return {**context, "facilitating": mine, "group_url": group_url}

        send(template, person, context_for, [(name, lambda: in_language()[1], "text/calendar")])


def facilitation_changed(session: Session, before: set[int], actor: User) -> None:
    """Who facilitates changed: the people who now do and those who no longer do (not
    ``actor``, who made the change) are each told, by name, who facilitates the session."""
    leading = list(session.facilitators.order_by("pk"))
    now = {u.pk for u in leading}
    concerned = (now ^ before) - {actor.pk}
    for person in User.objects.filter(pk__in=concerned, is_active=True):

        def context(person: User = person) -> dict[str, Any]:
            return {
                "session": str(session),
                "when": _when(session),
                "by": actor.name,
                "leading": person.pk in now,
                "partners": ", ".join(u.name for u in leading if u.pk != person.pk),
                "facilitators": ", ".join(u.name for u in leading),
                "url": _session_url(session),
            }

        send("facilitation_changed", person, context)


def waitlist_promoted(session: Session, registration: Registration) -> None:
    """The first on the waitlist got the seat someone freed."""
    send(
        "waitlist_promoted",
        registration.user,
        lambda: {
            "session": str(session),
            "when": formats.date_format(
                timezone.localtime(session.scheduled_at), "DATETIME_FORMAT"
            ),
            "url": _session_url(session),
        },
    )


def session_reminder(session: Session, user: User) -> None:
    """The reminder before ``session``: the date, the visio link and the calendar file,
    ``user``'s own open actions to report on and own subjects waiting in the backlog."""
    send(
        "session_reminder",
        user,
        lambda: _reminder_context(session, user),
        attachments=[
            (calendar.filename(session), lambda: calendar.calendar([session]), "text/calendar")
        ],
    )


def _reminder_context(session: Session, user: User) -> dict[str, Any]:
    actions = (
        Action.objects.of(user)
        .open()
        .filter(subject__group_id=session.group_id)
        .order_by("session__scheduled_at", "position", "id")
    )
    subjects = Subject.objects.filter(group_id=session.group_id, owner=user, status="open")
    site = settings.SITE_URL
    return {
        "group": session.group.name,
        "session": str(session),
        "when": formats.date_format(timezone.localtime(session.scheduled_at), "DATETIME_FORMAT"),
        "visio": session.visio_url,
        "actions": [
            {
                "text": action.text,
                "status": action.get_status_display(),
                "review_on": formats.date_format(action.review_on) if action.review_on else "",
            }
            for action in actions
        ],
        "subjects": [subject.keyword for subject in subjects],
        "url": site + reverse("session_info", args=[session.pk]),
        "ics_url": site + reverse("session_ics", args=[session.pk]),
        "actions_url": site + reverse("my_actions"),
        "settings_url": site + reverse("group_detail", args=[session.group_id]),
    }


def rota_next(group: Group, person: User) -> None:
    """A skip or a swap made ``person`` the next to facilitate."""
    send(
        "rota_next",
        person,
        {
            "group": group.name,
            "url": settings.SITE_URL + reverse("group_detail", args=[group.pk]),
        },
    )
