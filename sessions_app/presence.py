"""Who takes a seat at the table when they arrive on a session's live page.

The rules of the table itself (late arrivals join at the next round, absent people are
skipped, an absent owner's subject waits) are in ``flow``; this decides, from the database,
whether opening the page seats the person:

- a session before its day (« à venir », not open yet) is shown, nobody is seated;
- someone marked absent who opens the page is back at the table;
- registration is the expected table: a registered member is seated; a member on the
  waitlist is not (the page says so; a freed seat promotes them, see ``scheduling``); a
  member who did not register is seated while the group's capacity leaves room for them
  beside those registered;
- the facilitators of a session are seated when the session says they take part (and
  leave the table at once when an edit stops saying so: ``facilitators_leave_the_table``);
  in a self-managed group every member is seated (everybody may drive there).

The facilitator can still seat anyone by hand (``join`` with a ``person``).
"""

import time

from participants.models import User

from . import flow, live
from .models import UPCOMING, Registration, Session
from .snapshot import Snapshot, build

# Why opening the page did not seat someone (the page says it, in ``session.html``).
NOT_OPEN, WAITLIST, FULL, DRIVES = "not_open", "waitlist", "full", "drives"


def not_seated_because(session: Session, user: User, snap: Snapshot) -> str:
    """Why ``user`` opening the page does not take a seat, or "" when it does."""
    state = flow.State.from_dict(snap["state"])
    if state.stage == "ended":
        return ""
    if session.timing == UPCOMING and not session.is_joinable:
        return NOT_OPEN
    seating = state.seating
    if user.pk in seating:
        return ""
    if (
        user.pk in snap["facilitators"]
        and session.group.facilitation != "self"
        and not session.facilitators_take_part
    ):
        return DRIVES
    registrations = dict(session.registrations.values_list("user_id", "status"))
    status = registrations.get(user.pk)
    if status == Registration.REGISTERED:
        return ""
    if status == Registration.WAITLIST:
        return WAITLIST
    expected = {pid for pid, s in registrations.items() if s == Registration.REGISTERED}
    if len(expected | set(seating)) >= session.group.capacity:
        return FULL
    return ""


def seat_on_open(session: Session, user: User) -> tuple[Snapshot, str]:
    """The snapshot after ``user`` opened the page (seated, or back from absent, when the
    rules above allow it) and why they are not seated, if they are not."""
    snap = build(session)
    reason = not_seated_because(session, user, snap)
    here = flow.at_table(snap["state"], user.pk)
    if reason or here or flow.stage_and_times(snap["state"])[0] == "ended":
        return snap, reason
    try:
        snap = live.apply(session.pk, user, {"type": "join"}, None, now=time.time())
    except flow.FlowError:
        pass
    return snap, ""


def facilitators_leave_the_table(session: Session, user: User) -> None:
    """The session no longer says its facilitators take part: those seated leave the table
    at once (``unseat``, a rule of ``flow``, applied and broadcast by ``live.apply``), on
    behalf of ``user``, who may schedule the session. In a self-managed group everyone
    drives and sits: nothing changes there."""
    if session.group.facilitation == "self":
        return
    seating = session.flow_state().seating
    for person in session.facilitators.filter(pk__in=seating).values_list("pk", flat=True):
        try:
            live.apply(session.pk, user, {"type": "unseat", "person": person}, None,
                       facilitator=True, now=time.time())
        except flow.FlowError:
            pass  # the session ended, or her subject is in progress: she stays till then
