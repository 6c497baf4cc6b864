"""« Mon attestation de participation »: what a person's taking part adds up to, for them
alone — the sessions they were at, their hours, the period, the kinds of practice, the
sessions they facilitated, their communities; never a group's name or content, never
anyone else's name."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from insights.attestation import ATTESTATION_QUERIES, attestation
from participants.models import Community, Group, Membership
from sessions_app import live
from sessions_app.models import Session

from ..conftest import make_user

NBSP = "\u00a0"


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def held(group, days_ago, now, *, minutes, joined=(), absent=(), driver, title=""):
    """An ended session of ``group``, ``days_ago`` days back, ``minutes`` long from its start
    to its end: ``joined`` sit at the table, ``absent`` among them are marked absent, and
    ``driver`` starts and ends it (at the table only if among ``joined``)."""
    session = Session.objects.create(
        group=group,
        format=group.format,
        title=title or f"SEANCE-SECRETE-{days_ago}",
        scheduled_at=now - timedelta(days=days_ago),
    )
    session.facilitators.add(driver)
    t = session.scheduled_at.timestamp()
    for person in joined:
        live.apply(session.pk, person, {"type": "join"}, None, now=t)
    for person in absent:
        live.apply(
            session.pk,
            driver,
            {"type": "set_absent", "person": person.pk, "absent": True},
            None,
            now=t,
        )
    live.apply(session.pk, driver, {"type": "start"}, None, now=t)
    live.apply(session.pk, driver, {"type": "end"}, None, now=t + minutes * 60)
    return session


@pytest.fixture
def juliette(participants):
    return participants[0]


@pytest.fixture
def history(group, community, facilitator, participants, juliette, now):
    """Juliette's path through three groups.

    « Pairs produit » (intervision, community « Produit & Co »): at the table 100 days ago
    (95 min) and 400 days ago (120 min); marked absent 50 days ago; not there 20 days ago.
    « Codev Nord » (codéveloppement, community « Guilde Ops »): she facilitates 30 days ago,
    at the table (75 min), and 10 days ago, driving only (45 min).
    « Cercle discret » (intervision, no community), which she has left since: at the table
    and driving 5 days ago (30 min). A session still to come is not counted."""
    dragos = participants[1]
    held(group, 100, now, minutes=95, joined=(juliette, dragos), driver=facilitator)
    held(group, 400, now, minutes=120, joined=(juliette, dragos), driver=facilitator)
    held(
        group,
        50,
        now,
        minutes=60,
        joined=(juliette, dragos),
        absent=(juliette,),
        driver=facilitator,
    )
    held(group, 20, now, minutes=60, joined=(dragos,), driver=facilitator)
    Session.objects.create(group=group, format="intervision", scheduled_at=now + timedelta(days=3))

    guild = Community.objects.create(name="Guilde Ops")
    codev = Group.objects.create(name="Codev Nord", format="codev", community=guild)
    nadia = make_user("Nadia")
    for person in (juliette, nadia):
        Membership.objects.create(group=codev, user=person)
    held(codev, 30, now, minutes=75, joined=(juliette, nadia), driver=juliette)
    held(codev, 10, now, minutes=45, joined=(nadia,), driver=juliette)

    alone = Group.objects.create(name="Cercle discret", format="intervision")
    left = Membership.objects.create(group=alone, user=juliette, role=Membership.ORGANISER)
    Membership.objects.create(group=alone, user=make_user("Basile"))
    held(alone, 5, now, minutes=30, joined=(juliette,), driver=juliette)
    left.remove()
    return {"group": group, "codev": codev, "alone": alone}


def test_sessions_at_the_table_or_driven_are_counted_with_their_actual_hours(
    history, juliette, now
):
    mine = attestation(juliette)
    # At the table: 400, 100 and 30 days ago, and 5 days ago (a group she has left since);
    # driving only: 10 days ago. Absent (50) and not there (20): not counted.
    assert mine.sessions == 5
    assert mine.minutes == 120 + 95 + 75 + 45 + 30
    assert (mine.intervision, mine.codev) == (3, 2)
    assert mine.facilitated == 3  # both of « Codev Nord », and the one she drove alone
    assert mine.groups == 3
    assert mine.first == timezone.localdate(now - timedelta(days=400))
    assert mine.last == timezone.localdate(now - timedelta(days=5))


def test_each_community_has_its_line_and_groups_standing_alone_theirs(history, juliette):
    lines = {(c.name, c.sessions, c.minutes, c.groups) for c in attestation(juliette).communities}
    assert lines == {
        ("Produit & Co", 2, 215, 1),
        ("Guilde Ops", 2, 120, 1),
        ("", 1, 30, 1),  # hors communauté
    }


def test_without_any_community_there_is_no_community_line(group, facilitator, juliette, now):
    held(group, 3, now, minutes=60, joined=(juliette,), driver=facilitator)
    assert attestation(juliette).communities == ()


def test_the_period_keeps_the_sessions_held_in_it(history, juliette, now):
    today = timezone.localdate(now)
    last_year = attestation(juliette, since=today - timedelta(days=365), until=today)
    assert last_year.sessions == 4 and last_year.minutes == 95 + 75 + 45 + 30
    assert last_year.first == timezone.localdate(now - timedelta(days=100))
    around = attestation(
        juliette,
        since=timezone.localdate(now - timedelta(days=30)),
        until=timezone.localdate(now - timedelta(days=10)),
    )
    assert (around.sessions, around.minutes, around.codev, around.facilitated) == (2, 120, 2, 2)
    assert attestation(juliette, since=today, until=today).sessions == 0


def test_someone_who_attended_nothing_has_an_empty_attestation(group, participants, history):
    paul = participants[3]
    nothing = attestation(paul)
    assert (nothing.sessions, nothing.minutes, nothing.first, nothing.communities) == (
        0,
        0,
        None,
        (),
    )


def test_the_queries_do_not_grow_with_the_history(
    history, juliette, facilitator, group, now, django_assert_num_queries
):
    with django_assert_num_queries(ATTESTATION_QUERIES):
        attestation(juliette)
    for days in (60, 61, 62):
        held(group, days, now, minutes=10, joined=(juliette,), driver=facilitator)
    other = Group.objects.create(name="Encore un", community=Community.objects.create(name="X"))
    Membership.objects.create(group=other, user=juliette)
    held(other, 7, now, minutes=10, joined=(juliette,), driver=juliette)
    with django_assert_num_queries(ATTESTATION_QUERIES):
        assert attestation(juliette).sessions == 9


# --- The page and its download ---------------------------------------------------------------


def page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("attestation"), query)


def test_the_page_says_it_all_for_the_person(client, history, juliette, now):
    body = page(client, juliette).content.decode()
    assert "Juliette" in body
    assert (
        "Intervision atteste que Juliette a participé à 5 séances d’intervision et de "
        "codéveloppement" in body
    )
    assert f"6{NBSP}h{NBSP}05" in body  # 365 minutes
    assert "3 groupes" in body
    assert "Produit &amp; Co" in body and "Guilde Ops" in body and "hors communauté" in body
    assert timezone.localdate().strftime("%Y") in body  # the date of issue
    assert "libre-service" in body


def test_no_group_name_keyword_nor_anyone_elses_name_in_the_page_or_the_download(
    client, history, juliette, participants, facilitator
):
    from sessions_app.models import Subject

    Subject.objects.create(group=history["group"], owner=juliette, keyword="MOT-CLE-SECRET")
    Subject.objects.create(group=history["group"], owner=participants[1], keyword="AUTRE-MOT")
    shown = page(client, juliette).content.decode()
    downloaded = client.get(reverse("attestation_download")).content.decode()
    for body in (shown, downloaded):
        for secret in (
            "Pairs produit",
            "Codev Nord",
            "Cercle discret",
            "MOT-CLE-SECRET",
            "AUTRE-MOT",
            "SEANCE-SECRETE",
            "Dragos",
            "Nadia",
            "Basile",
            "Lucie",
            "Amina",
            "Paul",
        ):
            assert secret not in body, secret
        assert "Juliette" in body


def test_the_download_is_a_standalone_html_file_without_script(client, history, juliette):
    client.force_login(juliette)
    response = client.get(reverse("attestation_download"), {"periode": "12m"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="attestation-intervision-{today:%Y-%m-%d}.html"'
    )
    body = response.content.decode()
    assert body.startswith("<!doctype html>")
    assert "<script" not in body and "<link" not in body and "<style>" in body
    assert "4 séances" in body  # the period asked
    assert "Mon compte" not in body and "Se déconnecter" not in body  # no page around it


def test_the_page_prints_without_its_header_and_buttons(client, history, juliette):
    from django.contrib.staticfiles import finders

    def printed(name):
        found = finders.find(f"css/{name}")
        assert isinstance(found, str)
        return open(found, encoding="utf-8").read().split("@media print", 1)[1]

    body = page(client, juliette).content.decode()
    assert "css/attestation.css" in body and "css/app.css" in body
    assert ".attestation" in printed("attestation.css")
    hiding = next(rule for rule in printed("app.css").split("}") if "display: none" in rule)
    for hidden in (".topbar", ".site-footer", ".no-print"):
        assert hidden in hiding, hidden
    # What the page wraps around the document is marked not to print.
    assert body.count('class="card no-print"') == 2 and '<h1 class="no-print">' in body


def test_the_period_is_chosen_on_the_page(client, history, juliette, now):
    body = page(client, juliette, periode="12m").content.decode()
    assert "4 séances" in body and f"4{NBSP}h{NBSP}05" in body
    du = timezone.localdate(now - timedelta(days=30)).isoformat()
    au = timezone.localdate(now - timedelta(days=10)).isoformat()
    body = page(client, juliette, periode="dates", du=du, au=au).content.decode()
    assert "2 séances de codéveloppement" in body
    assert f'value="{du}"' in body  # what was chosen stays in the form
    # The download link carries the period chosen.
    assert f"periode=dates&amp;du={du}&amp;au={au}" in body


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"periode": "dates", "au": "2026-01-01"}, "Indiquez la date de début."),
        ({"periode": "dates", "du": "2025-01-01"}, "Indiquez la date de fin."),
        (
            {"periode": "dates", "du": "2025-03-01", "au": "2025-02-01"},
            "La date de fin vient avant la date de début.",
        ),
        (
            {"periode": "dates", "du": "2025-02-30", "au": "2025-03-01"},
            "Saisissez une date valide.",
        ),
        (
            {
                "periode": "dates",
                "du": (date.today() + timedelta(days=30)).isoformat(),
                "au": (date.today() + timedelta(days=40)).isoformat(),
            },
            "La date de début est dans le futur",
        ),
        ({"periode": "toujours"}, "Sélectionnez un choix valide."),
    ],
)
def test_a_wrong_period_is_said_in_french(client, history, juliette, query, error):
    response = page(client, juliette, **query)
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body
    assert "atteste" not in body  # no attestation for a period that does not hold
    download = client.get(reverse("attestation_download"), query)
    assert download.status_code == 302 and download["Location"].startswith(reverse("attestation"))


def test_nothing_attended_says_so(client, group, participants):
    body = page(client, participants[3]).content.decode()
    assert "Aucune séance suivie" in body
    assert "atteste" not in body


def test_the_page_reads_in_english(client, history, juliette):
    client.force_login(juliette)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("attestation")).content.decode()
    assert "Attestation of participation" in body
    assert (
        "Intervision attests that Juliette took part in 5 intervision and "
        "co-development sessions" in body
    )
    assert "outside any community" in body
    assert "atteste" not in body and "séances" not in body


def test_it_is_linked_from_the_persons_own_pages(client, history, juliette):
    client.force_login(juliette)
    url = reverse("attestation")
    for name, args in (("home", []), ("account", []), ("bilan", [history["group"].pk])):
        assert url in client.get(reverse(name, args=args)).content.decode(), name


def test_the_page_runs_as_many_queries_however_long_the_history(
    client, history, juliette, facilitator, group, now
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(juliette)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("attestation")).status_code == 200
        # The session is read from the cache or the database, as the deployment keeps it.
        return len([q for q in captured if "django_session" not in q["sql"]])

    before = queries()
    assert before == 1 + ATTESTATION_QUERIES  # the person, then the figures
    for days in (60, 61, 62):
        held(group, days, now, minutes=10, joined=(juliette,), driver=facilitator)
    assert queries() == before


def test_who_facilitated_is_counted_as_the_bilan_counts_it(history, juliette, facilitator):
    """The attestation asks the database which sessions the person drove; the Bilan reads
    the same from each session's log (``eventlog.drivers``): both say the same."""
    from insights import eventlog

    ended = Session.objects.filter(stage="ended")
    logs = eventlog.by_session(ended.values("pk"))
    for person in (juliette, facilitator):
        driven = sum(person.pk in eventlog.drivers(log) for log in logs.values())
        assert attestation(person).facilitated == driven > 0
