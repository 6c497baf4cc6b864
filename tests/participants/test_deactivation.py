"""A deactivated account: no more sign-in, and the person's open live pages close."""

import logging

import pytest

from participants.models import User
from sessions_app import live

REVOKED_EVERYWHERE = {"type": "access.revoked", "group_id": None}


@pytest.fixture
def admin_client(client, db):
    staff = User.objects.create_superuser("admin@example.org", "Un-mot-de-passe-solide-1")
    client.force_login(staff)
    return client


def test_deactivating_closes_the_persons_open_live_pages(
    participant, django_capture_on_commit_callbacks, heard_by_open_pages
):
    with django_capture_on_commit_callbacks() as callbacks:
        participant.deactivate()
    assert callbacks  # sent after commit, not before
    participant.refresh_from_db()
    assert participant.is_active is False
    assert heard_by_open_pages(participant, callbacks) == REVOKED_EVERYWHERE


def test_a_deactivated_person_cannot_sign_in(client, participant):
    participant.set_password("Le-bon-mot-de-passe-1")
    participant.save()
    participant.deactivate()
    client.post("/login/", {"email": participant.email, "password": "Le-bon-mot-de-passe-1"})
    assert client.get("/").status_code == 302


def test_the_admin_action_deactivates_and_closes_open_live_pages(
    admin_client, participant, django_capture_on_commit_callbacks, heard_by_open_pages
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            "/admin/participants/user/",
            {"action": "deactivate", "_selected_action": [participant.pk]},
        )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_active is False
    assert heard_by_open_pages(participant, callbacks) == REVOKED_EVERYWHERE


def test_unticking_active_in_the_admin_closes_open_live_pages(
    admin_client, participant, django_capture_on_commit_callbacks, heard_by_open_pages
):
    data = {  # "is_active" left out: the box is unticked
        "email": participant.email,
        "display_name": participant.display_name,
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(f"/admin/participants/user/{participant.pk}/change/", data)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.is_active is False
    assert heard_by_open_pages(participant, callbacks) == REVOKED_EVERYWHERE


def test_the_admin_action_leaves_inactive_accounts_alone(
    admin_client, participant, django_capture_on_commit_callbacks, heard_by_open_pages
):
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(
            "/admin/participants/user/",
            {"action": "deactivate", "_selected_action": [participant.pk]},
        )
        admin_client.post(
            "/admin/participants/user/",
            {"action": "deactivate", "_selected_action": [participant.pk]},
        )
    assert len(callbacks) == 1  # the second time the account is already inactive


def test_a_channel_layer_failure_is_logged_without_content(
    participant, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    class BrokenLayer:
        async def group_send(self, group, message):
            raise ConnectionError(f"redis down while sending {message}")

    monkeypatch.setattr(live, "get_channel_layer", lambda: BrokenLayer())
    with caplog.at_level(logging.WARNING, logger="sessions_app.live"):
        with django_capture_on_commit_callbacks(execute=True):
            participant.deactivate()
    participant.refresh_from_db()
    assert participant.is_active is False
    assert "ConnectionError" in caplog.text
    assert "access.revoked" not in caplog.text and "redis down" not in caplog.text
