"""Members and roles: the composition, role changes, removal with confirmation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Membership, User


def test_the_organiser_sees_the_composition(client, organiser, facilitator, participants, group):
    client.force_login(organiser)
    page = client.get(f"/g/{group.pk}/members/").content.decode()
    assert "6 membres sur 7 places" in page
    assert "1 place libre" in page
    for person in [organiser, facilitator, *participants]:
        assert person.email in page
    assert "organisateur·rice\u00a0: 1" in page and "membre\u00a0: 4" in page


def test_the_members_page_has_a_constant_number_of_queries(client, organiser, participants, group):
    """The page, with every member on it, costs as many queries for a full group as for 5."""
    group.capacity = 8  # the largest group: room for three more
    group.save()
    client.force_login(organiser)

    def members_page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/g/{group.pk}/members/")
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    page, few = members_page()
    for person in participants:
        assert person.email in page
    newcomers = [
        User.objects.create_user(f"nouveau-{i}@example.org", display_name=f"Nouveau {i}")
        for i in range(3)
    ]
    for person in newcomers:
        Membership.objects.create(group=group, user=person, role=Membership.MEMBER)
    page, many = members_page()
    for person in newcomers:
        assert person.email in page
    assert many == few <= 8


def test_a_role_is_changed(client, organiser, participant, group):
    client.force_login(organiser)
    membership = Membership.objects.get(user=participant, group=group)
    response = client.post(f"/g/{group.pk}/members/{membership.pk}/role/", {"role": "facilitator"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Membership.FACILITATOR


def test_the_last_organiser_cannot_step_down_or_be_removed(client, organiser, group):
    client.force_login(organiser)
    mine = Membership.objects.get(user=organiser, group=group)
    client.post(f"/g/{group.pk}/members/{mine.pk}/role/", {"role": "member"})
    mine.refresh_from_db()
    assert mine.role == Membership.ORGANISER
    response = client.post(f"/g/{group.pk}/members/{mine.pk}/remove/", follow=True)
    assert "au moins un organisateur" in response.content.decode()
    mine.refresh_from_db()
    assert mine.removed_at is None


def test_removing_asks_for_confirmation_first(client, organiser, participant, group):
    client.force_login(organiser)
    membership = Membership.objects.get(user=participant, group=group)
    page = client.get(f"/g/{group.pk}/members/{membership.pk}/remove/")
    assert page.status_code == 200
    assert "Oui, retirer du groupe" in page.content.decode()
    membership.refresh_from_db()
    assert membership.removed_at is None


def test_a_removed_member_loses_access_at_once(
    client, organiser, participant, group, session, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    membership = Membership.objects.get(user=participant, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/g/{group.pk}/members/{membership.pk}/remove/")
    assert response.status_code == 302
    client.force_login(participant)
    assert client.get(f"/g/{group.pk}/").status_code == 404
    assert client.get(f"/s/{session.pk}/").status_code == 404
    assert client.get(f"/s/{session.pk}/info/").status_code == 404


def test_removal_closes_the_members_open_live_pages(
    organiser, participant, group, django_capture_on_commit_callbacks, heard_by_open_pages
):
    membership = Membership.objects.get(user=participant, group=group)
    with django_capture_on_commit_callbacks() as callbacks:
        membership.remove()
    assert callbacks  # sent after commit, not before
    assert heard_by_open_pages(participant, callbacks) == {
        "type": "access.revoked",
        "group_id": group.pk,
    }


@pytest.mark.parametrize(
    "persona", ["participant", "facilitator", "outsider", "other_group_member", "removed_member"]
)
def test_only_organisers_manage_members(client, group, organiser, participant, request, persona):
    client.force_login(request.getfixturevalue(persona))
    target = Membership.objects.get(user=participant, group=group)
    assert client.get(f"/g/{group.pk}/members/").status_code == 404
    assert client.post(f"/g/{group.pk}/members/{target.pk}/remove/").status_code == 404
    assert (
        client.post(f"/g/{group.pk}/members/{target.pk}/role/", {"role": "organiser"}).status_code
        == 404
    )
    target.refresh_from_db()
    assert target.removed_at is None and target.role == Membership.MEMBER


def test_an_organiser_cannot_reach_members_of_another_group(
    client, organiser, other_group_member, group
):
    client.force_login(organiser)
    foreign = Membership.objects.get(user=other_group_member)
    assert client.post(f"/g/{group.pk}/members/{foreign.pk}/remove/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.removed_at is None
