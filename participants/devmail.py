"""E-mails in development: one readable line each on the console, the whole e-mail on a page.

The console backend prints every message as raw MIME (encoded subjects, base64 calendar
files): some 150 lines for the demo's reminders, hiding the sign-in links. In development
(``DEBUG`` on, no ``EMAIL_BACKEND`` set) messages go to ``OutboxBackend`` instead: it prints
« À : … — Objet : … » and the address of the message on the outbox page, and keeps the
message as an ``.eml`` file in ``DEV_OUTBOX_DIR`` (``var/outbox/`` by default), which the page
``/dev/outbox/`` lists and shows in full, attachments included.

The page exists with ``DEBUG`` on only (404 otherwise, as for any page one may not see): the
messages hold sign-in and invitation links. It is ``participants.views.outbox``.
"""

import re
import sys
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

# The name of a kept message (its file's, and its address on the outbox page).
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
