"""The daily purge (a periodic job, see ``manage.py periodic``): what is kept no longer
than needed.

- What was said in a session (questions, reactions, learnings…, and the event log's copies
  of them): ``Group.retention_days`` after the session (60 by default). The subject owner's
  panier and plan and each person's carnet are theirs: kept until they delete them.
- Sign-in links: a day after they expired. Invitations: 30 days after they were used,
  revoked or expired. Applications: 30 days after the decision, with the organisers'
  private reason. Sign-in attempts recorded against password guessing: after 30 days.
  Expired Django sessions: at once.

It logs counts only, never a name, an address or a text, and running it twice does nothing
more.
"""

import logging
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from participants.models import Application, Invitation, LoginLink

from .actions import do_purge_said

log = logging.getLogger(__name__)

LOGIN_LINK_DAYS = 1
INVITATION_DAYS = 30
APPLICATION_DAYS = 30
SIGN_IN_ATTEMPT_DAYS = 30


def purge(now: datetime) -> int:
    """Run every purge once; the number of things purged (sessions and rows)."""
    counts = {"sessions": do_purge_said(now)}
    counts["login_links"] = LoginLink.objects.filter(
        expires_at__lt=now - timedelta(days=LOGIN_LINK_DAYS)
    ).delete()[0]
    old = now - timedelta(days=INVITATION_DAYS)
    counts["invitations"] = Invitation.objects.filter(
        Q(used_at__lt=old) | Q(revoked_at__lt=old) | Q(expires_at__lt=old)
    ).delete()[0]
    counts["applications"] = Application.objects.filter(
        decided_at__lt=now - timedelta(days=APPLICATION_DAYS)
    ).delete()[0]
    attempts = now - timedelta(days=SIGN_IN_ATTEMPT_DAYS)
    counts["sign_in_attempts"] = (
        AccessAttempt.objects.filter(attempt_time__lt=attempts).delete()[0]
        + AccessFailureLog.objects.filter(attempt_time__lt=attempts).delete()[0]
        + AccessLog.objects.filter(attempt_time__lt=attempts).delete()[0]
    )
    import_string(f"{settings.SESSION_ENGINE}.SessionStore").clear_expired()
    log.info(
        "retention purge: %s", ", ".join(f"{name} {n}" for name, n in counts.items())
    )
    return sum(counts.values())
