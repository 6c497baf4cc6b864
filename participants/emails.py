"""E-mails: one message per recipient, sent after the transaction commits, never blocking a page.

With an SMTP backend the message leaves from a short-lived thread, so a slow mail server
delays nobody's page; other backends (console, locmem in tests) send at once. A failure is
logged without the message's content: it may hold a sign-in or invitation token.

Each message is written in its recipient's language, not in that of whoever acts (an
organiser browsing in English cancels a session: the French members read French), and so
is its calendar file: ``send`` is the one place that chooses it.

Below ``send``, one function per e-mail of participants, named after its template (as
healthchecks' ``hc/lib/emails.py``): it gathers the template's context and who receives it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

if TYPE_CHECKING:
    from .models import Application, Invitation, User

log = logging.getLogger(__name__)


def _deliver(message: EmailMessage) -> None:
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - a mail failure must never break a page
        log.error("e-mail could not be sent (%s)", exc.__class__.__name__)


# Messages on their way to the SMTP server, so that a short-lived process can wait for them.
_outgoing: set[threading.Thread] = set()


def _send_now(message: EmailMessage) -> None:
    if "smtp" in settings.EMAIL_BACKEND:
        thread = threading.Thread(target=_deliver, args=(message,), daemon=True)
        thread.start()
        for done in [t for t in _outgoing if not t.is_alive()]:
            _outgoing.discard(done)
        _outgoing.add(thread)
    else:
        _deliver(message)


def wait_for_outgoing(timeout: float = 60) -> None:
    """Block until the messages handed to SMTP threads have left (or ``timeout`` passed):
    a command that exits right after sending would otherwise lose them."""
    for thread in list(_outgoing):
        thread.join(timeout)
        _outgoing.discard(thread)


Content = str | Callable[[], str]


def recipient_language(to, language: str | None = None) -> tuple[str, str]:
    """The address and the language of an e-mail to ``to`` (a user, or an address).

    A person with an account reads the language they chose in « Mon compte »; otherwise
    ``language``, the one they are using right now when known (the page they asked from),
    else the one they last used. Someone without an account reads ``language``, else the
    language of whoever makes the e-mail leave (an inviter's, for want of anything better).
    """
    from .language import SUPPORTED, of
    from .models import User

    if isinstance(to, str):
        address = to
        user = User.objects.filter(email=to.strip().lower(), is_active=True).first()
    else:
        address, user = to.email, to
    if language not in SUPPORTED:
        language = None
    if user is not None:
        return address, of(user) if user.language_chosen or not language else language
    return address, language or translation.get_language() or settings.LANGUAGE_CODE


def send(
    template: str,
    to,
    context: dict | Callable[[], dict],
    attachments: list[tuple[str, Content, str]] | None = None,
    *,
    language: str | None = None,
) -> None:
    """Render ``emails/<template>.txt`` (first line: subject) in the recipient's language and
    send it to them once the current transaction commits.

    ``to`` is a user or an address (see ``recipient_language``; ``language`` is the one the
    recipient is using now, when known). What depends on the language is made under it:
    ``context`` may be a function returning the template's context, and each attachment
    (filename, content, mimetype) may have a function as its content (a calendar file)."""
    address, chosen = recipient_language(to, language)
    with translation.override(chosen):
        values = context() if callable(context) else context
        text = render_to_string(f"emails/{template}.txt", values).strip()
        files = [
            (name, content() if callable(content) else content, mimetype)
            for name, content, mimetype in attachments or []
        ]
    subject, _, body = text.partition("\n")
    message = EmailMessage(
        subject=subject.strip(), body=body.strip() + "\n", to=[address], attachments=files
    )
    transaction.on_commit(lambda: _send_now(message))


# --- The e-mails of participants ----------------------------------------------------------


def login_link(user: User, token: str, *, language: str | None = None) -> None:
    """A sign-in link; ``language``: that of the page it was asked from."""
    url = settings.SITE_URL + reverse("login_link", args=[token])
    send(
        "login_link", user, {"url": url, "minutes": settings.LOGIN_LINK_MINUTES}, language=language
    )


def password_changed(user: User, *, first: bool, language: str | None = None) -> None:
    """The person chose (``first``) or changed their password: if it was not them, they
    learn it here."""
    send(
        "password_changed",
        user,
        {"first": first, "login_url": settings.SITE_URL + reverse("login")},
        language=language,
    )


def invitation(invitation: Invitation, token: str, *, language: str | None = None) -> None:
    """The personal link to join the group, to the invited address: in their language if they
    have an account, else ``language`` (an applicant's), else the inviter's."""
    send(
        "invitation",
        invitation.email,
        {
            "group": invitation.group.name,
            "inviter": invitation.invited_by.name if invitation.invited_by else "",
            "url": settings.SITE_URL + reverse("invitation", args=[token]),
            "days": settings.INVITATION_DAYS,
            "privacy_url": settings.SITE_URL + reverse("privacy"),
        },
        language=language,
    )


def application_received(application: Application) -> None:
    """To the applicant, in the language they applied in."""
    send(
        "application_received",
        application.email,
        {"group": application.group.name, "name": application.name},
        language=application.language,
    )


def application_new(organiser: User, application: Application) -> None:
    """To one of the group's organisers: an application waits for a decision."""
    url = settings.SITE_URL + reverse(
        "group_application", args=[application.group_id, application.pk]
    )
    send("application_new", organiser, {"group": application.group.name, "url": url})


def application_rejected(application: Application) -> None:
    """The neutral answer to a rejected applicant: the reason stays between organisers."""
    send(
        "application_rejected",
        application.email,
        {"group": application.group.name, "name": application.name},
        language=application.language or None,
    )
