"""The rota of a rotating facilitation (seed 003: « l’animation est confiée à tour de rôle à
chaque participant »): who facilitates next, who comes after, who facilitated before.

Where the rota lives. The order is derived, not kept: the active members by arrival in the
group, then the queue turns after the facilitator of the group's last session (held, or
scheduled and not passed unheld), so scheduling a session moves it on by itself. A skip or a
swap stores the resulting queue in one small row (``models.Rota``) together with the session
it followed; the queue then turns from that stored order at each later session. Members who
joined later than that order was stored go at its end, in arrival order; those who left are
dropped.

The rota follows the sessions' dates, not the order in which they were scheduled: whom it
proposes for a session on a given day (``order_at``) is never the facilitator of the session
just before or just after that day, so two series overlapping, or a session inserted before
others already scheduled, give no one two sessions in a row, nor the session of today to
whoever held yesterday's.

History is what happened, not what was planned: the facilitators of the sessions held
(ended), the most recent first.

A member who joined recently is never first. « Recently » means: no session of the group has
been held since they joined. A newcomer first takes part in one session, observing the
ritual from the table, before leading it (seed 001: a group starts with a facilitator who
knows the process and moves towards self-management; seed 003: each participant in turn,
once they are one). Until then they stay in the rota at its end, after everyone else. In a
group that has held no session yet nobody is a newcomer: the order is the arrival.

Who may change it. Organisers skip or swap anyone. In a rotating group the facilitation
belongs to the members themselves, so each member may also pass their own turn (a skip of
themselves, which moves only them); swapping two people's places stays an organiser's action,
since it moves someone else. Outsiders get 404, and so does a member asking for what is not
theirs, like every organiser action of the project.

The person is told: when a session is scheduled with them as facilitator, the « séance
programmée » e-mail they receive says so (``scheduling.tell_members``); when a skip or a swap
makes them next, an e-mail to them alone says so; their group page says it too.
"""

from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from participants import emails
from participants.access import get_membership_or_404
from participants.models import Group, Membership, User

from .models import ENDED, MISSED, Rota, Session


class RotaError(Exception):
    """A skip or a swap that the rota cannot make."""


# --- The rules (plain data in, plain data out) ----------------------------------------------


def arrange(
    arrival: list[int],
    stored: list[int],
    last: list[int],
    fresh: bool,
    newcomers: set[int],
) -> list[int]:
    """The queue of user ids, the next facilitator first.

    ``arrival``: the active members by arrival in the group; ``stored``: the order a skip or
    swap stored (empty if none); ``last``: the facilitators of the group's last session;
    ``fresh``: whether ``stored`` was made after that session (it is then the queue as is);
    ``newcomers``: members who have seen no session held since they joined (last, always).
    """
    present = set(arrival)
    cycle = [u for u in stored if u in present]
    cycle += [u for u in arrival if u not in cycle]
    if not fresh:
        positions = [cycle.index(u) for u in last if u in cycle]
        if positions:
            turn = max(positions) + 1
            cycle = cycle[turn:] + cycle[:turn]
    return [u for u in cycle if u not in newcomers] + [u for u in cycle if u in newcomers]


def skip(queue: list[int], user: int, newcomers: set[int]) -> list[int]:
    """``user`` passes their turn: they go one place later, after the person who followed
    them (newcomers, always last, are not overtaken)."""
    eligible = [u for u in queue if u not in newcomers]
    if user not in eligible:
        raise RotaError("not_in_rota")
    at = eligible.index(user)
    if at == len(eligible) - 1:
        raise RotaError("already_last")
    eligible[at], eligible[at + 1] = eligible[at + 1], eligible[at]
    return eligible + [u for u in queue if u in newcomers]


def swap(queue: list[int], first: int, second: int) -> list[int]:
    """``first`` and ``second`` exchange their places."""
    if first == second:
        raise RotaError("same_person")
    if first not in queue or second not in queue:
        raise RotaError("not_in_rota")
    order = list(queue)
    a, b = order.index(first), order.index(second)
    order[a], order[b] = order[b], order[a]
    return order


# --- Reading the rota from the database -----------------------------------------------------


def last_session(group: Group, now: datetime | None = None) -> Session | None:
    """The session the rota turns after: the latest with a facilitator, held or still to
    come (a session whose day passed unheld does not count: its facilitator did not lead)."""
    now = now or timezone.now()
    rows = (
        group.sessions.filter(facilitators__isnull=False)
        .distinct()
        .select_related("group")
        .order_by("-scheduled_at", "-id")
    )
    for session in rows[:20]:
        if session.timing_at(now) != MISSED:
            return session
    return None


