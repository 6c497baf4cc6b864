"""The rota read from the database: whom it proposes now or for a date, who facilitated
before, and what the group page and the home page say of it.

The rules themselves (``rota.arrange``) take plain lists; here is only what feeds them: the
active members by arrival, the order a skip or a swap stored (``models.Rota``), the
facilitators of the group's last session, the newcomers. See ``rota`` for the whole story.
"""

from datetime import datetime

from django.utils import timezone

from participants.models import Group, Membership

from .models import ENDED, MISSED, Rota, Session
from .rota import arrange, timekeeper


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


# --- What the pages say of it ------------------------------------------------------------


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
    keeper = timekeeper(order) if group.rota_timekeeper else None
    rows = [
        {
            "member": people[u],
            "newcomer": u in fresh,
            "can_skip": u in eligible[:-1]
            and (membership.is_organiser or u == user.pk),
            "timekeeper": u == keeper,
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
        "my_time": keeper is not None and keeper == user.pk,
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
