"""What sessions do when people leave: participants sends the signals, sessions listen."""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from participants.models import Group, Membership, User
from participants.signals import member_removed, user_deactivated

from . import live
from .actions.scheduling import do_leave_coming_sessions
from .models import Session, bump_rosters


@receiver(member_removed, dispatch_uid="sessions_app.leave_coming_sessions")
def _leave_coming_sessions(sender, membership, **kwargs):
    # Their seats go to the waitlists; the group's facilitators take over their sessions.
    do_leave_coming_sessions(membership, timezone.now())


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


# --- The roster a session holds (``snapshot.roster_of``): moved on at every change of it ------

# What of an account the roster shows or depends on.
_ROSTER_FIELDS = {"display_name", "email", "is_active"}


@receiver(post_save, sender=Membership, dispatch_uid="sessions_app.roster_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="sessions_app.roster_membership_deleted")
def _membership_changed(sender, instance, **kwargs):
    # Joined, removed, a new role: who is seated and who drives.
    bump_rosters(Session.objects.filter(group_id=instance.group_id))


@receiver(post_save, sender=Group, dispatch_uid="sessions_app.roster_group_saved")
def _group_changed(sender, instance, created, **kwargs):
    # Its facilitation decides who drives when nobody is named.
    if not created:
        bump_rosters(Session.objects.filter(group_id=instance.pk))


@receiver(post_save, sender=User, dispatch_uid="sessions_app.roster_user_saved")
def _user_changed(sender, instance, created, update_fields=None, **kwargs):
    # A new name shows in the sessions of the person's groups (not a sign-in's last_login).
    if created or (update_fields is not None and not _ROSTER_FIELDS & set(update_fields)):
        return
    groups = Membership.objects.filter(user_id=instance.pk).values("group_id")
    bump_rosters(Session.objects.filter(group_id__in=groups))


@receiver(
    m2m_changed, sender=Session.facilitators.through, dispatch_uid="sessions_app.roster_named"
)
def _facilitators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        bump_rosters(Session.objects.filter(pk=instance.pk))
    elif pk_set:
        bump_rosters(Session.objects.filter(pk__in=pk_set))
    else:  # a person's sessions all cleared at once
        bump_rosters(Session.objects.filter(group__memberships__user_id=instance.pk))
