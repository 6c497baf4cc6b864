"""A member's own figures in the « Bilan » (« Mon parcours »): their sessions, subjects and
actions in the group, shown to them alone.

Counted as the group's figures are (``figures``): from the structure of the history, never
from what was said. ``personal_figures`` runs ``PERSONAL_QUERIES`` queries, however many
sessions the group has had.

The caller checks permissions: the group is one the person may see.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from sessions_app import flow
from sessions_app.models import Action, Session, Subject

PERSONAL_QUERIES = 3


@dataclass(frozen=True)
class PersonalFigures:
    sessions_attended: int
    subjects_proposed: int
    subjects_handled: int
    subjects_waiting: int
    actions_open: int
    actions_done: int
    actions_dropped: int


def personal_figures(user, group) -> PersonalFigures:
    """``user``'s own sessions, subjects and actions in ``group``: theirs only."""
    attended = sum(
        user.pk in flow.Structure.from_data(tally).present
        for tally in Session.objects.filter(  # 1
            group=group, stage="ended"
        ).values_list("tally", flat=True)
    )
    subjects = Subject.objects.filter(group=group, owner=user).aggregate(  # 2
        proposed=Count("id"),
        handled=Count("id", filter=Q(status="handled")),
        waiting=Count("id", filter=Q(status="open")),
    )
    actions = Action.objects.filter(subject__group=group, owner=user).aggregate(  # 3
        open=Count("id", filter=Q(status__in=(Action.TODO, Action.DOING))),
        done=Count("id", filter=Q(status=Action.DONE)),
        dropped=Count("id", filter=Q(status=Action.DROPPED)),
    )
    return PersonalFigures(
        sessions_attended=attended,
        subjects_proposed=subjects["proposed"],
        subjects_handled=subjects["handled"],
        subjects_waiting=subjects["waiting"],
        actions_open=actions["open"],
        actions_done=actions["done"],
        actions_dropped=actions["dropped"],
    )
