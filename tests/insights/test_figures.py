"""The group's « Bilan »: its figures, on histories played through the live path (as the
pages do) at known minutes, so that phase timings are exact."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from insights.figures import (
    GROUP_QUERIES,
    SMALL,
    FeedbackFigures,
    GroupFigures,
    group_figures,
)
from insights.personal import PERSONAL_QUERIES, PersonalFigures, personal_figures
from participants.models import Membership
from privacy import actions, retention
from sessions_app import flow, live
from sessions_app.models import (
    Action,
    Contribution,
    Event,
    Feedback,
    Registration,
    Session,
    Subject,
)

NO_FEEDBACK = FeedbackFigures(0, ((1, 0), (2, 0), (3, 0), (4, 0), (5, 0)), None, ())
TOTAL_KEYS = ("proposed", "handled", "withdrawn", "actions_planned", "actions_reported",
              "actions_done", "sessions", "votes", "ideas_kept")
# What was said, written and kept private in the histories below: never read by the figures.
SAID = ("MOT-", "DIT-", "ACTION-", "NOTE-", "PRIVE-")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def clock():
    """The time each step is applied at (``live.apply``'s ``now``), set by ``Play``."""
    return SimpleNamespace(t=0.0)


class Play:
    """Plays a session through ``live.apply``, each step at a known minute after the
    session's scheduled time: the time given to the rules and the event's ``created_at``
    both say it."""

    def __init__(self, session, clock):
        self.session = session
        self.clock = clock
        self.base = session.scheduled_at.timestamp()

    def __call__(self, actor, kind, minute, /, **fields):
        self.clock.t = self.base + minute * 60
        snap = live.apply(
            self.session.pk, actor, {"type": kind, **fields}, None, now=self.clock.t
        )
        Event.objects.filter(session=self.session, version=snap["version"]).update(
            created_at=datetime.fromtimestamp(self.clock.t, tz=UTC)
        )
        return snap

    def state(self) -> flow.State:
        return Session.objects.get(pk=self.session.pk).flow_state()


@pytest.fixture
def play(group, clock, now):
    def new(days_ago, *, drivers=(), title=""):
        session = Session.objects.create(
            group=group, format=group.format, title=title or f"J-{days_ago}",
            scheduled_at=now - timedelta(days=days_ago),
        )
        session.facilitators.add(*drivers)
        return Play(session, clock)

    return new


def triage(play, driver, minute, keywords):
    """The keyword round: each present person in turn proposes their keyword (``keywords``:
    person → keyword) or passes; then the driver closes it."""
    people = {person.pk: person for person in keywords}
    left = dict(keywords)
    while (state := play.state()).stage == "triage" and left:
        speaker = people.get(state.speaker)
        if speaker is not None and speaker in left:
            play(speaker, "propose", minute, keyword=left.pop(speaker))
        else:
            play(driver, "pass", minute)
    if play.state().stage == "triage":
        play(driver, "close_triage", minute)


def handle(play, driver, owner, keyword, at, minutes=(12, 18, 15, 10), actions=()):
    """Run the subject ``keyword`` through the intervision phases from minute ``at``, each
    phase lasting its ``minutes``; the minute it ended."""
    play(driver, "begin_subject", at, subject=Subject.objects.get(keyword=keyword).pk)
    t = at + minutes[0]
    play(owner, "done", t)  # exposé
    t += minutes[1]
    while play.state().phase == 1:  # clarification: a round where everyone passes
        play(driver, "pass", t)
    t += minutes[2]
    while play.state().phase == 2:  # réaction: one round
        play(driver, "speak", t, text="DIT-REACTION")
    t += minutes[3]
    for text in actions:
        play(owner, "add_action", t, text=text)
    play(owner, "done", t)  # panier
    return t


def timings(session_figures):
    return [(p.key, p.planned, None if p.actual is None else round(p.actual, 3), p.subjects)
            for p in session_figures.phases]


def quick(play, driver, people, days_ago, **kwargs):
    """A session that starts and ends without a subject."""
    p = play(days_ago, drivers=(driver,), **kwargs)
    for person in people:
        p(person, "join", 0)
    p(driver, "start", 0)
    p(driver, "end", 30)
    return p.session


# --- Edge cases ------------------------------------------------------------------------------


def test_a_group_without_a_session_yet_has_every_figure_at_zero(
    group, facilitator, participants, play, now
):
    play(3, drivers=(facilitator,))  # scheduled, never opened
    figures = group_figures(group, "all", now=now)
    assert figures == GroupFigures(
        period="all", since=None, sessions=(), backlog_now=0, oldest_open_days=(),
        report_back=False, facilitators_count=0, facilitation=(), feedback=NO_FEEDBACK,
        totals=dict.fromkeys(TOTAL_KEYS, 0),
        actions_by_status=(("todo", 0), ("doing", 0), ("done", 0), ("dropped", 0)),
    )
    last = group_figures(group, "last", now=now)
    assert (last.sessions, last.since) == ((), None)
    assert group_figures(group, "3m", now=now).since == now - timedelta(days=90)
    assert personal_figures(participants[0], group) == PersonalFigures(0, 0, 0, 0, 0, 0, 0)
    with pytest.raises(ValueError):
        group_figures(group, "week", now=now)


@pytest.fixture
def one_session(group, facilitator, participants, play):
    """Juliette, Dragos and Amina at the table (Paul waits for a seat); Juliette's subject
    handled with two actions, Dragos's left for later. Exposé 12 min, clarification 18,
    réaction 15, panier 10; the session ends at 100 min."""
    juliette, dragos, amina, paul = participants
    p = play(7, drivers=(facilitator,), title="Séance de mars")
    for person in (juliette, dragos, amina):
        Registration.objects.create(session=p.session, user=person)
    Registration.objects.create(session=p.session, user=paul, status=Registration.WAITLIST)
    for person in (juliette, dragos, amina):
        p(person, "join", 0)
    p(facilitator, "start", 0)
    triage(p, facilitator, 5, {juliette: "MOT-RECRUTEMENT", dragos: "MOT-ROADMAP"})
    handle(p, facilitator, juliette, "MOT-RECRUTEMENT", 10,
           actions=("ACTION-BINOME", "ACTION-GRILLE"))
    p(facilitator, "end", 100)
    return p.session


def test_one_session(group, facilitator, one_session, now):
    figures = group_figures(group, "all", now=now)
    (session,) = figures.sessions
    assert (session.session_id, session.scheduled_at, session.title, session.format) == (
        one_session.pk, one_session.scheduled_at, "Séance de mars", "intervision"
    )
    assert (session.proposed, session.handled, session.withdrawn, session.carried,
            session.backlog_after) == (2, 1, 0, 0, 1)
    assert (session.present, session.registered, session.seats) == (3, 3, 7)
    assert session.planned_minutes == 120
    assert session.actual_minutes == pytest.approx(100)
    assert timings(session) == [
        ("expose", 10, 12.0, 1),
        ("clarification", 15, 18.0, 1),
        ("reaction", 20, 15.0, 1),
        ("panier", 10, 10.0, 1),
    ]
    assert (session.actions_planned, session.actions_reported, session.actions_done) == (2, 0, 0)
    assert session.facilitators == (facilitator.pk,)
    assert figures.facilitation == ((facilitator.pk, 1),) and figures.facilitators_count == 1
    assert figures.backlog_now == 1
    assert figures.totals == {"proposed": 2, "handled": 1, "withdrawn": 0, "actions_planned": 2,
                              "actions_reported": 0, "actions_done": 0, "sessions": 1,
                              "votes": 0, "ideas_kept": 0}
    last = group_figures(group, "last", now=now)
    assert last.sessions == figures.sessions and last.since == one_session.scheduled_at


def test_a_session_ended_before_any_subject(group, facilitator, participants, play, now):
    quick(play, facilitator, participants[:2], 2)
    (session,) = group_figures(group, "all", now=now).sessions
    assert session.actual_minutes == pytest.approx(30) and session.present == 2
    assert timings(session) == [(phase.key, 0, None, 0) for phase in flow.FORMATS["intervision"]]


def test_a_session_ended_from_its_lobby_never_started(group, facilitator, play, now):
    p = play(2, drivers=(facilitator,))
    p(facilitator, "end", 5)
    (session,) = group_figures(group, "all", now=now).sessions
    assert (session.present, session.actual_minutes) == (None, None)


# --- Several sessions: withdrawal, undo, absence, a removed member ----------------------------


@pytest.fixture
def two_sessions(group, facilitator, participants, play, now):
    """First session: four subjects, Paul's handled; then Paul leaves the group. Second
    session: Amina is absent; Dragos proposes another subject and withdraws his first; the
    facilitator withdraws Amina's by mistake and undoes it; Juliette's is handled. A third
    session is running, a fourth not opened yet."""
    juliette, dragos, amina, paul = participants
    first = play(60, drivers=(facilitator,))
    for person in (juliette, dragos, amina, paul):
        first(person, "join", 0)
    first(facilitator, "start", 0)
    triage(first, facilitator, 5, {juliette: "MOT-A", dragos: "MOT-B", amina: "MOT-C",
                                   paul: "MOT-D"})
    handle(first, facilitator, paul, "MOT-D", 10)
    first(facilitator, "end", 90)
    Membership.objects.get(group=group, user=paul).remove()

    second = play(30, drivers=(facilitator,))
    for person in (juliette, dragos, amina):
        second(person, "join", 0)
    second(facilitator, "set_absent", 1, person=amina.pk)
    second(facilitator, "start", 2)
    triage(second, facilitator, 5, {dragos: "MOT-E"})
    second(dragos, "withdraw", 6, subject=Subject.objects.get(keyword="MOT-B").pk)
    second(facilitator, "withdraw", 7, subject=Subject.objects.get(keyword="MOT-C").pk)
    second(facilitator, "undo", 8)
    handle(second, facilitator, juliette, "MOT-A", 10)
    second(facilitator, "end", 90)

    running = play(0, drivers=(facilitator,))
    running(juliette, "join", 0)
    running(facilitator, "start", 1)
    play(-7, drivers=(facilitator,))
    Subject.objects.filter(keyword="MOT-C").update(created_at=now - timedelta(days=60, hours=1))
    Subject.objects.filter(keyword="MOT-E").update(created_at=now - timedelta(days=30, hours=1))
    return first.session, second.session


def test_several_sessions_with_a_withdrawal_an_undo_an_absence_and_a_removed_member(
    group, facilitator, two_sessions, now
):
    first, second = two_sessions
    figures = group_figures(group, "all", now=now)
    assert [s.session_id for s in figures.sessions] == [first.pk, second.pk]  # ended only
    one, two = figures.sessions
    # Paul's subject, proposed and handled before he left, still counts.
    assert (one.proposed, one.handled, one.withdrawn, one.carried, one.backlog_after,
            one.present) == (4, 1, 0, 0, 3, 4)
    # The withdrawal undone is not counted; Amina, absent, is not present.
    assert (two.proposed, two.handled, two.withdrawn, two.carried, two.backlog_after,
            two.present) == (1, 1, 1, 3, 2, 2)
    assert figures.totals == {"proposed": 5, "handled": 2, "withdrawn": 1, "actions_planned": 0,
                              "actions_reported": 0, "actions_done": 0, "sessions": 2,
                              "votes": 0, "ideas_kept": 0}
    assert figures.backlog_now == 2  # Amina's C, Dragos's E
    assert figures.oldest_open_days == (60, 30)
    assert figures.facilitation == ((facilitator.pk, 2),)


def test_the_three_oldest_open_subjects_oldest_first(group, participants, now):
    for days in (5, 40, 12, 300):
        Subject.objects.create(group=group, owner=participants[0], keyword=f"MOT-{days}",
                               created_at=now - timedelta(days=days, hours=2))
    Subject.objects.create(group=group, owner=participants[0], keyword="MOT-OLD",
                           status="handled", created_at=now - timedelta(days=900))
    figures = group_figures(group, now=now)
    assert (figures.backlog_now, figures.oldest_open_days) == (4, (300, 40, 12))


def test_personal_figures_count_only_the_persons_own(group, participants, two_sessions):
    juliette, dragos, amina, paul = participants
    assert personal_figures(juliette, group) == PersonalFigures(2, 1, 1, 0, 0, 0, 0)
    assert personal_figures(dragos, group) == PersonalFigures(2, 2, 0, 1, 0, 0, 0)
    assert personal_figures(amina, group) == PersonalFigures(1, 1, 0, 1, 0, 0, 0)  # absent once
    assert personal_figures(paul, group) == PersonalFigures(1, 1, 1, 0, 0, 0, 0)


# --- Undo and time --------------------------------------------------------------------------


def test_an_undone_step_is_not_counted_neither_its_phase_nor_its_driver(
    group, facilitator, organiser, participants, play, now
):
    """Olga, named co-facilitator, sets a subject urgent: undone. Dragos's subject is begun
    by mistake: undone. Juliette's clarification is closed too early at 25 min and the step
    undone at 27: the clarification runs on from 20 to 35 min, the réaction from 35."""
    juliette, dragos = participants[:2]
    p = play(3, drivers=(facilitator, organiser))
    for person in (juliette, dragos):
        p(person, "join", 0)
    p(facilitator, "start", 0)
    triage(p, facilitator, 3, {juliette: "MOT-X", dragos: "MOT-Y"})
    y = Subject.objects.get(keyword="MOT-Y").pk
    p(organiser, "set_urgent", 4, subject=y, urgent=True)
    p(facilitator, "undo", 5)
    p(facilitator, "begin_subject", 6, subject=y)
    p(facilitator, "undo", 7)
    p(facilitator, "begin_subject", 10, subject=Subject.objects.get(keyword="MOT-X").pk)
    p(juliette, "done", 20)
    p(facilitator, "next_phase", 25)
    p(facilitator, "undo", 27)
    assert p.state().phase == 1
    p(facilitator, "pass", 35)  # for Dragos: the clarification is over
    p(facilitator, "speak", 50, text="DIT-REACTION")
    p(juliette, "done", 60)
    p(facilitator, "end", 70)
    assert Event.objects.filter(session=p.session, undone=True).count() == 3
    (session,) = group_figures(group, "all", now=now).sessions
    assert timings(session) == [
        ("expose", 10, 10.0, 1),
        ("clarification", 15, 15.0, 1),
        ("reaction", 20, 15.0, 1),
        ("panier", 10, 10.0, 1),
    ]
    assert session.facilitators == (facilitator.pk,)
    assert (session.handled, session.backlog_after) == (1, 1)


def test_a_subject_interrupted_by_the_end_counts_its_time_until_the_end(
    group, facilitator, participants, play, now
):
    juliette, dragos = participants[:2]
    p = play(3, drivers=(facilitator,))
    for person in (juliette, dragos):
        p(person, "join", 0)
    p(facilitator, "start", 0)
    triage(p, facilitator, 2, {juliette: "MOT-X"})
    p(facilitator, "begin_subject", 5, subject=Subject.objects.get(keyword="MOT-X").pk)
    p(juliette, "done", 15)
    p(facilitator, "end", 40)  # during the clarification
    (session,) = group_figures(group, "all", now=now).sessions
    assert timings(session) == [
        ("expose", 10, 10.0, 1), ("clarification", 15, 25.0, 1),
        ("reaction", 0, None, 0), ("panier", 0, None, 0),
    ]
    assert (session.handled, session.backlog_after) == (0, 1)


# --- Facilitation -----------------------------------------------------------------------------


def test_in_a_self_managed_group_the_members_who_drove_are_its_facilitators(
    group, participants, play, now
):
    group.facilitation = "self"
    group.save(update_fields=["facilitation"])
    juliette, dragos = participants[:2]
    first = play(20)
    for person in (juliette, dragos):
        first(person, "join", 0)
    first(juliette, "start", 0)
    triage(first, dragos, 2, {juliette: "MOT-J"})  # Dragos closes the round
    handle(first, dragos, juliette, "MOT-J", 5)  # and drives the subject
    first(juliette, "end", 70)
    second = play(10)
    for person in (juliette, dragos):
        second(person, "join", 0)
    second(juliette, "start", 0)
    second(juliette, "end", 30)
    figures = group_figures(group, "all", now=now)
    assert [s.facilitators for s in figures.sessions] == [
        tuple(sorted((juliette.pk, dragos.pk))), (juliette.pk,)
    ]
    assert figures.facilitators_count == 2
    assert figures.facilitation == ((juliette.pk, 2), (dragos.pk, 1))


# --- The follow-up loop ------------------------------------------------------------------------


def test_actions_planned_reported_and_done_across_two_sessions_with_the_report_back(
    group, facilitator, participants, play, now
):
    juliette, dragos = participants[:2]
    first = play(40, drivers=(facilitator,))
    for person in (juliette, dragos):
        first(person, "join", 0)
    first(facilitator, "start", 0)
    triage(first, facilitator, 2, {juliette: "MOT-J"})
    handle(first, facilitator, juliette, "MOT-J", 5,
           actions=("ACTION-1", "ACTION-2", "ACTION-3"))
    first(facilitator, "end", 70)
    assert group_figures(group, now=now).report_back is False  # intervision: not by default

    group.report_back = True
    group.save(update_fields=["report_back"])
    second = play(10, drivers=(facilitator,))
    for person in (juliette, dragos):
        second(person, "join", 0)
    second(facilitator, "start", 0)
    assert second.state().stage == "retour"
    one, two, three = (Action.objects.get(text=f"ACTION-{n}").pk for n in (1, 2, 3))
    second(juliette, "report", 3, action=one, status="done", note="NOTE-FAIT")
    second(juliette, "report", 4, action=two, new_subject=True)
    second(juliette, "report", 5, action=three, status="dropped")
    second(juliette, "done", 6)
    second(facilitator, "close_triage", 7)
    second(facilitator, "end", 30)

    figures = group_figures(group, now=now)
    assert figures.report_back is True
    first_figures, second_figures = figures.sessions
    assert (first_figures.actions_planned, first_figures.actions_reported,
            first_figures.actions_done) == (3, 3, 1)
    assert (second_figures.actions_planned, second_figures.actions_reported,
            second_figures.actions_done) == (0, 0, 0)
    assert second_figures.proposed == 1  # the action that became a subject
    assert {k: figures.totals[k] for k in ("actions_planned", "actions_reported",
                                           "actions_done")} == {
        "actions_planned": 3, "actions_reported": 3, "actions_done": 1}
    assert personal_figures(juliette, group) == PersonalFigures(2, 2, 1, 1, 1, 1, 1)
    assert personal_figures(dragos, group) == PersonalFigures(2, 0, 0, 0, 0, 0, 0)


# --- Periods -----------------------------------------------------------------------------------


def test_the_period_chooses_the_sessions(group, facilitator, participants, play, now):
    old, year, recent = (quick(play, facilitator, participants[:2], days)
                         for days in (400, 200, 30))
    ids = {period: [s.session_id for s in group_figures(group, period, now=now).sessions]
           for period in ("last", "3m", "12m", "all")}
    assert ids == {"last": [recent.pk], "3m": [recent.pk], "12m": [year.pk, recent.pk],
                   "all": [old.pk, year.pk, recent.pk]}
    assert group_figures(group, "12m", now=now).since == now - timedelta(days=365)
    assert group_figures(group, "all", now=now).since is None
    assert group_figures(group, "last", now=now).since == recent.scheduled_at
    assert group_figures(group, "12m", now=now).totals["sessions"] == 2
    # What was said of a session outside the period is not in its figures.
    for person, score in zip(participants[:3], (1, 2, 3), strict=True):
        give(old, person, score)
    assert group_figures(group, "3m", now=now).feedback == NO_FEEDBACK
    assert group_figures(group, "all", now=now).feedback.responses == 3


# --- The members' own word ----------------------------------------------------------------------


@pytest.fixture
def ended_sessions(group, facilitator, participants, play):
    people = participants[:2]
    return [quick(play, facilitator, people, days) for days in (20, 10)]


def give(session, author, usefulness, keeps="", shared=False):
    return Feedback.objects.create(session=session, author=author, usefulness=usefulness,
                                   keeps=keeps, shared=shared)


def test_below_three_answers_only_the_distribution_shows_and_not_its_small_counts(
    group, participants, ended_sessions, now
):
    first, second = ended_sessions
    give(first, participants[0], 4, "PARTAGE-UN", shared=True)
    give(second, participants[1], 5, "PRIVE-DEUX")
    feedback = group_figures(group, "all", now=now).feedback
    assert feedback == FeedbackFigures(
        responses=2, distribution=((1, 0), (2, 0), (3, 0), (4, None), (5, None)),
        average=None, shared=(),
    )


def test_the_distribution_hides_small_counts_and_the_shared_sentences_come_without_names(
    group, facilitator, organiser, participants, ended_sessions, play, now
):
    first, second = ended_sessions
    juliette, dragos, amina, paul = participants
    give(first, juliette, 4, "PARTAGE-UN", shared=True)
    give(first, dragos, 4, "PRIVE-NON-PARTAGE")
    give(first, amina, 4, "   ", shared=True)
    give(second, paul, 4, "PARTAGE-DEUX", shared=True)
    give(second, facilitator, 5)
    give(second, organiser, 2, "PARTAGE-TROIS ", shared=True)
    running = play(0, drivers=(facilitator,))
    give(running.session, juliette, 1, "PARTAGE-PAS-FINIE", shared=True)  # not ended
    feedback = group_figures(group, "all", now=now).feedback
    assert feedback.responses == 6 >= SMALL
    assert feedback.distribution == ((1, 0), (2, None), (3, 0), (4, 4), (5, None))
    # The exact average and the total would give the two hidden counts back.
    assert feedback.average is None
    assert sorted(feedback.shared) == ["PARTAGE-DEUX", "PARTAGE-TROIS", "PARTAGE-UN"]
    # Over the last session alone, three answers: shown, with the one shared sentence.
    last = group_figures(group, "last", now=now).feedback
    assert (last.responses, last.distribution) == (
        3, ((1, 0), (2, None), (3, 0), (4, None), (5, None))
    )
    assert last.average is None
    assert sorted(last.shared) == ["PARTAGE-DEUX", "PARTAGE-TROIS"]


def test_one_hidden_count_hides_the_next_smallest_too_and_the_average_shows_without_any(
    group, facilitator, organiser, participants, ended_sessions, now
):
    first, second = ended_sessions
    people = [*participants, facilitator, organiser]
    for person, score in zip(people, (4, 4, 4, 5, 5, 5), strict=True):
        give(first, person, score)
    feedback = group_figures(group, "all", now=now).feedback
    assert feedback.distribution == ((1, 0), (2, 0), (3, 0), (4, 3), (5, 3))
    assert feedback.average == pytest.approx(4.5)
    give(second, participants[0], 2)
    feedback = group_figures(group, "all", now=now).feedback
    # 2/5 alone would be the total minus the rest: 4/5 is hidden with it.
    assert feedback.distribution == ((1, 0), (2, None), (3, 0), (4, None), (5, 3))
    assert feedback.average is None


# --- Privacy, retention and cost ----------------------------------------------------------------


def test_no_row_the_figures_read_holds_a_keyword_a_text_a_note_or_a_private_feedback(
    group, participants, one_session, now
):
    juliette, dragos, amina, _paul = participants
    give(one_session, juliette, 4, "PARTAGE-OUI", shared=True)
    give(one_session, dragos, 3, "PRIVE-NON")
    give(one_session, amina, 5, "PRIVE-NON-PLUS")
    Action.objects.update(note="NOTE-ACTION")
    Contribution.objects.update(note="NOTE-PANIER")
    assert any(said in repr(Event.objects.values_list("state_before")) for said in SAID)
    with CaptureQueriesContext(connection) as queries:
        figures = group_figures(group, "all", now=now)
        personal_figures(juliette, group)
    assert figures.feedback.shared == ("PARTAGE-OUI",)
    read = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(query["sql"])  # the same query again, to see what it fetched
            read.append(repr(cursor.fetchall()))
    assert "PARTAGE-OUI" in "".join(read)
    for said in SAID:
        assert said not in "".join(read), said


def test_the_figures_survive_the_retention_purge_and_an_erasure(
    group, facilitator, participants, play, now
):
    juliette, dragos = participants[:2]
    p = play(group.retention_days + 30, drivers=(facilitator,))
    for person in (juliette, dragos):
        p(person, "join", 0)
    p(facilitator, "start", 0)
    triage(p, facilitator, 5, {juliette: "MOT-J", dragos: "MOT-D"})
    handle(p, facilitator, juliette, "MOT-J", 10, actions=("ACTION-1",))
    p(facilitator, "end", 80)
    before = group_figures(group, "all", now=now)
    assert "DIT-REACTION" in repr(Event.objects.values_list("state_before"))
    assert retention.purge(timezone.now()) >= 1
    assert Session.objects.get(pk=p.session.pk).purged_at is not None
    assert "DIT-REACTION" not in repr(Event.objects.values_list("state_before"))
    assert group_figures(group, "all", now=now) == before
    assert timings(before.sessions[0])[0] == ("expose", 10, 12.0, 1)
    # Dragos erases his account: what he did in the session still counts; his waiting
    # subject leaves the backlog.
    actions.do_erase_account(dragos)
    after = group_figures(group, "all", now=now)
    assert after.sessions == before.sessions
    assert (before.backlog_now, after.backlog_now) == (1, 0)


def history(play, facilitator, participants, days):
    """A session with registrations, a subject handled with an action, and feedback."""
    juliette, dragos, amina = participants[:3]
    p = play(days, drivers=(facilitator,))
    for person in (juliette, dragos, amina):
        Registration.objects.create(session=p.session, user=person)
        p(person, "join", 0)
    p(facilitator, "start", 0)
    triage(p, facilitator, 2, {juliette: f"MOT-{days}", dragos: f"MOT-D{days}"})
    handle(p, facilitator, juliette, f"MOT-{days}", 5, actions=("ACTION",))
    p(dragos, "withdraw", 60, subject=Subject.objects.get(keyword=f"MOT-D{days}").pk)
    p(facilitator, "end", 70)
    for person, score in ((juliette, 4), (dragos, 5), (amina, 3)):
        give(p.session, person, score, "PARTAGE", shared=True)


def count_queries(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_sessions(
    group, facilitator, participants, play, now
):
    juliette = participants[0]
    for days in (50, 40):
        history(play, facilitator, participants, days)
    assert len(group_figures(group, "all", now=now).sessions) == 2
    with_two = {period: count_queries(lambda p=period: group_figures(group, p, now=now))
                for period in ("last", "3m", "all")}
    personal_two = count_queries(lambda: personal_figures(juliette, group))
    for days in (35, 30, 20, 10):
        history(play, facilitator, participants, days)
    figures = group_figures(group, "all", now=now)
    assert len(figures.sessions) == 6 and figures.totals["withdrawn"] == 6
    with_six = {period: count_queries(lambda p=period: group_figures(group, p, now=now))
                for period in ("last", "3m", "all")}
    assert with_two == with_six == dict.fromkeys(("last", "3m", "all"), GROUP_QUERIES)
    assert personal_two == count_queries(lambda: personal_figures(juliette, group))
    assert personal_two == PERSONAL_QUERIES