def held(group: Group, limit: int = 20) -> list[Session]:
    """The sessions held (ended), the most recent first, with their facilitators."""
    rows = (
        group.sessions.filter(stage=ENDED)
        .select_related("group")
        .prefetch_related("facilitators")
        .order_by("-scheduled_at", "-id")
    )
    return list(rows[:limit])


def newcomers(group: Group) -> set[int]:
    """Active members who joined after the group's last session held (none if none held)."""
    last = group.sessions.filter(stage=ENDED).order_by("-scheduled_at").first()
    if last is None:
        return set()
    return set(
        group.memberships.active()
        .filter(joined_at__gt=last.scheduled_at)
        .values_list("user_id", flat=True)
    )


def queue(group: Group, now: datetime | None = None) -> list[int]:
    """The rota of ``group`` now: user ids, the next facilitator first."""
    arrival = list(
        group.memberships.active().order_by("joined_at", "id").values_list("user_id", flat=True)
    )
    stored = Rota.objects.filter(group=group).first()
    last = last_session(group, now)
    last_ids = list(last.facilitators.values_list("pk", flat=True)) if last else []
    fresh = stored is not None and stored.after_session_id == (last.pk if last else None)
    return arrange(
        arrival, stored.order if stored else [], last_ids, fresh, newcomers(group)
    )


def neighbours(group: Group, when: datetime) -> set[int]:
    """The facilitators of the sessions just before and just after ``when`` (by date; a
    session whose day passed unheld does not count)."""
    now = timezone.now()
    rows = group.sessions.filter(facilitators__isnull=False).distinct()
    before = next(
        (
            s
            for s in rows.filter(scheduled_at__lte=when).order_by("-scheduled_at", "-id")[:20]
            if s.timing_at(now) != MISSED
        ),
        None,
    )
    after = rows.filter(scheduled_at__gt=when).order_by("scheduled_at", "id").first()
    return {
        u
        for s in (before, after)
        if s is not None
        for u in s.facilitators.values_list("pk", flat=True)
    }


def order_at(group: Group, when: datetime | None = None) -> list[int]:
    """The rota for a session on ``when`` (now by default): the queue, with the people who
    facilitate the session just before or just after that date put last, so that nobody
    leads two sessions in a row, whatever order the sessions were scheduled in (two series
    overlapping, a session inserted before others)."""
    order = queue(group)
    close = neighbours(group, when or timezone.now())
    return [u for u in order if u not in close] + [u for u in order if u in close]


def next_facilitator(group: Group, when: datetime | None = None) -> int | None:
    """Who the rota proposes for a session on ``when`` (a session scheduled now, by default:
    not whoever just held one, nor whoever leads the next one)."""
    order = order_at(group, when)
    return order[0] if order else None


def _store(group: Group, order: list[int]) -> None:
    last = last_session(group)
    Rota.objects.update_or_create(
        group=group,
        defaults={
            "order": order,
            "after_session_id": last.pk if last else None,
            "changed_at": timezone.now(),
        },
    )


def _tell_next(group: Group, before: list[int], after: list[int], actor) -> None:
    """When a change makes someone else next, e-mail them (only them), unless they made it."""
    if not after or (before and before[0] == after[0]) or after[0] == actor.pk:
        return
    person = User.objects.filter(pk=after[0], is_active=True).first()
    if person is None:
        return
    emails.send(
        "rota_next",
        person,
        {
            "group": group.name,
            "url": settings.SITE_URL + reverse("group_detail", args=[group.pk]),
        },
    )


# --- The group page's section ---------------------------------------------------------------


def context_for(group: Group, user, membership: Membership, upcoming: list[Session]) -> dict:
    """What the group page's « Animation tournante » section shows to ``user``."""
    order = order_at(group)
    fresh = newcomers(group)
    people = {
        m.user_id: m
        for m in group.memberships.active().select_related("user").filter(user_id__in=order)
    }
    scheduled = [s for s in upcoming if s.facilitators.exists()]
    for s in scheduled:
        s.rota_names = [u.name for u in s.facilitators.all()]  # type: ignore[attr-defined]
    history = held(group)
    eligible = [u for u in order if u not in fresh]
    rows = [
        {
            "member": people[u],
            "newcomer": u in fresh,
            "can_skip": u in eligible[:-1]
            and (membership.is_organiser or u == user.pk),
        }
        for u in order
        if u in people
    ]
    mine_next = next((s for s in scheduled if user.pk in {f.pk for f in s.facilitators.all()}),
                     None)
    return {
        "rows": rows,
        "scheduled": scheduled,
        "history": history,
        "can_swap": membership.is_organiser and len(rows) > 1,
        "my_session": mine_next if scheduled and mine_next == scheduled[0] else None,
        "my_turn": bool(order) and order[0] == user.pk,
    }


