"""The community's « Bilan » page and its CSV, as its leaders see them: their groups' figures
added up and group by group, counts only, small counts hidden, printable; and what they
never show."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities.figures import COLUMNS
from participants.models import Community
from sessions_app.models import Action, Contribution, Session

from .histories import community_with_history, held, leader_of, new_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def page(client, user, community, **query):
    client.force_login(user)
    response = client.get(reverse("community_bilan", args=[community.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def rows_of(client, community, **query):
    response = client.get(reverse("community_bilan_csv", args=[community.pk]), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="bilan-communaute')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def table(body) -> dict[str, list[str]]:
    """The page's per-group table: {row heading: its cells}."""
    part = body.split('class="figures-table"', 1)[1].split("</table>", 1)[0]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", part, re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if heading:
            name = re.sub(r"<[^>]+>", "", heading.group(1)).strip()
            found[name] = re.findall(r"<td>(.*?)</td>", row, re.S)
    return found


def shown_numbers(body) -> list[str]:
    """Every figure the page writes: the « En bref » numbers, the table's cells, the
    charts' values and their tables' cells."""
    return [
        *re.findall(r"<dd>([^<]*)</dd>", body),
        *re.findall(r"<td>([^<]*)</td>", body),
        *re.findall(r'class="value">([^<]*)</text>', body),
    ]


def test_leaders_see_each_group_and_the_total_as_a_table_and_charts(client, now):
    community = community_with_history(now)
    body = page(client, leader_of(community), community, periode="all")
    assert "Bilan de la communauté — Produit &amp; Co" in body
    assert 'aria-current="page">Depuis le début' in body
    cells = table(body)
    assert list(cells) == ["Data fermé", "Design ops", "Nouveau", "Pairs produit", "Total"]
    # Sessions, subjects proposed, subjects handled, present, seats.
    assert cells["Total"][:5] == ["6", "22", "8", "24", "38"]
    assert cells["Pairs produit"][1] == "12" and cells["Nouveau"][:5] == ["0"] * 5
    assert body.count('<svg class="bars"') == 6
    for title in ("Sujets par groupe", "Présence par groupe", "Utilité des séances"):
        assert title in body
    assert "Data (fermé)" in body  # in the charts' rows too
    # The printable page: its button (wired by a script of its own, no inline script).
    assert "data-print hidden>Imprimer / PDF</button>" in body
    assert "js/print.js" in body and "<script>" not in body
    assert "Édité le" in body


def test_the_print_stylesheet_leaves_the_figures_alone_black_on_white():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    printed = css.split("@media print", 1)[1]
    for hidden in (".topbar", ".site-footer", ".tabs", ".no-print", "button"):
        assert hidden in printed.split("display: none", 1)[0]
    assert "color: #000" in printed and "break-inside: avoid" in printed
    script = (Path(settings.BASE_DIR) / "static" / "js" / "print.js").read_text()
    assert "window.print()" in script


def test_the_csv_has_one_line_per_group_and_the_total(client, now):
    community = community_with_history(now)
    client.force_login(leader_of(community))
    rows = rows_of(client, community, periode="all")
    assert list(rows[0]) == [
        "scope",
        "name",
        "closed_on",
        "last_session",
        *COLUMNS,
        "usefulness_average",
    ]
    assert [(r["scope"], r["name"]) for r in rows] == [
        ("group", "Data"),
        ("group", "Design ops"),
        ("group", "Nouveau"),
        ("group", "Pairs produit"),
        ("community", ""),
    ]
    assert rows[0]["closed_on"] and not rows[1]["closed_on"]
    total = rows[-1]
    assert [total[c] for c in ("sessions", "subjects_proposed", "subjects_handled")] == [
        "6",
        "22",
        "8",
    ]
    assert rows[3]["subjects_proposed"] == "12"


def test_the_last_session_of_each_group_and_the_page_says_so(client, now):
    community = community_with_history(now)
    leader = leader_of(community)
    body = page(client, leader, community, periode="last")
    assert "la dernière séance de chaque groupe" in body
    assert "Dernière séance</th>" in body
    # Each group that held a session: one session, whose day is written.
    cells = table(body)
    last_day = (now - timedelta(days=10)).strftime("%Y-%m-%d")
    rows = rows_of(client, community, periode="last")
    assert [r["last_session"] for r in rows][2:] == ["", last_day, ""]
    assert cells["Nouveau"][0] == "—"


