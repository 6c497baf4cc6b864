"""Scheduling sessions: date, time, duration, visio link, facilitators; registration with the
group's seat limit and a waitlist; a calendar file per session.

``register`` and ``unregister`` lock the session row, so two people taking the last seat at
once end up one seated and one on the waitlist, and a freed seat goes to exactly one person:
the first on the waitlist, who is told by e-mail.
"""

import uuid
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants import emails
from participants.access import get_membership_or_404
from participants.models import Group, Membership, User

from . import calendar, live, presence, rota
from .models import Format, Registration, Session

MAX_FACILITATORS = 2
MAX_SERIES = 12


# --- Rules over several rows --------------------------------------------------------------


def rotation(group) -> list[int]:
    """The group's members in rotation order (arrival in the group)."""
    return list(
        group.memberships.active().order_by("joined_at", "id").values_list("user_id", flat=True)
    )


def next_in_rotation(group) -> int | None:
    """Who facilitates next: the first of the group's rota (``sessions_app.rota``)."""
    return rota.next_facilitator(group)


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
            registration.user,
            lambda: {
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
            # Open pages follow at once: the group's facilitators take over the controls.
            live.broadcast_after_commit(session.pk)
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


# --- Series and notices -------------------------------------------------------------------


def series_dates(first: datetime, tz, repeat: str, every: int, count: int) -> list[datetime]:
    """``count`` dates from ``first`` at the same wall-clock time in ``tz``: every ``every``
    weeks, or each month on the same weekday of the month (the 2nd Tuesday…; a 5th one is
    read as the month's last)."""
    local = first.astimezone(tz)
    if repeat == "weekly":
        return [local + timedelta(weeks=every * k) for k in range(count)]
    if repeat != "monthly":
        return [first]
    rank = (local.day - 1) // 7  # 0: the first such weekday of the month … 4: the last
    dates = []
    for k in range(count):
        month = local.month - 1 + k
        year, month = local.year + month // 12, month % 12 + 1
        day = 1 + (local.weekday() - datetime(year, month, 1).weekday()) % 7 + 7 * min(rank, 3)
        if rank >= 4:
            following = day + 7
            if (datetime(year, month, 1) + timedelta(days=following - 1)).month == month:
                day = following
        dates.append(local.replace(year=year, month=month, day=day))
    return dates


def fallen_back(first: datetime, tz, dates: list[datetime]) -> list[datetime]:
    """The dates of a monthly series begun on a 5th weekday that fall on the month's last
    one instead (the months without a 5th): the organiser confirms them before saving."""
    if (first.astimezone(tz).day - 1) // 7 < 4:
        return []
    return [d for d in dates if (d.astimezone(tz).day - 1) // 7 < 4]


def _members_to_tell(session: Session, actor: User) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__group_id=session.group_id,
            memberships__removed_at__isnull=True,
        ).exclude(pk=actor.pk)
    )


def _when(session: Session) -> str:
    local = timezone.localtime(session.scheduled_at, session.group.tz)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({session.group.time_zone})"


