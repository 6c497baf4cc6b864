"""The owner's follow-up of an action between sessions: its latest status and note on the
action, and each change kept in its history (``ActionReport``, with no session)."""

from datetime import date

from django.db import transaction

from ..models import Action, ActionReport


def do_follow_up(action: Action, *, status: str, note: str, review_on: date | None) -> None:
    """Saves what the owner wrote on ``action``; when its status or note changed, the
    change joins the action's history, as the report back's reports do."""
    with transaction.atomic():
        before = (
            Action.objects.select_for_update().values_list("status", "note").get(pk=action.pk)
        )
        action.status, action.note, action.review_on = status, note, review_on
        action.save(update_fields=["status", "note", "review_on", "updated_at"])
        if (status, note) != before:
            ActionReport.objects.create(action=action, status=status, note=note)
