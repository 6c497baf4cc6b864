"""Scheduling sessions: date, time, duration, visio link, facilitators; registration with the
group's seat limit and a waitlist; a calendar file per session.

``register`` and ``unregister`` lock the session row, so two people taking the last seat at
once end up one seated and one on the waitlist, and a freed seat goes to exactly one person:
the first on the waitlist, who is told by e-mail.
"""

from datetime import UTC, datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants import emails
from participants.access import get_membership_or_404
from participants.models import Membership, User

from .models import Registration, Session

MAX_FACILITATORS = 2


# --- Rules over several rows --------------------------------------------------------------


def rotation(group) -> list[int]:
    """The group's members in rotation order (arrival in the group)."""
    return list(
        group.memberships.active().order_by("joined_at", "id").values_list("user_id", flat=True)
    )


def next_in_rotation(group) -> int | None:
    """Who facilitates next: the member after the last session's facilitator."""
    order = rotation(group)
    if not order:
        return None
    last = (
        group.sessions.filter(facilitators__isnull=False)
        .order_by("-scheduled_at", "-id")
        .prefetch_related("facilitators")
        .first()
    )
    if last is None:
        return order[0]
    positions = [order.index(u.pk) for u in last.facilitators.all() if u.pk in order]
    if not positions:
        return order[0]
    return order[(max(positions) + 1) % len(order)]


def _promote(session: Session) -> list[Registration]:
    """Seat people from the waitlist while seats are free; tell each by e-mail."""
    promoted = []
    free = session.group.capacity - session.registrations.seated().count()
    for registration in session.registrations.waiting().select_related("user")[: max(0, free)]:
        registration.status = Registration.REGISTERED
        registration.save(update_fields=["status"])
        promoted.append(registration)
        emails.send(
            "waitlist_promoted",
            registration.user.email,
            {
                "session": str(session),
                "when": formats.date_format(
                    timezone.localtime(session.scheduled_at), "DATETIME_FORMAT"
                ),
                "url": settings.SITE_URL + reverse("session_info", args=[session.pk]),
            },
        )
    return promoted