def tell_members(template: str, sessions: list[Session], actor, *, cancelled=False) -> None:
    """One e-mail per member of the group (not ``actor``), after the commit, with the
    calendar file of ``sessions``: nothing said in a session, only dates and links. Each is
    written in its recipient's language, its dates and calendar file too (made once per
    language)."""
    first = sessions[0]
    made: dict[str, tuple[dict, str]] = {}

    def in_language() -> tuple[dict, str]:
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in made:
            context = {
                "group": first.group.name,
                "sessions": [
                    {
                        "title": str(s),
                        "when": _when(s),
                        "url": settings.SITE_URL + reverse("session_info", args=[s.pk]),
                    }
                    for s in sessions
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
    for person in _members_to_tell(first, actor):

        def context_for(person=person) -> dict:
            context, _ics = in_language()
            mine = [
                item for s, item in zip(sessions, context["sessions"], strict=True)
                if person.pk in leads[s.pk]
            ]
            return {**context, "facilitating": mine, "group_url": group_url}

        emails.send(
            template,
            person,
            context_for,
            [(name, lambda: in_language()[1], "text/calendar")],
        )


def tell_facilitation(session: Session, before: set[int], actor) -> None:
    """Who facilitates changed: the people who now do and those who no longer do (not
    ``actor``, who made the change) are each told, by name, who facilitates the session."""
    leading = list(session.facilitators.order_by("pk"))
    now = {u.pk for u in leading}
    concerned = (now ^ before) - {actor.pk}
    for person in User.objects.filter(pk__in=concerned, is_active=True):

        def context(person=person) -> dict:
            return {
                "session": str(session),
                "when": _when(session),
                "by": actor.name,
                "leading": person.pk in now,
                "partners": ", ".join(u.name for u in leading if u.pk != person.pk),
                "facilitators": ", ".join(u.name for u in leading),
                "url": settings.SITE_URL + reverse("session_info", args=[session.pk]),
            }

        emails.send("facilitation_changed", person, context)


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
        max_value=MAX_SERIES,
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
        facilitators.queryset = User.objects.filter(
            memberships__group=group, memberships__removed_at__isnull=True
        ).order_by("memberships__joined_at", "id")
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
        if proposed not in rota.neighbours(self.group, when):
            return
        following = rota.next_facilitator(self.group, when)
        if following is not None and following != proposed:
            data["facilitators"] = list(User.objects.filter(pk=following))
            self.reproposed = data["facilitators"]

    def _confirm_fifth_weekday(self, data) -> None:
        """A series begun on a 5th weekday falls on the last one in the months without a
        5th: the organiser sees which dates and confirms, rather than find out later."""
        first = data["scheduled_at"]
        tz = self.group.tz
        moved = fallen_back(first, tz, series_dates(first, tz, "monthly", 1, data["count"]))
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
                "first": formats.date_format(local, "DATE_FORMAT"),
                "weekday": formats.date_format(local, "l"),
                "dates": ", ".join(
                    formats.date_format(timezone.localtime(d, tz), "DATE_FORMAT") for d in moved
                ),
            },
        )

    def occurrences(self) -> list[datetime]:
        """The dates of the series (the first included), at the same local time."""
        first = self.cleaned_data["scheduled_at"]
        repeat = self.cleaned_data.get("repeat") or ""
        count = self.cleaned_data.get("count") or 1
        return series_dates(
            first, self.group.tz, repeat, self.cleaned_data.get("every") or 1, count
        )

    def save(self, commit=True):
        session = super().save(commit=False)
        existed = session.pk is not None
        session.scheduled_at = self.cleaned_data["scheduled_at"]
        if not session.pk:
            session.group = self.group
        method = self.cleaned_data.get("method") or self.fields["method"].initial
        shaped = self.shaped.get(method)
        session.shaped_format = shaped
        session.format = shaped.base if shaped is not None else method
        session.save()
        before = set(session.facilitators.values_list("pk", flat=True))
        session.facilitators.set(self.cleaned_data["facilitators"])
        if existed and before != {u.pk for u in self.cleaned_data["facilitators"]}:
            # A running session's open pages change hands at once (see live).
            live.broadcast_after_commit(session.pk)
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
        initial["proposed"] = following
    elif group.facilitation == "named":
        initial["facilitators"] = [request.user.pk]
    # Seed 000: the organisers facilitate and may bring subjects; in codéveloppement (003)
    # the animateur does not consult.
    default = Format.objects.filter(group=group, is_default=True).first()
    family = default.base if default is not None else group.format
    initial["facilitators_take_part"] = membership.is_organiser and family != "codev"
    form = ScheduleForm(request.POST or None, group=group, initial=initial)
    if membership.is_organiser:
        form.fields["facilitators_take_part"].widget.attrs["data-follows-method"] = ""
    if request.method == "POST" and form.is_valid():
        dates = form.occurrences()
        with transaction.atomic():
            session = form.save()
            sessions = [session, *_follow(session, form, dates[1:])]
            tell_members("session_scheduled", sessions, request.user)
        if len(sessions) > 1:
            messages.success(
                request,
                ngettext(
                    "%(n)d séance est programmée ; les membres sont prévenus par e-mail.",
                    "%(n)d séances sont programmées ; les membres sont prévenus par e-mail.",
                    len(sessions),
                )
                % {"n": len(sessions)},
            )
        else:
            messages.success(
                request, _("La séance est programmée ; les membres sont prévenus par e-mail.")
            )
        if form.reproposed:
            messages.info(
                request,
                _(
                    "%(name)s anime la première séance : la personne proposée anime déjà une "
                    "séance voisine de cette date, la rotation passe à la suivante."
                )
                % {"name": ", ".join(u.name for u in form.reproposed)},
            )
        return redirect("session_info", pk=session.pk)
    return render(
        request,
        "sessions_app/scheduling/session_form.html",
        {"form": form, "group": group, "session": None},
    )


