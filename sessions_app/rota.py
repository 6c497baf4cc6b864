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

When the group chooses it (``Group.rota_timekeeper``), the rota also proposes who keeps time
(the gardien·ne du temps of codev, seed 003): the person after the facilitator in the queue,
who thus leads the session after, having watched the clocks of this one.

The person is told: when a session is scheduled with them as facilitator, the « séance
programmée » e-mail they receive says so (``emails.session_scheduled``); when a skip or a swap
makes them next, an e-mail to them alone says so; their group page says it too.

This module holds the rules, on plain lists of user ids (no query, no clock):
``rota_queries`` reads the rota from the database, ``actions.rota`` skips and swaps,
``views.rota`` is its pages.
"""


class RotaError(Exception):
    """A skip or a swap that the rota cannot make."""


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


def timekeeper(queue: list[int]) -> int | None:
    """Who the rota proposes to keep time at the next session: the person after the
    facilitator in ``queue``; None when nobody else is in it."""
    return queue[1] if len(queue) > 1 else None


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
