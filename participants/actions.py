"""The writes of participants that span several rows or send e-mail (as Zulip's
``zerver/actions``): each ``do_*`` verb runs in one transaction, its e-mails leaving once it
commits (``emails``). The views check who may act and validate; these take the acting person,
the objects, and the time when it matters, never a request.

Writes of one row stay on the model (``Membership.remove``, ``Invitation.accept``,
``User.deactivate``, each with the signal the other apps listen to).
"""

from datetime import datetime

from django.db import transaction

from . import emails
from .models import Application, Group, Invitation, Membership, User


def do_create_group(group: Group, creator: User, *, now: datetime) -> Group:
    """Save the new ``group`` with ``creator`` as its first organiser, its charter accepted."""
    with transaction.atomic():
        group.save()
        Membership.objects.create(
            group=group, user=creator, role=Membership.ORGANISER, charter_accepted_at=now
        )
    return group


def do_remove_member(member: Membership) -> None:
    """Take the person out of the group, and what the other apps hold of their place in it
    (``member_removed``), at once."""
    with transaction.atomic():
        member.remove()


def do_change_password(user: User, password: str, *, language: str | None) -> None:
    """Set ``user``'s password and tell them by e-mail (in ``language``, the page's, unless
    they chose one for e-mails), so that a change they did not make does not go unnoticed."""
    first = not user.has_usable_password()
    with transaction.atomic():
        user.set_password(password)
        user.save()
        emails.password_changed(user, first=first, language=language)


# --- Invitations --------------------------------------------------------------------------


def do_send_invitation(
    group: Group,
    email: str,
    invited_by: User | None = None,
    application: Application | None = None,
) -> Invitation:
    """Issue a personal invitation to ``email`` and mail its link (an approved
    ``application``'s reply comes in the language the applicant wrote in)."""
    invitation, token = Invitation.issue(group, email, invited_by, application)
    emails.invitation(invitation, token, language=application.language if application else None)
    return invitation


def do_invite(group: Group, addresses: list[str], invited_by: User) -> None:
    """One invitation, and one e-mail, per address."""
    with transaction.atomic():
        for email in addresses:
            do_send_invitation(group, email, invited_by)


# --- Applications -------------------------------------------------------------------------


def do_apply(
    group: Group, *, name: str, email: str, answers: list[dict[str, str]], language: str
) -> None:
    """Record an application to ``group`` and tell the applicant and the organisers; nothing
    when the address already has one pending or is a member (the page answers the same)."""
    with transaction.atomic():
        pending = group.applications.filter(email=email, status=Application.PENDING).exists()
        already = group.memberships.active().filter(user__email=email).exists()
        if pending or already:
            return
        application = Application.objects.create(
            group=group, name=name, email=email, answers=answers, language=language
        )
        emails.application_received(application)
        organisers = (
            group.memberships.active().filter(role=Membership.ORGANISER).select_related("user")
        )
        for m in organisers:
            emails.application_new(m.user, application)


def do_decide_application(
    application: Application, decision: str, *, reason: str, decided_by: User, now: datetime
) -> bool:
    """Approve (a personal invitation leaves) or reject (a neutral e-mail) a pending
    ``application`` (its group selected with it); False when another organiser decided
    first, and nothing is sent."""
    with transaction.atomic():
        updated = Application.objects.filter(pk=application.pk, status=Application.PENDING).update(
            status=decision, reason=reason, decided_by=decided_by, decided_at=now
        )
        if updated and decision == Application.APPROVED:
            do_send_invitation(application.group, application.email, decided_by, application)
        elif updated:
            emails.application_rejected(application)
    return bool(updated)
