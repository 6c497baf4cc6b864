"""The « Bilan » page and its CSV: what the group's members and organisers see, and what
they never see."""

import csv
import io
import re

import pytest
from django.urls import reverse

from sessions_app import live
from sessions_app.models import Action, Feedback, Session, Subject


def run(session, actor, kind, **fields):
    return live.apply(session.pk, actor, {"type": kind, **fields}, None)


def state_of(session):
    return Session.objects.get(pk=session.pk).flow_state()


@pytest.fixture
def two_sessions(group, session, facilitator, participants):
    """Two ended sessions: in the first Juliette's subject is handled, Dragos's waits."""
    juliette, dragos, amina, paul = participants
    for s in (session, Session.objects.create(group=group, format="intervision", title="Avril")):
        s.facilitators.add(facilitator)
        for person in (juliette, dragos, amina, paul):
            run(s, person, "join")
        run(s, facilitator, "start")
        if s == session:
            run(s, juliette, "propose", keyword="MOT-CLE-SECRET")
            run(s, dragos, "propose", keyword="AUTRE-SECRET")
            run(s, amina, "pass")
            run(s, paul, "pass")
            run(s, facilitator, "close_triage")
            mine = next(x for x in state_of(s).subjects if x.owner == juliette.pk)
            run(s, facilitator, "begin_subject", subject=mine.id)
            run(s, juliette, "done")
            run(s, dragos, "speak", text="QUESTION-SECRETE")
            for person in (amina, paul, dragos, amina, paul):
                run(s, person, "pass")
        run(s, facilitator, "end")
    for person, score in zip(participants, (5, 4, 4, 2), strict=True):
        Feedback.objects.create(session=session, author=person, usefulness=score,
                                keeps=f"RETENU-{person.display_name}",
                                shared=person != participants[3])
    return session


def page(client, user, group, **query):
    client.force_login(user)
    response = client.get(reverse("bilan", args=[group.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_members_see_the_groups_figures_as_charts_with_their_numbers(
    client, group, two_sessions, participants
):
    body = page(client, participants[1], group)
    assert body.count("<svg class=\"bars\"") >= 4
    assert "Sujets par séance" in body and "Présence par séance" in body
    assert "Les chiffres" in body  # each chart's table of numbers
    # Nothing said, no keyword, no name on a member's page; shared sentences without names.
    for secret in ("MOT-CLE-SECRET", "AUTRE-SECRET", "QUESTION-SECRETE"):
        assert secret not in body
    assert "RETENU-Juliette" in body and "RETENU-Paul" not in body  # Paul did not share
    facilitation = body.split("facilitation-title", 1)[1].split("</section>", 1)[0]
    assert "Lucie" not in facilitation


def test_organisers_see_who_facilitated_and_export_counts_only(
    client, group, two_sessions, organiser
):
    body = page(client, organiser, group)
    assert "Lucie" in body.split("facilitation-title", 1)[1].split("</section>", 1)[0]
    response = client.get(reverse("bilan_csv", args=[group.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["date", "subjects_proposed", "subjects_handled"]
    assert len(rows) == 3  # header and two sessions
    text = response.content.decode()
    for secret in ("MOT-CLE-SECRET", "Lucie", "Juliette", "Séance de mars", "Avril"):
        assert secret not in text


def usefulness_table(body):
    """The usefulness chart's table of numbers: {"5/5": what its cell says, ...}."""
    chart = body.split('id="usefulness-title"', 1)[1].split("</figure>", 1)[0]
    table = chart.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', table))


def test_small_counts_are_not_shown_apart(client, group, two_sessions, participants):
    juliette, dragos, amina, _paul = participants
    # Three 3/5 on the other session: that count is large enough to be shown.
    other = Session.objects.filter(group=group).exclude(pk=two_sessions.pk).get()
    for person in (juliette, dragos, amina):
        Feedback.objects.create(session=other, author=person, usefulness=3)
    body = page(client, juliette, group)
    table = usefulness_table(body)
    assert table["3/5"] == "3"  # shown: three people said 3/5
    # One person rated 5/5, two 4/5, one 2/5: no cell says how many.
    assert table["5/5"] == table["4/5"] == table["2/5"] == "masqué"  # and the page says why
    assert table["1/5"] == "0"
    # And no average, which would give the hidden counts back.
    assert "utilité moyenne" not in body


def test_counts_of_three_or_more_are_shown_with_the_average(
    client, group, two_sessions, participants
):
    """Positive control of the test above: with every count at 3 or more, each is shown."""
    other = Session.objects.filter(group=group).exclude(pk=two_sessions.pk).get()
    Feedback.objects.filter(session=two_sessions).update(usefulness=4)
    for person in participants[:3]:
        Feedback.objects.create(session=other, author=person, usefulness=2)
    body = page(client, participants[0], group)
    assert usefulness_table(body) == {"1/5": "0", "2/5": "3", "3/5": "0", "4/5": "4", "5/5": "0"}
    assert "7 réponses, utilité moyenne 3,1 sur 5." in body


def test_a_group_without_sessions_says_so(client, group, participants):
    body = page(client, participants[0], group)
    assert "Aucune séance terminée sur cette période" in body
    assert "apparaissent à partir de 3" in body


def my_figures(body):
    """The « Mon parcours » card: {label: number}."""
    card = body.split('id="mine-title"', 1)[1].split("</section>", 1)[0]
    return {dt: int(dd) for dt, dd in re.findall(r"<dt>([^<]*)</dt><dd>(\d+)</dd>", card)}


def test_my_own_figures_are_mine_only(client, group, session, two_sessions, participants):
    juliette, dragos, amina, _paul = participants
    hers = Subject.objects.get(group=group, owner=juliette)
    his = Subject.objects.get(group=group, owner=dragos)
    Subject.objects.filter(pk=hers.pk).update(status="handled")  # his still waits
    Action.objects.create(subject=hers, session=session, owner=juliette, text="a",
                          status=Action.DONE)
    for text in ("b", "c"):
        Action.objects.create(subject=his, session=session, owner=dragos, text=text)
    Action.objects.create(subject=his, session=session, owner=dragos, text="d",
                          status=Action.DROPPED)

    def figures(person):
        numbers = my_figures(page(client, person, group))
        return [numbers[label] for label in (
            "Séances suivies", "Mes sujets proposés", "traités", "en attente",
            "Mes actions en cours", "faites", "abandonnées",
        )]

    assert figures(juliette) == [2, 1, 1, 0, 0, 1, 0]
    assert figures(dragos) == [2, 1, 0, 1, 2, 0, 1]
    assert figures(amina) == [2, 0, 0, 0, 0, 0, 0]


def test_the_period_is_chosen_and_shown(client, group, two_sessions, participants):
    body = page(client, participants[0], group, periode="last")
    assert 'aria-current="page">Dernière séance' in body
    body = page(client, participants[0], group, periode="nimporte")
    assert 'aria-current="page">12 mois' in body


def test_the_page_reads_in_english_too(client, group, two_sessions, participants):
    client.force_login(participants[0])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("bilan", args=[group.pk])).content.decode()
    for english in ("Review", "Subjects per session", "Attendance per session", "At a glance"):
        assert english in body
    assert "Sujets par séance" not in body
