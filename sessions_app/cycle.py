"""Between sessions: what each person takes away from a session.

After a session, every member finds on their own pages the subjects handled and the
learnings round; a subject owner also finds every contribution they received, what they took
into their panier with their notes, and their action plan (seeds 002, 003). The pages are in
``views.cycle``.

Contribution texts stay inside the group (members only, 404 for anyone else); an owner's
panier notes and plan are theirs: nobody else reads them on these pages.
"""

from dataclasses import dataclass

from django.db.models import Q

from participants.models import User

from .models import Action, Contribution, Session, Subject
from .texts import KIND_LABELS


@dataclass
class Takeaway:
    """« Ce que j'emporte »: a session's harvest, as one person reads it."""

    handled: list[Subject]
    # Per subject of the person's own: the subject, the contributions it received and the
    # person's actions on it.
    mine: list[dict]
    learnings: list[dict]


def takeaway(session: Session, user: User) -> Takeaway:
    """The subjects ``session`` handled, the learnings round and, for each subject ``user``
    brought, what the group brought them and their actions (three queries)."""
    handled = list(session.handled_subjects.select_related("owner").order_by("id"))
    mine: dict[int, dict] = {
        s.pk: {"subject": s, "contributions": [], "actions": []}
        for s in handled
        if s.owner_id == user.pk
    }
    learnings = []
    said = Contribution.objects.filter(
        Q(subject_id__in=list(mine)) | (Q(kind="learning") & ~Q(text="")), session=session
    )
    for c in said.select_related("person").order_by("subject_id", "n"):
        item = {"c": c, "name": c.person.name, "kind": KIND_LABELS.get(c.kind, c.kind)}
        # What the group brought: not the owner's own words (their « demande » in codev).
        if (
            c.subject_id in mine
            and c.kind not in ("pass", "absent", "learning")
            and c.person_id != user.pk
        ):
            mine[c.subject_id]["contributions"].append(item)
        if c.kind == "learning" and c.text:
            learnings.append(item)
    for action in Action.objects.of(user).filter(session=session):
        if action.subject_id in mine:
            mine[action.subject_id]["actions"].append(action)
    return Takeaway(handled=handled, mine=list(mine.values()), learnings=learnings)
