"""Signals other apps listen to (participants never imports them).

Signing out is Django's own ``django.contrib.auth.signals.user_logged_out``.
"""

from django.dispatch import Signal

# Sent inside the transaction that removes a member: membership=<Membership>.
member_removed = Signal()

# Sent inside the transaction that deactivates an account: user=<User>.
user_deactivated = Signal()