def leading_next(user, upcoming: list[Session]) -> list[Session]:
    """Among ``upcoming`` (the next first), each group's next session that ``user``
    facilitates: what the home page tells them (« C’est vous qui animez… »)."""
    firsts: dict[int, Session] = {}
    for session in upcoming:
        firsts.setdefault(session.group_id, session)
    mine = set(
        Session.facilitators.through.objects.filter(
            user_id=user.pk, session_id__in=[s.pk for s in firsts.values()]
        ).values_list("session_id", flat=True)
    )
    return [s for s in firsts.values() if s.pk in mine]


# --- Views ----------------------------------------------------------------------------------


def _member_of(group_pk: int, member_pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.active().select_related("user", "group"),
        pk=member_pk,
        group_id=group_pk,
    )


def _not_rotating(request, group: Group):
    messages.error(request, _("Ce groupe n’a pas d’animation tournante."))
    return redirect("group_detail", pk=group.pk)


ERRORS = {
    "not_in_rota": gettext_lazy("Cette personne n’est pas dans l’ordre de l’animation."),
    "already_last": gettext_lazy("Cette personne est déjà la dernière à animer."),
    "same_person": gettext_lazy("Choisissez deux personnes différentes."),
}


@login_required
@never_cache
def rota_skip(request, pk, member_pk):
    """GET asks for confirmation, POST passes the person's turn: they go after the person
    who followed them. Organisers skip anyone; a member, only themselves."""
    membership = get_membership_or_404(request.user, pk)
    member = _member_of(pk, member_pk)
    if not (membership.is_organiser or member.user_id == request.user.pk):
        raise Http404
    group = membership.group
    if group.facilitation != "rotating":
        return _not_rotating(request, group)
    if request.method == "POST":
        with transaction.atomic():
            group = Group.objects.select_for_update().get(pk=group.pk)
            before = queue(group)
            try:
                after = skip(before, member.user_id, newcomers(group))
            except RotaError as exc:
                messages.error(request, ERRORS[str(exc)])
                return redirect(reverse("group_detail", args=[pk]) + "#rota")
            _store(group, after)
            _tell_next(group, before, queue(group), request.user)
        if member.user_id == request.user.pk:
            messages.success(request, _("Vous passez votre tour ; vous animerez un peu plus tard."))
        else:
            messages.success(
                request,
                _("%(name)s passe son tour ; il ou elle animera un peu plus tard.")
                % {"name": member.user.name},
            )
        return redirect(reverse("group_detail", args=[pk]) + "#rota")
    return render(
        request,
        "sessions_app/rota_skip.html",
        {"group": group, "member": member, "myself": member.user_id == request.user.pk},
    )


class SwapForm(forms.Form):
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


@login_required
@require_POST
def rota_swap(request, pk):
    """Two people exchange their places in the rota (organisers only)."""
    membership = get_membership_or_404(request.user, pk)
    if not membership.is_organiser:
        raise Http404
    group = membership.group
    if group.facilitation != "rotating":
        return _not_rotating(request, group)
    form = SwapForm(request.POST, group=group)
    if not form.is_valid():
        messages.error(request, _("Choisissez les deux personnes dont les places s’échangent."))
        return redirect(reverse("group_detail", args=[pk]) + "#rota")
    first, second = form.cleaned_data["first"], form.cleaned_data["second"]
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        before = queue(group)
        try:
            after = swap(before, first.user_id, second.user_id)
        except RotaError as exc:
            messages.error(request, ERRORS[str(exc)])
            return redirect(reverse("group_detail", args=[pk]) + "#rota")
        _store(group, after)
        _tell_next(group, before, queue(group), request.user)
    messages.success(
        request,
        _("%(first)s et %(second)s ont échangé leurs places.")
        % {"first": first.user.name, "second": second.user.name},
    )
    return redirect(reverse("group_detail", args=[pk]) + "#rota")
