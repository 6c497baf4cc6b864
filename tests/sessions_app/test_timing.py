"""Every session shown with its true state (``Session.timing``): à venir, en cours, terminée,
non tenue; lists in order (next first, then the most recent past) with the link each state
calls for, on the home page, the group page, the session's info page and its live page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions_app import live
from sessions_app.models import ENDED, LIVE, MISSED, UPCOMING, Session

PARIS = ZoneInfo("Europe/Paris")
VISIO = "https://visio.example.org/pairs"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=PARIS)


def make(group, title, when, stage=None):
    return Session.objects.create(
        group=group,
        format=group.format,
        title=title,
        scheduled_at=when,
        visio_url=VISIO,
        state={"stage": stage} if stage else {},
    )


def play(session, facilitator, participant, *, end=True):
    live.apply(session.pk, participant, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    if end:
        live.apply(session.pk, facilitator, {"type": "end"}, None)
    session.refresh_from_db()
    return session


# --- The rule ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_state_follows_the_live_state_then_the_groups_day(group):
    now = at(10, 15)
    assert make(group, "plus tard", at(24, 18)).timing_at(now) == UPCOMING
    assert make(group, "ce soir", at(10, 20)).timing_at(now) == UPCOMING
    # Planned this morning, not started yet: still à venir (late), not "non tenue".
    assert make(group, "en retard", at(10, 9)).timing_at(now) == UPCOMING
    assert make(group, "la veille", at(9, 20)).timing_at(now) == MISSED
    assert make(group, "commencée hier", at(9, 20), stage="triage").timing_at(now) == LIVE
    # Started before its date: en cours, whatever the calendar says.
    assert make(group, "en avance", at(24, 18), stage="subject").timing_at(now) == LIVE
    assert make(group, "finie", at(24, 18), stage="ended").timing_at(now) == ENDED
    assert make(group, "finie hier", at(9, 18), stage="ended").timing_at(now) == ENDED
    assert make(group, "accueil", at(9, 18), stage="lobby").timing_at(now) == MISSED


@pytest.mark.django_db
def test_the_day_is_the_groups_day(group):
    late = make(group, "tard", at(10, 23, 30))
    after_midnight_in_paris = at(11, 0, 10)
    assert late.timing_at(after_midnight_in_paris) == MISSED
    group.time_zone = "America/New_York"  # 17:30 and 18:10 the same day there
    group.save()
    late.refresh_from_db()
    assert late.timing_at(after_midnight_in_paris) == UPCOMING


@pytest.mark.django_db
def test_a_session_opens_on_its_day_or_within_the_hour(group):
    now = timezone.now()
    assert make(group, "maintenant", now + timedelta(minutes=5)).is_joinable
    assert make(group, "commencée", now + timedelta(days=20), stage="retour").is_joinable
    assert not make(group, "dans trois semaines", now + timedelta(days=20)).is_joinable
    assert not make(group, "finie", now, stage="ended").is_joinable
    assert not make(group, "oubliée", now - timedelta(days=3)).is_joinable


@pytest.mark.django_db
def test_registration_closes_once_ended_not_held_or_over(group):
    now = timezone.now()
    assert make(group, "à venir", now + timedelta(days=20)).registration_open
    assert not make(group, "finie tôt", now + timedelta(hours=1), stage="ended").registration_open
    assert not make(group, "oubliée", now - timedelta(days=3)).registration_open


@pytest.mark.django_db
def test_upcoming_next_first_and_past_most_recent_first(group, django_assert_num_queries):
    now = timezone.now()
    far = make(group, "loin", now + timedelta(days=30))
    soon = make(group, "bientôt", now + timedelta(days=2))
    running = make(group, "en cours", now - timedelta(days=1), stage="order")
    fresh = make(group, "sans état", now + timedelta(days=5))  # no live state at all yet
    ended = make(group, "finie", now - timedelta(days=7), stage="ended")
    ended_early = make(group, "finie en avance", now + timedelta(days=9), stage="ended")
    missed = make(group, "non tenue", now - timedelta(days=14))
    with django_assert_num_queries(1):
        upcoming = Session.objects.filter(group=group).upcoming(10)
    assert upcoming == [running, soon, fresh, far]
    with django_assert_num_queries(1):
        past = Session.objects.filter(group=group).past(10)
    assert past == [ended_early, ended, missed]
    assert Session.objects.filter(group=group).upcoming(2) == [running, soon]
    assert Session.objects.filter(group=group).past(1) == [ended_early]


# --- The pages ---------------------------------------------------------------------------


def split(page: str, heading: str) -> tuple[str, str]:
    before, _, after = page.partition(heading)
    assert after, heading
    return before, after


@pytest.fixture
def calendar(group, session, facilitator, participants):
    """An ended session (last week), one planned today, one in three weeks, one started,
    one not held (two weeks ago)."""
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(scheduled_at=now - timedelta(days=7))
    ended = play(Session.objects.get(pk=session.pk), facilitator, participants[0])
    return {
        "ended": ended,
        "today": make(group, "Aujourd’hui", now + timedelta(minutes=30)),
        "far": make(group, "Dans trois semaines", now + timedelta(days=21)),
        "live": play(
            make(group, "Déjà commencée", now - timedelta(hours=1)),
            facilitator,
            participants[1],
            end=False,
        ),
        "missed": make(group, "Oubliée", now - timedelta(days=14)),
    }


def links(page: str, session: Session) -> dict[str, bool]:
    return {
        "info": reverse("session_info", args=[session.pk]) + '"' in page,
        "live": reverse("session_page", args=[session.pk]) + '"' in page,
        "takeaway": reverse("session_takeaway", args=[session.pk]) + '"' in page,
    }


def row(page: str, session: Session) -> str:
    start = page.index(f'href="{reverse("session_info", args=[session.pk])}"')
    start = page.rindex("<li", 0, start)
    return page[start : page.index("</li>", start)]


@pytest.mark.django_db
def test_home_lists_what_comes_next_then_what_is_past(client, calendar, participant):
    client.force_login(participant)
    page = client.get(reverse("home")).content.decode()
    upcoming, past = split(page, "Séances passées")
    # Next first: the one started, today's, then in three weeks; nothing past among them.
    order = [upcoming.find(f">{calendar[k].title}<") for k in ("live", "today", "far")]
    assert -1 not in order and order == sorted(order)
    assert calendar["ended"].title not in upcoming and calendar["missed"].title not in upcoming
    assert past.find(calendar["ended"].title) < past.find(calendar["missed"].title)
    assert_rows(page, calendar)


@pytest.mark.django_db
def test_the_group_page_lists_them_the_same_way(client, calendar, participant, group):
    client.force_login(participant)
    page = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    upcoming, past = split(page, "<h3>Passées</h3>")
    assert "<h3>À venir</h3>" in upcoming
    order = [upcoming.find(f">{calendar[k].title}<") for k in ("live", "today", "far")]
    assert -1 not in order and order == sorted(order)
    assert calendar["ended"].title in past and calendar["missed"].title in past
    assert past.find(calendar["ended"].title) < past.find(calendar["missed"].title)
    assert_rows(page, calendar)


def assert_rows(page, calendar):
    live_row = row(page, calendar["live"])
    assert "en cours" in live_row and ">Rejoindre<" in live_row
    assert links(live_row, calendar["live"])["live"]
    today = row(page, calendar["today"])
    assert "à venir" in today and links(today, calendar["today"])["live"]
    # Weeks away: its info page (registration), never the live page, which would seat you.
    far = row(page, calendar["far"])
    assert "à venir" in far and not links(far, calendar["far"])["live"]
    assert "#registration" in far
    ended = row(page, calendar["ended"])
    assert "terminée" in ended and "Ce que j’emporte" in ended and "Résumé" in ended
    assert links(ended, calendar["ended"])["takeaway"] and "Rejoindre" not in ended
    missed = row(page, calendar["missed"])
    assert "non tenue" in missed and not links(missed, calendar["missed"])["live"]
    assert "Rejoindre" not in missed


@pytest.mark.django_db
def test_an_ended_session_page_offers_neither_the_visio_nor_a_live_badge(
    client, calendar, participant
):
    client.force_login(participant)
    ended = client.get(reverse("session_page", args=[calendar["ended"].pk])).content.decode()
    assert VISIO not in ended and "Ouvrir la visio" not in ended
    running = client.get(reverse("session_page", args=[calendar["live"].pk])).content.decode()
    assert VISIO in running and "Ouvrir la visio" in running


@pytest.mark.django_db
def test_the_info_page_says_the_state_and_offers_its_link(client, calendar, participant):
    client.force_login(participant)

    def info(key):
        return client.get(reverse("session_info", args=[calendar[key].pk])).content.decode()

    page = info("ended")
    assert "terminée" in page and VISIO not in page and "Rejoindre" not in page
    assert links(page, calendar["ended"])["takeaway"] and ".ics" not in page
    assert "les inscriptions sont closes" in page
    page = info("far")
    assert "à venir" in page and not links(page, calendar["far"])["live"]
    assert "s’ouvre le jour même" in page and VISIO in page
    page = info("today")
    assert "Rejoindre la séance" in page and links(page, calendar["today"])["live"]
    page = info("live")
    assert "en cours" in page and "Rejoindre la séance" in page
    page = info("missed")
    assert "non tenue" in page and "n’a pas eu lieu" in page and "Rejoindre" not in page
    assert VISIO not in page and "les inscriptions sont closes" in page


@pytest.mark.django_db
def test_an_ended_session_takes_no_more_registrations(client, calendar, participants):
    ended = calendar["ended"]
    Session.objects.filter(pk=ended.pk).update(scheduled_at=timezone.now() + timedelta(days=1))
    client.force_login(participants[3])
    client.post(reverse("session_register", args=[ended.pk]))
    assert not ended.registrations.filter(user=participants[3]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, tab",
    [
        ("group_detail", "Le groupe"),
        ("group_members", "Membres"),
        ("group_invitations", "Invitations"),
        ("group_applications", "Candidatures"),
        ("bilan", "Bilan"),
    ],
)
def test_the_organisers_tabs_mark_the_page_shown(client, group, organiser, name, tab):
    client.force_login(organiser)
    page = client.get(reverse(name, args=[group.pk])).content.decode()
    nav = page[page.index('class="button-row group-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.count('aria-current="page"') == 1
    assert f'aria-current="page">{tab}</a>' in nav


@pytest.mark.django_db
def test_the_lists_cost_the_same_queries_whatever_their_length(client, group, participant):
    client.force_login(participant)

    def count(name, *args):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=args)).status_code == 200
        return len(queries)

    now = timezone.now()
    make(group, "une", now + timedelta(days=1))
    make(group, "deux", now - timedelta(days=8), stage="ended")
    few = (count("home"), count("group_detail", group.pk))
    for k in range(6):
        make(group, f"à venir {k}", now + timedelta(days=3 + k))
        make(group, f"finie {k}", now - timedelta(days=10 + k), stage="ended")
        make(group, f"oubliée {k}", now - timedelta(days=30 + k))
        make(group, f"en cours {k}", now - timedelta(days=2), stage="triage")
    assert (count("home"), count("group_detail", group.pk)) == few
