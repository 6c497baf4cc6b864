"""Signals other apps listen to (participants never imports them)."""

from django.dispatch import Signal

# Sent inside the transaction that removes a member: membership=<Membership>.
member_removed = Signal()
