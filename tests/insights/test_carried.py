"""Subjects carried in from earlier sessions, in the « Bilan » and its CSV: one withdrawn
at the accueil (« Plus d'actualité ») was carried in all the same, and each session's row
adds up: carried in + proposed = handled + withdrawn + still waiting."""

import csv
import io

import pytest
from django.urls import reverse

from insights.figures import group_figures
from sessions_app import live
from sessions_app.models import Session, Subject


def run(session, actor, kind, **fields):
    return live.apply(session.pk, actor, {"type": kind, **fields}, None)


def adds_up(s):
    return s.carried + s.proposed == s.handled + s.withdrawn + s.backlog_after


@pytest.fixture
def withdrawn_at_the_accueil(group, facilitator, participants):
    """Session 1: Juliette and Dragos propose, nothing is handled. Session 2: at the
    accueil, before it starts, Dragos says his subject is no longer current; Juliette's
    stays; the session ends without a subject handled."""
    juliette, dragos, amina, _paul = participants
    first = Session.objects.create(group=group, format=group.format, title="Un")
    first.facilitators.add(facilitator)
    for person in (juliette, dragos, amina):
        run(first, person, "join")
    run(first, facilitator, "start")
    run(first, juliette, "propose", keyword="MOT-A")
    run(first, dragos, "propose", keyword="MOT-B")
    run(first, amina, "pass")
    run(first, facilitator, "end")

    second = Session.objects.create(group=group, format=group.format, title="Deux")
    second.facilitators.add(facilitator)
    for person in (juliette, dragos, amina):
        run(second, person, "join")
    run(second, dragos, "confirm", subject=Subject.objects.get(keyword="MOT-B").pk, keep=False)
    run(second, juliette, "confirm", subject=Subject.objects.get(keyword="MOT-A").pk, keep=True)
    run(second, facilitator, "start")
    run(second, facilitator, "end")
    return first, second


def test_a_subject_withdrawn_at_the_accueil_was_carried_in_and_the_row_adds_up(
    group, withdrawn_at_the_accueil
):
    one, two = group_figures(group, "all").sessions
    assert (one.carried, one.proposed, one.handled, one.withdrawn, one.backlog_after) == (
        0, 2, 0, 0, 2
    )
    assert (two.carried, two.proposed, two.handled, two.withdrawn, two.backlog_after) == (
        2, 0, 0, 1, 1
    )
    assert adds_up(one) and adds_up(two)


def test_a_withdrawal_at_the_accueil_undone_leaves_the_subject_carried_once(
    group, facilitator, participants, withdrawn_at_the_accueil
):
    juliette, dragos, amina, _paul = participants
    third = Session.objects.create(group=group, format=group.format, title="Trois")
    third.facilitators.add(facilitator)
    for person in (juliette, amina):
        run(third, person, "join")
    run(third, juliette, "confirm", subject=Subject.objects.get(keyword="MOT-A").pk, keep=False)
    run(third, facilitator, "undo")
    run(third, facilitator, "start")
    run(third, facilitator, "end")
    *_, three = group_figures(group, "all").sessions
    assert (three.carried, three.withdrawn, three.backlog_after) == (1, 0, 1)
    assert adds_up(three)


def test_the_csv_counts_the_subject_withdrawn_at_the_accueil_as_carried(
    client, group, organiser, withdrawn_at_the_accueil
):
    client.force_login(organiser)
    response = client.get(reverse("bilan_csv", args=[group.pk]), {"periode": "all"})
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["subjects_carried"] for row in table] == ["0", "2"]
    for row in table:
        carried_in = int(row["subjects_carried"]) + int(row["subjects_proposed"])
        out = sum(int(row[k]) for k in ("subjects_handled", "subjects_withdrawn", "backlog_after"))
        assert carried_in == out
