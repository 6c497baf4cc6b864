"""A member's own figures in the « Bilan » (« Mon parcours »): their sessions, subjects and
actions in the group, the ideas they kept and how many of their proposals others kept, shown
to them alone.

Counted as the group's figures are (``figures``): from the structure of the history, never
from what was said. ``personal_figures`` runs ``PERSONAL_QUERIES`` queries, however many
sessions the group has had.

The caller checks permissions: the group is one the person may see.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from sessions_app import flow
from sessions_app.models import Action, Contribution, Session, Subject

# Sessions, subjects, actions, and the ideas kept (the fourth, since the client keeps ideas).
PERSONAL_QUERIES = 4


@dataclass(frozen=True)
class PersonalFigures:
    sessions_attended: int
    subjects_proposed: int
    subjects_handled: int
    subjects_waiting: int
    actions_open: int
    actions_done: int
    actions_dropped: int
    ideas_kept: int = 0  # ideas I kept from what the group said on my subjects
    proposals_kept: int = 0  # what I said on others' subjects that they kept


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
    kept = Contribution.objects.filter(subject__group=group, taken=True).aggregate(  # 4
        mine=Count("id", filter=Q(subject__owner=user)),
        given=Count("id", filter=Q(person=user) & ~Q(subject__owner=user)),
    )
    return PersonalFigures(
        sessions_attended=attended,
        subjects_proposed=subjects["proposed"],
        subjects_handled=subjects["handled"],
        subjects_waiting=subjects["waiting"],
        actions_open=actions["open"],
        actions_done=actions["done"],
        actions_dropped=actions["dropped"],
        ideas_kept=kept["mine"],
        proposals_kept=kept["given"],
    )