def test_counts_of_one_or_two_are_never_shown_totals_included(client, now):
    """One group held one session with two people; the other groups' counts and the
    totals would give its counts back by subtraction: they go too."""
    community = Community.objects.create(name="Petite")
    small, driver, two = new_group(community, "Petit", people=["Sam", "Tia", "Ugo"])
    held(small, driver, two, now, 5, handling=1, actions=("S-1",), scores=(4, 5))
    big, lead, many = new_group(community, "Grand", people=["Val", "Wes", "Xia", "Yan", "Zoe"])
    for days in (20, 15, 10):
        held(big, lead, many, now, days, handling=1, scores=(4, 4, 4, 4))
    leader = leader_of(community)
    body = page(client, leader, community, periode="all")
    numbers = shown_numbers(body)
    assert "masqué" in numbers
    assert not {"1", "2"} & set(numbers), numbers
    # Shown where nothing small hides among them: seats; and the totals that pin nothing.
    cells = table(body)
    assert (cells["Petit"][4], cells["Grand"][4], cells["Total"][4]) == ("7", "21", "28")
    assert (cells["Petit"][1], cells["Grand"][1], cells["Total"][1]) == ("masqué", "masqué", "14")
    rows = rows_of(client, community, periode="all")
    for row in rows:
        for column in COLUMNS:
            assert row[column] not in ("1", "2"), (row["name"], column)
    petit = next(r for r in rows if r["name"] == "Petit")
    assert petit["sessions"] == "" and petit["feedback_responses"] == ""
    total = rows[-1]
    assert total["sessions"] == "4"  # 1 + 3: both groups' hidden
    assert next(r for r in rows if r["name"] == "Grand")["sessions"] == ""


def test_nothing_identifying_in_the_page_nor_the_csv(client, now):
    """Names of people, keywords, what was said, actions, notes, titles, feedback (private
    and shared with the group): none leaves the group."""
    community = Community.objects.create(name="Discrète")
    group, driver, people = new_group(
        community, "Cercle", people=["Zephyrine", "Barthelemy", "Philomene", "Anatole", "Leocadie"]
    )
    session = held(
        group,
        driver,
        people,
        now,
        12,
        handling=2,
        actions=("ACTION-CONFIDENTIELLE",),
        scores=(4, 4, 4, 5),
        keeps="PHRASE-PARTAGEE-AU-GROUPE",
        title="TITRE-DE-SEANCE",
    )
    held(group, driver, people, now, 5, handling=1, scores=(3, 3, 3, 3))
    Action.objects.update(note="NOTE-D-ACTION")
    Contribution.objects.update(note="NOTE-DE-PANIER")
    session.feedback.filter(author=people[0]).update(keeps="PRIVE-NON-PARTAGE", shared=False)
    keywords = list(group.subjects.values_list("keyword", flat=True))
    assert keywords and Session.objects.filter(title="TITRE-DE-SEANCE").exists()
    leader = leader_of(community)
    secrets = [
        *(person.display_name for person in (driver, *people)),
        *(person.email for person in (driver, *people)),
        *keywords,
        "DIT-REACTION",
        "ACTION-CONFIDENTIELLE",
        "NOTE-D-ACTION",
        "NOTE-DE-PANIER",
        "PHRASE-PARTAGEE-AU-GROUPE",
        "PRIVE-NON-PARTAGE",
        "TITRE-DE-SEANCE",
    ]
    for period in ("last", "all"):
        body = page(client, leader, community, periode=period)
        text = "".join(str(r) for r in rows_of(client, community, periode=period))
        assert "Cercle" in body and "Cercle" in text  # the group's name: the leaders'
        for secret in secrets:
            assert secret not in body, secret
            assert secret not in text, secret


def test_empty_states(client, now):
    community = Community.objects.create(name="Naissante")
    leader = leader_of(community)
    body = page(client, leader, community)
    assert "La communauté n’a pas encore de groupe" in body
    assert "figures-table" not in body
    new_group(community, "Premier", people=["Rose", "Remy"])
    body = page(client, leader, community)
    assert "Aucune séance terminée sur cette période" in body
    assert "figures-table" not in body
    assert len(rows_of(client, community)) == 2  # the group and the total, at zero


def test_the_pages_queries_do_not_grow_with_the_number_of_groups(client, now):
    community = Community.objects.create(name="C")
    leader = leader_of(community)
    client.force_login(leader)
    counted = {}
    for i in range(4):
        group, driver, members = new_group(
            community, f"G{i}", people=[f"D{i}", f"M{i}a", f"M{i}b", f"M{i}c"]
        )
        held(group, driver, members, now, 20 + i, handling=1, actions=(f"X-{i}",), scores=(4, 4, 5))
        for name in ("community_bilan", "community_bilan_csv"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(reverse(name, args=[community.pk]))
            assert response.status_code == 200
            counted[(name, i + 1)] = len(queries.captured_queries)
    for name in ("community_bilan", "community_bilan_csv"):
        assert counted[(name, 1)] == counted[(name, 4)], counted


def test_the_page_reads_in_english_too(client, now):
    community = community_with_history(now)
    client.force_login(leader_of(community))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("community_bilan", args=[community.pk])).content.decode()
    for english in (
        "Community review",
        "Group by group",
        "Subjects per group",
        "Print / PDF",
        "closed",
        "Last session",
    ):
        assert english in body, english
    for french in ("Groupe par groupe", "Sujets par groupe", "Imprimer / PDF", "masqué"):
        assert french not in body, french