def _follow(first: Session, form: ScheduleForm, dates: list[datetime]) -> list[Session]:
    """The rest of a series: the first session's fields at each later date; in a rotating
    group, the facilitation goes round."""
    if not dates:
        return []
    first.series = first.series or uuid.uuid4().hex
    first.save(update_fields=["series"])
    people = list(form.cleaned_data["facilitators"])
    made = []
    for when in dates:
        session = Session.objects.create(
            group=first.group,
            format=first.format,
            shaped_format=first.shaped_format,
            title=first.title,
            scheduled_at=when,
            duration_minutes=first.duration_minutes,
            visio_url=first.visio_url,
            facilitators_take_part=first.facilitators_take_part,
            series=first.series,
        )
        if first.group.facilitation == "rotating" and len(people) == 1:
            # The rota at that date, with the sessions made so far: by dates, not by the
            # order in which the sessions were scheduled.
            following = rota.next_facilitator(first.group, when)
            if following is not None:
                people = list(User.objects.filter(pk=following))
        session.facilitators.set(people)
        made.append(session)
    return made


CHANGES = ("scheduled_at", "duration_minutes", "title", "visio_url")


@login_required
@never_cache
def session_edit(request, pk):
    session, membership = _get_session(request.user, pk)
    if not _can_schedule(membership):
        raise Http404
    before = {name: getattr(session, name) for name in CHANGES}
    leading_before = set(session.facilitators.values_list("pk", flat=True))
    took_part = session.facilitators_take_part
    form = ScheduleForm(request.POST or None, instance=session, group=session.group)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            session = form.save()
            if took_part and not session.facilitators_take_part:
                presence.facilitators_leave_the_table(session, request.user)
            if any(getattr(session, name) != value for name, value in before.items()):
                Session.objects.filter(pk=session.pk).update(sequence=F("sequence") + 1)
                session.refresh_from_db(fields=["sequence"])
                tell_members("session_changed", [session], request.user)
                messages.success(
                    request,
                    _(
                        "Les modifications sont enregistrées ; "
                        "les membres sont prévenus par e-mail."
                    ),
                )
            else:
                messages.success(request, _("Les modifications sont enregistrées."))
            tell_facilitation(session, leading_before, request.user)
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
            "past": not session.registration_open,
            "end": session.scheduled_at + timedelta(minutes=session.duration_minutes),
        },
    )


@login_required
@require_POST
def session_register(request, pk):
    session, _membership = _get_session(request.user, pk)
    if not session.registration_open:
        messages.error(request, _("Cette séance est passée : les inscriptions sont closes."))
        return redirect("session_info", pk=pk)
    registration = register(session.pk, request.user)
    if registration.status == Registration.REGISTERED:
        messages.success(request, _("Vous êtes inscrit·e à la séance."))
    else:
        messages.info(
            request,
            _(
                "La séance est complète : vous êtes sur la liste d’attente. "
                "Si une place se libère, elle vous revient dans l’ordre d’inscription "
                "et vous serez prévenu·e par e-mail."
            ),
        )
    return redirect("session_info", pk=pk)


@login_required
@require_POST
def session_unregister(request, pk):
    session, _membership = _get_session(request.user, pk)
    if unregister(session.pk, request.user) is None:
        messages.error(request, _("Vous n’étiez pas inscrit·e à cette séance."))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect("session_info", pk=pk)


def ics_calendar(session: Session) -> str:
    """The session as an iCalendar file (see ``sessions_app.calendar``)."""
    return calendar.calendar([session])


def ics_filename(session: Session) -> str:
    return calendar.filename(session)


@login_required
@never_cache
@require_GET
def session_ics(request, pk):
    session, _membership = _get_session(request.user, pk)
    response = HttpResponse(ics_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(session)}"'
    return response


@login_required
@never_cache
def session_cancel(request, pk):
    """Cancel a session not started yet: the members get the calendar's cancellation."""
    session, membership = _get_session(request.user, pk)
    if not _can_schedule(membership):
        raise Http404
    if session.stage != "lobby":
        messages.error(request, _("Cette séance a commencé : elle ne peut plus être annulée."))
        return redirect("session_info", pk=pk)
    if session.is_past:
        messages.error(request, _("Cette séance est passée : il n’y a plus rien à annuler."))
        return redirect("session_info", pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            session.sequence += 1
            tell_members("session_cancelled", [session], request.user, cancelled=True)
            live.tell_cancelled(session.pk)
            session.delete()
        messages.success(
            request, _("La séance est annulée ; les membres sont prévenus par e-mail.")
        )
        return redirect("group_detail", pk=session.group_id)
    return render(request, "sessions_app/scheduling/session_cancel.html", {"session": session})
