"""The Subject, Contribution and Action tables kept in step with a session's state.

The state (``Session.state``) is the truth of a running session; these rows are what the
group's backlog, the logbook, « Mes actions » and the Bilan query. ``live.apply`` calls
``mirror`` with the state before and after each command, in the command's transaction: a
proposal, a subject handled (its contributions and its plan), the votes of the group's
choice, a report back (each report kept as an ``ActionReport``), and their undo.
"""

from datetime import date

from . import flow
from .models import Action, ActionReport, Contribution, Session, Subject


def mirror(session: Session, old: flow.State, new: flow.State) -> None:
    """Keep the Subject and Contribution tables in step with the state."""
    before = {s.id: s for s in old.subjects}
    after = {s.id: s for s in new.subjects}
    # A proposal taken back by undo: the subject was never proposed.
    dropped = [sid for sid in before if sid not in after]
    if dropped:
        Subject.objects.filter(pk__in=dropped, proposed_in=session).delete()
    changed = [s for sid, s in after.items() if before.get(sid) != s and sid in before]
    newly_handled = [sid for sid in new.handled if sid not in old.handled]
    unhandled = [sid for sid in old.handled if sid not in new.handled]
    if unhandled:
        Contribution.objects.filter(session=session, subject_id__in=unhandled).delete()
        Action.objects.filter(session=session, subject_id__in=unhandled).delete()
        Subject.objects.filter(pk__in=unhandled).update(handled_in=None)
    for subject in changed:
        fields: dict[str, object] = {
            "status": subject.status, "urgent": subject.urgent, "votes": subject.votes
        }
        if subject.id in newly_handled:
            fields["handled_in"] = session
        Subject.objects.filter(pk=subject.id).update(**fields)
    _mirror_reports(session, old, new)
    for sid in newly_handled:
        Action.objects.bulk_create(
            Action(
                subject_id=sid,
                session=session,
                owner_id=after[sid].owner,
                position=i,
                text=item.text,
                sign=item.sign,
                review_on=date.fromisoformat(item.due) if item.due else None,
            )
            for i, item in enumerate(new.actions)
        )
    for sid in newly_handled:
        Contribution.objects.bulk_create(
            Contribution(
                session=session,
                subject_id=sid,
                person_id=c.person,
                n=c.n,
                phase=c.phase,
                round=c.round,
                kind=c.kind,
                text=c.text,
                taken=c.taken,
                note=c.note,
            )
            for c in new.contributions
        )


def _mirror_reports(session: Session, old: flow.State, new: flow.State) -> None:
    """What the report back said of each action: the latest on the action itself, and each
    report kept in its history (undo included)."""
    said = {o.action: o for o in new.outcomes}
    taken_back = [o.action for o in old.outcomes if o.action not in said]
    plans = {a.id: a for a in new.plans}
    for outcome in new.outcomes:
        if outcome not in old.outcomes:
            fields: dict[str, object] = {"status": outcome.status, "reported_in": session}
            if outcome.note:
                fields["note"] = outcome.note
            if Action.objects.filter(pk=outcome.action).update(**fields):
                # One report per action and session: ``flow`` takes one at most.
                ActionReport.objects.create(
                    action_id=outcome.action,
                    session=session,
                    status=outcome.status,
                    note=outcome.note,
                )
    if taken_back:
        ActionReport.objects.filter(session=session, action_id__in=taken_back).delete()
    for action_id in taken_back:
        plan = plans.get(action_id)
        if plan is not None:
            Action.objects.filter(pk=action_id).update(
                status=plan.status, note=plan.note, reported_in=None
            )
