"""The development outbox's pages: the e-mails ``participants.devmail.OutboxBackend`` kept,
listed and shown in full. With ``DEBUG`` off they are a 404 (the messages hold sign-in and
invitation links)."""

import email
import email.policy
from email.message import EmailMessage as ParsedMessage
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..devmail import NAME, outbox_dir


def _read(path: Path) -> ParsedMessage:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, ParsedMessage)
    return parsed


def _development_only() -> None:
    if not settings.DEBUG:
        raise Http404


@never_cache
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The e-mails sent in development, the latest first."""
    _development_only()
    folder = outbox_dir()
    paths = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.is_dir() else []
    items = []
    for path in paths:
        parsed = _read(path)
        items.append(
            {
                "name": path.stem,
                "to": parsed["To"],
                "subject": parsed["Subject"],
                "date": parsed["Date"],
            }
        )
    return render(request, "participants/dev_outbox.html", {"items": items})


@never_cache
@require_GET
def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
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
