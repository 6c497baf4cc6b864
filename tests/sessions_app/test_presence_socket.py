"""Facilitator changes reach open sockets at once, each re-rendered for its new audience."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import Client

from participants.models import Membership
from sessions_app import live
from tests.sessions_app.test_consumers import TIMEOUT, connect, cookie_for, frame_html
from tests.sessions_app.test_scheduling import schedule_data

pytestmark = pytest.mark.django_db(transaction=True)

DRIVES = "Terminer la phase"


@pytest.fixture
def clarification(session, facilitator, participants):
    juliette, dragos, amina = participants[:3]
    for person in (juliette, dragos, amina):
        live.apply(session.pk, person, {"type": "join"}, None)
    for command, actor in (
        ({"type": "start"}, facilitator),
        ({"type": "propose", "keyword": "feedback"}, juliette),
        ({"type": "close_triage"}, facilitator),
        ({"type": "begin_subject"}, facilitator),
        ({"type": "done"}, juliette),
    ):
        live.apply(session.pk, actor, command, None)
    return session


def test_a_newly_named_facilitators_open_page_gets_the_controls_and_the_former_loses_them(
    clarification, organiser, facilitator, participants
):
    dragos = participants[1]
    cookies = cookie_for(dragos), cookie_for(facilitator)

    def rename():
        client = Client()
        client.force_login(organiser)
        response = client.post(f"/s/{clarification.pk}/edit/", schedule_data(dragos))
        assert response.status_code == 302

    async def scenario():
        his, first_his = await connect(clarification.pk, cookies[0])
        hers, first_hers = await connect(clarification.pk, cookies[1])
        await sync_to_async(rename)()
        update_his = await his.receive_json_from(timeout=TIMEOUT)
        update_hers = await hers.receive_json_from(timeout=TIMEOUT)
        await his.disconnect()
        await hers.disconnect()
        return first_his, first_hers, update_his, update_hers

    first_his, first_hers, update_his, update_hers = async_to_sync(scenario)()
    assert DRIVES not in first_his["html"] and DRIVES in first_hers["html"]
    assert update_his["version"] == first_his["version"]  # the same state, a new audience
    assert DRIVES in frame_html(update_his)
    assert DRIVES not in frame_html(update_hers)


def test_a_facilitator_removed_from_the_group_loses_the_controls_on_every_page_left_open(
    clarification, group, facilitator, organiser
):
    cookie = cookie_for(organiser)

    def remove():
        Membership.objects.get(group=group, user=facilitator).remove()

    async def scenario():
        page, first = await connect(clarification.pk, cookie)
        await sync_to_async(remove)()
        update = await page.receive_json_from(timeout=TIMEOUT)
        await page.disconnect()
        return first, update

    first, update = async_to_sync(scenario)()
    # The organiser now drives: the group's facilitators take over.
    assert DRIVES not in first["html"] and DRIVES in frame_html(update)
