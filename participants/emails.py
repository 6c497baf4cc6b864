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


def _send_now(message: EmailMessage) -> None:
    if "smtp" in settings.EMAIL_BACKEND:
        threading.Thread(target=_deliver, args=(message,), daemon=True).start()
    else:
        _deliver(message)


def send(template: str, to: str, context: dict) -> None:
    """Render ``emails/<template>.txt`` (first line: subject) and send it to one address
    once the current transaction commits."""
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        text = render_to_string(f"emails/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    message = EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[to])
    transaction.on_commit(lambda: _send_now(message))
