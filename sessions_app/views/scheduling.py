"""Pages between sessions: scheduling (once or as a series), a session's information page,
registration and the waitlist, its calendar file, cancellation; a member's reminders switch.

Every view starts from a permission-checked getter (404 for outsiders); the writes are the
``actions.scheduling`` verbs.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from participants.access import get_membership_or_404
from participants.http import AuthenticatedHttpRequest
from participants.models import Membership, User

from .. import calendar, rota_queries
from ..actions import scheduling
from ..forms import ScheduleForm
from ..models import Format, Registration, Session


def _can_schedule(membership: Membership) -> bool:
    return membership.is_organiser or membership.can_facilitate


def _get_session(user: User, pk: int) -> tuple[Session, Membership]:
    session = Session.objects.get_for_member_or_404(user, pk)
    return session, get_membership_or_404(user, session.group_id)


@login_required
@never_cache
def session_create(request: AuthenticatedHttpRequest, group_pk: int) -> HttpResponse:
    membership = get_membership_or_404(request.user, group_pk)
    if not _can_schedule(membership):
        raise Http404
    group = membership.group
    if group.is_closed:
        messages.error(
            request, _("Ce groupe est fermé par sa communauté : il ne planifie plus de séance.")
        )
        return redirect("group_detail", pk=group.pk)
    initial: dict[str, object] = {"duration_minutes": 120}
    if group.facilitation == "rotating":
        following = rota_queries.next_facilitator(group)
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
        sessions = scheduling.do_schedule(
            form.to_session(), list(form.cleaned_data["facilitators"]), dates[1:], request.user
        )
        session = sessions[0]
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


@login_required
@never_cache
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, membership = _get_session(request.user, pk)
    if not _can_schedule(membership):
        raise Http404
    # Read before the form writes the values posted into the row.
    before = scheduling.schedule_of(session)
    form = ScheduleForm(request.POST or None, instance=session, group=session.group)
    if request.method == "POST" and form.is_valid():
        told = scheduling.do_change_session(
            form.to_session(), list(form.cleaned_data["facilitators"]), request.user, before
        )
        if told:
            messages.success(
                request,
                _("Les modifications sont enregistrées ; les membres sont prévenus par e-mail."),
            )
        else:
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
def session_info(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def session_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _membership = _get_session(request.user, pk)
    if not session.registration_open:
        messages.error(request, _("Cette séance est passée : les inscriptions sont closes."))
        return redirect("session_info", pk=pk)
    registration = scheduling.do_register(session.pk, request.user)
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
def session_unregister(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session, _membership = _get_session(request.user, pk)
    if scheduling.do_cancel_registration(session.pk, request.user) is None:
        messages.error(request, _("Vous n’étiez pas inscrit·e à cette séance."))
    else:
        messages.success(request, _("Votre inscription est annulée."))
    return redirect("session_info", pk=pk)


@login_required
@never_cache
@require_GET
def session_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The session as an iCalendar file (see ``sessions_app.calendar``)."""
    session = Session.objects.get_for_member_or_404(request.user, pk)
    response = HttpResponse(
        calendar.calendar([session]), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename(session)}"'
    return response


@login_required
@never_cache
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        scheduling.do_cancel_session(session, request.user)
        messages.success(
            request, _("La séance est annulée ; les membres sont prévenus par e-mail.")
        )
        return redirect("group_detail", pk=session.group_id)
    return render(request, "sessions_app/scheduling/session_cancel.html", {"session": session})


# --- The member's reminders -----------------------------------------------------------------


@login_required
@require_POST
def reminders_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The member's own switch, on the group's page: reminders of this group's sessions."""
    membership = get_membership_or_404(request.user, pk)
    membership.reminders = request.POST.get("reminders") == "on"
    membership.save(update_fields=["reminders"])
    if membership.reminders:
        messages.success(request, _("Vous recevrez un rappel par e-mail avant chaque séance."))
    else:
        messages.success(request, _("Vous ne recevrez plus de rappel avant les séances."))
    return redirect("group_detail", pk=pk)
