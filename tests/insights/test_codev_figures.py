"""The Bilan of codéveloppement sessions (issue 26): how many votes chose the subjects, how
many ideas the clients kept, how many actions stand in each status — counts only, never who
voted or what was said, the small ones « masqué »."""

import csv
import io

import pytest
from django.urls import reverse

from insights.figures import group_figures
from insights.masking import masked
from insights.personal import personal_figures
from sessions_app.models import Action, Subject
from tests.sessions_app.codev_story import play

SAID = ("IDEE-", "CONTRAT-", "SYNTHESE-", "SIGNE-", "ACTION-", "NOTE-CLIENT", "REFORMULATION")


@pytest.fixture
def codev_done(codev_session, facilitator, participants):
    play(codev_session, facilitator, participants)
    return codev_session


def test_a_count_that_could_point_to_someone_is_masked():
    assert masked({"n": 0}) == {"n": 0} and masked({"n": 3}) == {"n": 3}
    assert masked({"n": 1}) == {"n": None} and masked({"n": 2}) == {"n": None}
    # One hidden count would come back from the total: the next smallest goes too.
    assert masked({"todo": 3, "doing": 4, "done": 1, "dropped": 0}) == {
        "todo": None, "doing": 4, "done": None, "dropped": 0
    }
    assert masked({"todo": 1, "doing": 2, "done": 5}) == {"todo": None, "doing": None, "done": 5}


def test_the_votes_cast_and_the_ideas_kept_per_session_small_ones_masked(
    codev_done, group, participants
):
    figures = group_figures(group, "all")
    (session,) = figures.sessions
    assert session.votes == 7  # eight votes to give, Amina gave one
    assert session.ideas_kept is None  # two: masked
    assert dict(session.actions_by_status) == {
        "todo": None, "doing": 0, "done": 0, "dropped": 0
    }
    assert (figures.totals["votes"], figures.totals["ideas_kept"]) == (7, None)
    # A third idea kept, on another subject: the count is shown.
    roadmap = Subject.objects.get(keyword="roadmap")
    said = codev_done.contributions.filter(taken=False, kind="suggestion").first()
    said.pk, said.subject, said.taken = None, roadmap, True
    said.save()
    assert group_figures(group, "all").sessions[0].ideas_kept == 3


def test_actions_by_status_per_session_and_over_the_period(codev_done, group, participants):
    juliette = participants[0]
    subject = Subject.objects.get(keyword="délégation")
    for n, status in enumerate(("todo", "doing", "doing", "doing", "done")):
        Action.objects.create(subject=subject, session=codev_done, owner=juliette,
                              text=f"ACTION-{n}", status=status)
    figures = group_figures(group, "all")
    expected = {"todo": 3, "doing": 3, "done": None, "dropped": 0}
    # Done alone would be hidden: the smallest other count goes with it.
    expected["doing"] = None
    assert dict(figures.sessions[0].actions_by_status) == expected
    assert dict(figures.actions_by_status) == expected


def test_the_bilan_page_shows_the_counts_and_never_what_was_said(
    client, codev_done, group, participants
):
    client.force_login(participants[2])
    body = client.get(reverse("bilan", args=[group.pk])).content.decode()
    assert "Votes exprimés pour choisir les sujets" in body
    harvest = body.split('id="harvest-title"', 1)[1].split("</figure>", 1)[0]
    assert "votes exprimés" in harvest and "masqué" in harvest
    assert "Idées retenues" in body and "Actions à faire" in body
    assert "Un nombre est masqué quand il est inférieur à 3" in body
    for secret in (*SAID, "délégation", "roadmap"):
        assert secret not in body, secret


def test_my_course_counts_the_ideas_i_kept_and_my_proposals_kept(codev_done, group, participants):
    juliette, dragos, amina, paul = participants
    assert (personal_figures(juliette, group).ideas_kept,
            personal_figures(juliette, group).proposals_kept) == (2, 0)
    assert personal_figures(dragos, group).proposals_kept == 1
    assert personal_figures(paul, group).proposals_kept == 1
    assert personal_figures(amina, group).proposals_kept == 0


def test_the_csv_has_the_counts_with_the_masked_ones_left_empty(
    client, codev_done, group, organiser
):
    client.force_login(organiser)
    response = client.get(reverse("bilan_csv", args=[group.pk]), {"periode": "all"})
    header, row = list(csv.reader(io.StringIO(response.content.decode())))
    values = dict(zip(header, row, strict=True))
    assert (values["votes_cast"], values["ideas_kept"]) == ("7", "")
    assert (values["actions_todo_now"], values["actions_doing_now"]) == ("", "0")
