"""Changing a rotating group's rota: a skip or a swap, and the person it makes next told.

Each holds the group's row lock while it reads the queue, applies the rule
(``rota.skip``, ``rota.swap``) and stores the new order, so two changes at once apply one
after the other; the e-mail leaves after the commit. A change the rules refuse raises
``rota.RotaError`` and writes nothing.
"""

from django.db import transaction
from django.utils import timezone

from participants.models import Group, User

from .. import emails, rota, rota_queries
from ..models import Rota


def do_skip_turn(group: Group, user_id: int, actor: User) -> None:
    """``user_id`` passes their turn: they go after the person who followed them."""
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        before = rota_queries.queue(group)
        after = rota.skip(before, user_id, rota_queries.newcomers(group))
        _store(group, after)
        _tell_next(group, before, rota_queries.queue(group), actor)


def do_swap_places(group: Group, first_id: int, second_id: int, actor: User) -> None:
    """``first_id`` and ``second_id`` exchange their places in the rota."""
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        before = rota_queries.queue(group)
        after = rota.swap(before, first_id, second_id)
        _store(group, after)
        _tell_next(group, before, rota_queries.queue(group), actor)


def _store(group: Group, order: list[int]) -> None:
    last = rota_queries.last_session(group)
    Rota.objects.update_or_create(
        group=group,
        defaults={
            "order": order,
            "after_session_id": last.pk if last else None,
            "changed_at": timezone.now(),
        },
    )


def _tell_next(group: Group, before: list[int], after: list[int], actor: User) -> None:
    """When a change makes someone else next, e-mail them (only them), unless they made it."""
    if not after or (before and before[0] == after[0]) or after[0] == actor.pk:
        return
    person = User.objects.filter(pk=after[0], is_active=True).first()
    if person is None:
        return
    emails.rota_next(group, person)
