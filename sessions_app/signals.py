"""What sessions do when people leave: participants sends the signals, sessions listen."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from participants.signals import member_removed, user_deactivated

from . import live, scheduling


@receiver(member_removed, dispatch_uid="sessions_app.leave_coming_sessions")
def _leave_coming_sessions(sender, membership, **kwargs):
    scheduling.on_member_removed(sender, membership, **kwargs)


@receiver(member_removed, dispatch_uid="sessions_app.revoke_removed_member")
def _revoke_removed_member(sender, membership, **kwargs):
    live.revoke_access(membership.user_id, membership.group_id)


@receiver(user_logged_out, dispatch_uid="sessions_app.revoke_logged_out_user")
def _revoke_logged_out_user(sender, request, user, **kwargs):
    # Open live pages keep the session they read at connect: close them too.
    if user is not None:
        live.revoke_access(user.pk, None)


@receiver(user_deactivated, dispatch_uid="sessions_app.revoke_deactivated_user")
def _revoke_deactivated_user(sender, user, **kwargs):
    live.revoke_access(user.pk, None)
