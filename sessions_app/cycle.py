"""Between sessions: what each person takes away from a session.

After a session, every member finds on their own pages the subjects handled and the
learnings round; a subject owner (the client, in codev) also finds every contribution they
received, what they kept with their notes, the help they asked for (their contract), their
synthesis and their action plan (seeds 002, 003); a consultant finds the proposals they made
on others' subjects and whether the client kept them. The pages are in ``views.cycle``.

Contribution texts stay inside the group (members only, 404 for anyone else); an owner's
notes, contract, synthesis and plan are theirs: nobody else reads them on these pages.
"""

from dataclasses import dataclass

from django.db.models import Q

from participants.models import User

from .models import Action, Contribution, Session, Subject
from .texts import KIND_LABELS

# What the owner says of their own subject: the help they ask for, their synthesis.
OWN_WORDS = ("request", "synthesis")


@dataclass
class Takeaway:
    """« Ce que j'emporte »: a session's harvest, as one person reads it."""

    handled: list[Subject]
    # Per subject of the person's own: the subject, the contributions it received, the
    # ideas kept, their contract and synthesis, and the person's actions on it.
    mine: list[dict]
    learnings: list[dict]
    # Per subject of another: the subject and the proposals the person made on it, each
    # with whether its client kept it (never the client's note).
    proposals: list[dict]


def takeaway(session: Session, user: User) -> Takeaway:
    """The subjects ``session`` handled, the learnings round, for each subject ``user``
    brought what the group brought them, what they kept and their actions, and for each
    subject of another what ``user`` proposed (three queries)."""
    handled = list(session.handled_subjects.select_related("owner").order_by("id"))
    mine: dict[int, dict] = {
        s.pk: {"subject": s, "contributions": [], "kept": [], "request": "", "synthesis": "",
               "actions": []}
        for s in handled
        if s.owner_id == user.pk
    }
    theirs: dict[int, dict] = {
        s.pk: {"subject": s, "proposals": []} for s in handled if s.owner_id != user.pk
    }
    learnings = []
    said = Contribution.objects.filter(
        Q(subject_id__in=list(mine))
        | (Q(kind="learning") & ~Q(text=""))
        | Q(subject_id__in=list(theirs), person=user, kind="suggestion"),
        session=session,
    )
    for c in said.select_related("person").order_by("subject_id", "n"):
        item = {"c": c, "name": c.person.name, "kind": KIND_LABELS.get(c.kind, c.kind)}
        if c.subject_id in mine:
            _add_to_mine(mine[c.subject_id], c, item, user)
        elif c.subject_id in theirs and c.kind == "suggestion" and c.person_id == user.pk:
            # Only what the person said and whether it was kept: the note is the client's.
            theirs[c.subject_id]["proposals"].append({"text": c.text, "kept": c.taken})
        if c.kind == "learning" and c.text:
            learnings.append(item)
    for action in Action.objects.of(user).filter(session=session):
        if action.subject_id in mine:
            mine[action.subject_id]["actions"].append(action)
    return Takeaway(
        handled=handled,
        mine=list(mine.values()),
        learnings=learnings,
        proposals=[t for t in theirs.values() if t["proposals"]],
    )


def _add_to_mine(entry: dict, c: Contribution, item: dict, user: User) -> None:
    """One contribution on the person's own subject, where it belongs on their page."""
    if c.kind in OWN_WORDS:
        if c.person_id == user.pk:
            entry[c.kind] = c.text
        return
    # What the group brought: not the owner's own words, nor passes and absences.
    if c.kind in ("pass", "absent", "learning") or c.person_id == user.pk:
        return
    entry["contributions"].append(item)
    if c.taken:
        entry["kept"].append(item)
