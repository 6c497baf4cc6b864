"""E-mails in development: one readable line each on the console, the whole e-mail on a page.

The console backend prints every message as raw MIME (encoded subjects, base64 calendar
files): some 150 lines for the demo's reminders, hiding the sign-in links. In development
(``DEBUG`` on, no ``EMAIL_BACKEND`` set) messages go to ``OutboxBackend`` instead: it prints
« À : … — Objet : … » and the address of the message on the outbox page, and keeps the
message as an ``.eml`` file in ``DEV_OUTBOX_DIR`` (``var/outbox/`` by default), which the page
``/dev/outbox/`` lists and shows in full, attachments included.

The page exists with ``DEBUG`` on only (404 otherwise, as for any page one may not see): the
messages hold sign-in and invitation links.
"""

import email
import email.policy
import re
import sys
import threading
import uuid
from email.message import EmailMessage as ParsedMessage
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

NAME = re.compile(r"[0-9]{8}-[0-9]{12}-[0-9a-f]{8}")


def outbox_dir() -> Path:
    return Path(settings.DEV_OUTBOX_DIR)


class OutboxBackend(BaseEmailBackend):
    """Keeps each message in the outbox folder and prints one line about it."""

    _lock = threading.Lock()

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream

    def send_messages(self, email_messages) -> int:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stream = self.stream or sys.stdout
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S%f}-{uuid.uuid4().hex[:8]}"
            (folder / f"{name}.eml").write_bytes(message.message().as_bytes())
            url = settings.SITE_URL + reverse("dev_outbox_message", args=[name])
            with self._lock:
                stream.write(
                    f"À\u00a0: {', '.join(message.recipients())} — "
                    f"Objet\u00a0: {message.subject} — {url}\n"
                )
                stream.flush()
            sent += 1
        return sent


def _read(path: Path) -> ParsedMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, ParsedMessage)
    return parsed


def _development_only() -> None:
    if not settings.DEBUG:
        raise Http404


@never_cache
@require_GET
def outbox(request):
    """The e-mails sent in development, the latest first."""
    _development_only()
    folder = outbox_dir()
    paths = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.is_dir() else []
    items = []
    for path in paths:
        parsed = _read(path)
        items.append(
            {"name": path.stem, "to": parsed["To"], "subject": parsed["Subject"],
             "date": parsed["Date"]}
        )
    return render(request, "participants/dev_outbox.html", {"items": items})


@never_cache
@require_GET
def outbox_message(request, name):
    """One e-mail in full: its headers, its text and its attachments."""
    _development_only()
    path = outbox_dir() / f"{name}.eml"
    if not NAME.fullmatch(name) or not path.is_file():
        raise Http404
    parsed = _read(path)
    body = parsed.get_body(preferencelist=("plain",))
    attachments = []
    for part in parsed.iter_attachments():
        content = part.get_content()
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        attachments.append(
            {"name": part.get_filename(), "type": part.get_content_type(), "content": content}
        )
    return render(
        request,
        "participants/dev_outbox.html",
        {
            "message": {
                "to": parsed["To"],
                "subject": parsed["Subject"],
                "date": parsed["Date"],
                "body": body.get_content() if body is not None else "",
                "attachments": attachments,
            }
        },
    )
