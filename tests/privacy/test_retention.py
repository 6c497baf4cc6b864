"""The daily purge: what was said goes after the group's delay, from every table and the
event log; what belongs to its author stays; the other delays; counts only in the logs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from participants.models import Application, Invitation, LoginLink
from privacy import retention
from sessions_app.management.commands.periodic import run_jobs
from sessions_app.models import Contribution, LogbookEntry, Session, Subject

from .conftest import tables_holding


def age(session, days):
    Session.objects.filter(pk=session.pk).update(
        scheduled_at=timezone.now() - timedelta(days=days, minutes=session.duration_minutes)
    )


def test_what_was_said_is_kept_until_the_groups_delay(history):
    age(history, history.group.retention_days - 1)
    retention.purge(timezone.now())
    assert tables_holding("QUESTION-DRAGOS")
    assert "Event" in tables_holding("REACTION-DRAGOS")


def test_after_the_delay_what_was_said_is_gone_from_every_table_and_the_event_log(history):
    contributions = Contribution.objects.count()
    for session in Session.objects.all():  # the report-back session too
        age(session, history.group.retention_days + 1)
    retention.purge(timezone.now())
    for text in ("QUESTION-DRAGOS", "REACTION-DRAGOS"):
        assert tables_holding(text) == [], text
    # The owner's panier (what she took, with her note) and plan are hers: kept, in their
    # tables only — the event log's copies are gone.
    assert tables_holding("REACTION-AMINA") == ["Contribution"]
    assert tables_holding("NOTE-JULIETTE") == ["Contribution"]
    assert tables_holding("ACTION-JULIETTE") == ["Action"]
    assert tables_holding("SIGNE-JULIETTE") == ["Action"]
    # What she said at the report back goes from the action's history (the latest word
    # stays on the action, hers); what she wrote on its page between sessions stays.
    assert tables_holding("RETOUR-JULIETTE") == ["Action"]
    assert tables_holding("POINT-JULIETTE") == ["ActionReport"]
    # Each person's carnet is theirs; the keywords are the backlog.
    assert tables_holding("CARNET-DRAGOS") == ["LogbookEntry"]
    assert Subject.objects.filter(keyword="SUJET-DRAGOS", status="open").exists()
    assert Contribution.objects.count() == contributions
    assert not Session.objects.filter(purged_at__isnull=True).exists()


def test_the_owner_is_told_what_was_purged_and_keeps_her_panier(client, history, participants):
    age(history, history.group.retention_days + 1)
    retention.purge(timezone.now())
    client.force_login(participants[0])
    page = client.get(reverse("session_takeaway", args=[history.pk])).content.decode()
    assert "a été effacé 60\u00a0jours après" in page
    assert "REACTION-AMINA" in page and "NOTE-JULIETTE" in page and "ACTION-JULIETTE" in page
    assert "QUESTION-DRAGOS" not in page


def test_a_group_chooses_its_delay(history):
    history.group.retention_days = 7
    history.group.save()
    age(history, 8)
    retention.purge(timezone.now())
    assert tables_holding("QUESTION-DRAGOS") == []


def test_the_purge_is_idempotent_and_logs_counts_only(history, caplog):
    age(history, 400)
    with caplog.at_level(logging.INFO, logger="privacy.retention"):
        first = retention.purge(timezone.now())
        second = retention.purge(timezone.now())
    assert first >= 1 and second == 0
    logged = caplog.text
    assert "sessions 1" in logged and "sessions 0" in logged
    for secret in ("DRAGOS", "JULIETTE", "example.org", "Pairs produit"):
        assert secret.lower() not in logged.lower()


def test_links_invitations_and_applications_go_after_their_delays(group, organiser, participants):
    now = timezone.now()
    LoginLink.issue(participants[0])
    old_link = LoginLink.issue(participants[1])
    LoginLink.objects.filter(user=participants[1]).update(expires_at=now - timedelta(days=2))
    pending, _ = Invitation.issue(group, "pending@example.org", organiser)
    expired, _ = Invitation.issue(group, "expired@example.org", organiser)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(days=31))
    refused = Application.objects.create(
        group=group, name="Camille", email="c@example.org", status=Application.REJECTED,
        reason="MOTIF-PRIVE", decided_at=now - timedelta(days=31),
    )
    waiting = Application.objects.create(group=group, name="Sam", email="s@example.org")
    assert old_link
    retention.purge(now)
    assert list(LoginLink.objects.values_list("user_id", flat=True)) == [participants[0].pk]
    assert set(Invitation.objects.values_list("pk", flat=True)) == {pending.pk}
    assert set(Application.objects.values_list("pk", flat=True)) == {waiting.pk}
    assert not Application.objects.filter(pk=refused.pk).exists()
    assert tables_holding("MOTIF-PRIVE") == []


def test_the_purge_runs_with_the_periodic_jobs(history):
    assert "privacy.retention.purge" in settings.PERIODIC_JOBS
    age(history, 400)
    done = run_jobs()
    assert (done["privacy.retention.purge"] or 0) >= 1
    assert tables_holding("QUESTION-DRAGOS") == []
    assert LogbookEntry.objects.count() == 2
