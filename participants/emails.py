"""E-mails: one message per recipient, sent after the transaction commits, never blocking a page.

With an SMTP backend the message leaves from a short-lived thread, so a slow mail server
delays nobody's page; other backends (console, locmem in tests) send at once. A failure is
logged without the message's content: it may hold a sign-in or invitation token.

Each message is written in its recipient's language, not in that of whoever acts (an
organiser browsing in English cancels a session: the French members read French), and so
is its calendar file: ``send`` is the one place that chooses it.
"""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

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
