"""The writes of the organisers' format pages that touch several rows."""

from django.db import transaction

from ..models import Format


def do_save_format(fmt: Format) -> None:
    """Saves ``fmt`` as edited; a group has one default format at most, so when ``fmt``
    becomes it, the group's other formats stop being it, in the same transaction."""
    with transaction.atomic():
        if fmt.is_default:
            Format.objects.filter(group_id=fmt.group_id).exclude(pk=fmt.pk).update(
                is_default=False
            )
        fmt.save()