def register(session_id: int, user) -> Registration:
    """A seat if one is free, else a place at the end of the waitlist."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("group").get(pk=session_id)
        existing = session.registrations.filter(user=user).first()
        if existing:
            return existing
        seated = session.registrations.seated().count()
        status = (
            Registration.REGISTERED if seated < session.group.capacity else Registration.WAITLIST
        )
        return Registration.objects.create(session=session, user=user, status=status)


def unregister(session_id: int, user) -> Registration | None:
    """Give up a seat (or a waitlist place); a freed seat goes to the first waiting."""
    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("group").get(pk=session_id)
        registration = session.registrations.filter(user=user).first()
        if registration is None:
            return None
        registration.delete()
        if registration.status == Registration.REGISTERED:
            _promote(session)
        return registration


def on_member_removed(sender, membership, **kwargs) -> None:
    """A removed member leaves the seats and waitlists of the group's coming sessions, and
    stops facilitating the sessions not yet ended (the group's facilitators take over)."""
    for session in Session.objects.filter(
        group_id=membership.group_id, facilitators=membership.user_id
    ):
        if session.stage != "ended":
            session.facilitators.remove(membership.user_id)
    upcoming = Registration.objects.filter(
        user_id=membership.user_id,
        session__group_id=membership.group_id,
        session__scheduled_at__gte=timezone.now(),
    ).values_list("session_id", flat=True)
    for session_id in list(upcoming):
        unregister(session_id, membership.user)


# --- Permission-checked getters -----------------------------------------------------------


def _can_schedule(membership: Membership) -> bool:
    return membership.is_organiser or membership.can_facilitate


def _get_session(user, pk) -> tuple[Session, Membership]:
    session = get_object_or_404(Session.objects.for_member(user).select_related("group"), pk=pk)
    return session, get_membership_or_404(user, session.group_id)


# --- Forms --------------------------------------------------------------------------------


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ScheduleForm(forms.ModelForm):
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

    class Meta:
        model = Session
        fields = ["title", "duration_minutes", "visio_url"]
        help_texts = {
            "visio_url": gettext_lazy(
                "Jitsi, Zoom, Meet, Teams… Le lien figure dans le fichier agenda."
            ),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        facilitators = self.fields["facilitators"]
        assert isinstance(facilitators, forms.ModelMultipleChoiceField)
        facilitators.queryset = User.objects.filter(
            memberships__group=group, memberships__removed_at__isnull=True
        ).order_by("memberships__joined_at", "id")
        self.order_fields(
            ["title", "date", "time", "duration_minutes", "visio_url", "facilitators"]
        )
        if self.instance.pk:
            local = timezone.localtime(self.instance.scheduled_at)
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
            when = timezone.make_aware(datetime.combine(data["date"], data["time"]))
            if not self.instance.pk and when < timezone.now() - timedelta(hours=1):
                self.add_error("date", _("Cette date est passée."))
            data["scheduled_at"] = when
        return data

    def save(self, commit=True):
        session = super().save(commit=False)
        session.scheduled_at = self.cleaned_data["scheduled_at"]
        if not session.pk:
            session.group = self.group
            session.format = self.group.format
        session.save()
        session.facilitators.set(self.cleaned_data["facilitators"])
        return session


# --- Views --------------------------------------------------------------------------------


@login_required
@never_cache
def session_create(request, group_pk):
    membership = get_membership_or_404(request.user, group_pk)
    if not _can_schedule(membership):
        raise Http404
    group = membership.group
    initial: dict[str, object] = {"duration_minutes": 120}
    if group.facilitation == "rotating":
        following = next_in_rotation(group)
        initial["facilitators"] = [following] if following else []
    elif group.facilitation == "named":
        initial["facilitators"] = [request.user.pk]
    form = ScheduleForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            session = form.save()
        messages.success(request, _("La séance est programmée."))
        return redirect("session_info", pk=session.pk)
    return render(
        request,
        "sessions_app/scheduling/session_form.html",
        {"form": form, "group": group, "session": None},
    )


@login_required
@never_cache
def session_edit(request, pk):
    session, membership = _get_session(request.user, pk)
    if not _can_schedule(membership):
        raise Http404
    form = ScheduleForm(request.POST or None, instance=session, group=session.group)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Les modifications sont enregistrées."))
        return redirect("session_info", pk=session.pk)
    return render(
        request,
        "sessions_app/scheduling/session_form.html",
        {"form": form, "group": session.group, "session": session},
    )


@login_required
@never_cache
@require_GET
def session_info(request, pk):
    session, membership = _get_session(request.user, pk)
    registrations = list(session.registrations.select_related("user"))
    seated = [r for r in registrations if r.status == Registration.REGISTERED]
    waiting = [r for r in registrations if r.status == Registration.WAITLIST]
    mine = next((r for r in registrations if r.user_id == request.user.pk), None)
    return render(
        request,
        "sessions_app/scheduling/session_info.html",
        {
            "session": session,
            "group": session.group,
            "membership": membership,
            "facilitators": list(session.facilitators.all()),
            "seated": seated,
            "waiting": waiting,
            "mine": mine,
            "position": waiting.index(mine) + 1 if mine in waiting else None,
            "seats_left": max(0, session.group.capacity - len(seated)),
            "can_schedule": _can_schedule(membership),
            "past": session.scheduled_at + timedelta(minutes=session.duration_minutes)
            < timezone.now(),
            "end": session.scheduled_at + timedelta(minutes=session.duration_minutes),
        },
    )


@login_required
@require_POST
def session_register(request, pk):
    session, _membership = _get_session(request.user, pk)
    if session.scheduled_at + timedelta(minutes=session.duration_minutes) < timezone.now():
        messages.error(request, _("Cette séance est passée : les inscriptions sont closes."))
        return redirect("session_info", pk=pk)
    registration = register(session.pk, request.user)
    if registration.status == Registration.REGISTERED:
        messages.success(request, _("Vous êtes inscrit·e à la séance."))
    else:
        messages.info(
            request,
            _(
                "La séance est complète : vous êtes sur la liste d'attente. "
                "Si une place se libère, elle vous revient dans l'ordre d'inscription "
                "et vous serez prévenu·e par e-mail."
            ),
        )
    return redirect("session_info", pk=pk)


@login_required
@require_POST
def session_unregister(request, pk):
    session, _membership = _get_session(request.user, pk)
    if unregister(session.pk, request.user) is None:
        messages.error(request, _("Vous n'étiez pas inscrit·e à cette séance."))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect("session_info", pk=pk)


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def ics_calendar(session: Session) -> str:
    """The session as an iCalendar file (RFC 5545): date, duration, visio link, page link."""

    def utc(value):
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    end = session.scheduled_at + timedelta(minutes=session.duration_minutes)
    page = settings.SITE_URL + reverse("session_page", args=[session.pk])
    description = _("Page de la séance : %(url)s") % {"url": page}
    if session.visio_url:
        description = _("Visio : %(visio)s") % {"visio": session.visio_url} + "\n" + description
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Intervision//Intervision//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{host}",
        f"DTSTAMP:{utc(timezone.now())}",
        f"DTSTART:{utc(session.scheduled_at)}",
        f"DTEND:{utc(end)}",
        f"SUMMARY:{_ics_escape(str(session))}",
        f"DESCRIPTION:{_ics_escape(description)}",
    ]
    if session.visio_url:
        lines += [f"LOCATION:{_ics_escape(session.visio_url)}", f"URL:{session.visio_url}"]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"


def ics_filename(session: Session) -> str:
    return f"seance-{session.pk}.ics"


@login_required
@never_cache
@require_GET
def session_ics(request, pk):
    session, _membership = _get_session(request.user, pk)
    response = HttpResponse(ics_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(session)}"'
    return response
