"""E-mails: one message per recipient, sent after the transaction commits, never blocking a page.

With an SMTP backend the message leaves from a short-lived thread, so a slow mail server
delays nobody's page; other backends (console, locmem in tests) send at once. A failure is
logged without the message's content: it may hold a sign-in or invitation token.
"""

import logging
import threading

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


def send(
    template: str, to: str, context: dict, attachments: list[tuple[str, str, str]] | None = None
) -> None:
    """Render ``emails/<template>.txt`` (first line: subject) and send it to one address
    once the current transaction commits; ``attachments`` are (filename, content, mimetype)."""
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        text = render_to_string(f"emails/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    message = EmailMessage(
        subject=subject.strip(), body=body.strip() + "\n", to=[to], attachments=attachments
    )
    transaction.on_commit(lambda: _send_now(message))
