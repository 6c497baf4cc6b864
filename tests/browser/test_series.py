"""A recurring series in Chromium, as its organiser lives it: Olga gives the group its time
zone, schedules three sessions two weeks apart from the group page, moves the second one and
cancels the third. The calendar files (downloaded as a person would, and attached to the
members' e-mails, which the test server's console backend writes to its log) follow: same
UID, SEQUENCE one higher after the move, the new start at its local time in the group's
zone (TZID, with its VTIMEZONE), METHOD:CANCEL with an ORGANIZER for the cancelled one."""

import email
import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ZONE = "America/Montreal"  # not the server's Europe/Paris: the dates must follow the group
TZ = zoneinfo.ZoneInfo(ZONE)
JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")
TITLE = "Pairs du soir"
VISIO = "https://meet.jit.si/pairs-du-soir"


def french(when: datetime, weekday: bool = False) -> str:
    """As the pages write a date: « 16 décembre 2026, 18:30 », or with its weekday
    (« mercredi 16 décembre 2026, 18:30 », as on a session's page)."""
    day = f"{when.day} {MOIS[when.month - 1]} {when.year}, {when:%H:%M}"
    return f"{JOURS[when.weekday()]} {day}" if weekday else day


def session_pk(url: str) -> int:
    found = re.search(r"/s/([0-9]+)/info/", url)
    assert found, url
    return int(found.group(1))


def download_ics(page) -> icalendar.Component:
    """Click « Ajouter à mon agenda (.ics) » and read the file's one event."""
    with page.expect_download() as download:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")
    text = Path(download.value.path()).read_bytes().decode()  # its CRLF kept
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    # As written in the file: a start at its local time in the group's zone, the revision.
    local = utc(event).astimezone(TZ)
    assert f"DTSTART;TZID={ZONE}:{local:%Y%m%dT%H%M%S}\r\n" in text
    assert f"BEGIN:VTIMEZONE\r\nTZID:{ZONE}\r\n" in text
    assert f"SEQUENCE:{event['sequence']}\r\n" in text
    return event


def utc(event: icalendar.Component) -> datetime:
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == ZONE, "DTSTART is written in the group's time zone"
    return start.astimezone(UTC)


def sent_mail(log: Path) -> list[Message]:
    """The messages the console e-mail backend wrote to the server's log."""
    messages = []
    for chunk in log.read_text(encoding="utf-8", errors="replace").split("-" * 79):
        start = chunk.find("Content-Type: ")
        if start >= 0 and "\nSubject: " in chunk:
            messages.append(email.message_from_bytes(chunk[start:].strip().encode() + b"\n"))
    return messages


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def calendar_of(message: Message) -> icalendar.Component:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


def test_a_series_scheduled_in_the_groups_time_zone_then_one_moved_and_one_cancelled(table_for):
    table = table_for(organiser=True, sessions=0)
    group = table.data["group"]
    members = {n: p["email"] for n, p in table.data["people"].items() if n != "Olga"}
    olga = table.person("Olga")
    page = olga.page

    # The group meets in Montreal: its organiser says so in its settings.
    page.goto(f"/g/{group}/")
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_label("Fuseau horaire").select_option(ZONE)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(rf"/g/{group}/$"))

    # Three sessions, every two weeks, at 18:30 Montreal time, Lucie facilitating.
    first_day = datetime.now(TZ).date() + timedelta(days=10)
    dates = [datetime.combine(first_day + timedelta(weeks=2 * k), time(18, 30), TZ)
             for k in range(3)]
    page.goto(f"/g/{group}/")
    page.get_by_role("link", name="Programmer une séance").click()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Date").fill(first_day.isoformat())
    page.get_by_label(f"Heure ({ZONE})").fill("18:30")
    page.get_by_label("Lien de la visio").fill(VISIO)
    page.get_by_label("Lucie").check()
    page.get_by_label("Olga").uncheck()
    page.get_by_label("Répéter").select_option("weekly")
    page.get_by_label("Toutes les … semaines").fill("2")
    page.get_by_label("Nombre de séances à programmer").fill("3")
    page.get_by_role("button", name="Programmer la séance").click()
    expect(page.locator(".messages")).to_contain_text(
        "3 séances sont programmées ; les membres sont prévenus par e-mail."
    )
    first = session_pk(page.url)

    # On the group page, the three, the next first, each on its date in Montreal.
    page.goto(f"/g/{group}/")
    rows = page.locator("main li", has_text=TITLE)
    expect(rows).to_have_count(3)
    for row, when in zip(rows.all(), dates, strict=True):
        expect(row).to_contain_text(TITLE)
        expect(row).to_contain_text(french(when))

    # The second one, moved two days later, at 20:00.
    rows.nth(1).get_by_role("link", name=TITLE).click()
    second = session_pk(page.url)
    expect(page.locator("main")).to_contain_text(french(dates[1], weekday=True))
    before = download_ics(page)
    assert before["sequence"] == 0
    assert utc(before) == dates[1].astimezone(UTC)
    moved = datetime.combine(dates[1].date() + timedelta(days=2), time(20, 0), TZ)
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Date").fill(moved.date().isoformat())
    page.get_by_label(f"Heure ({ZONE})").fill("20:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text(
        "Les modifications sont enregistrées ; les membres sont prévenus par e-mail."
    )
    assert session_pk(page.url) == second
    expect(page.locator("main")).to_contain_text(french(moved, weekday=True))
    after = download_ics(page)
    assert str(after["uid"]) == str(before["uid"])
    assert after["sequence"] == 1
    assert utc(after) == moved.astimezone(UTC)
    assert utc(after) - utc(before) == moved - dates[1]
    assert str(after["summary"]).endswith(TITLE) and VISIO in str(after["description"])

    # The first is untouched: its own UID, still at SEQUENCE 0.
    page.goto(f"/s/{first}/info/")
    untouched = download_ics(page)
    assert str(untouched["uid"]) != str(after["uid"])
    assert untouched["sequence"] == 0
    assert utc(untouched) == dates[0].astimezone(UTC)

    # The third, cancelled: confirmed on its own page, then gone from the group page.
    page.goto(f"/g/{group}/")
    rows.filter(has_text=french(dates[2])).get_by_role("link", name=TITLE).click()
    third = session_pk(page.url)
    page.get_by_role("link", name="Annuler la séance").click()
    page.get_by_role("button", name="Oui, annuler la séance").click()
    expect(page).to_have_url(re.compile(rf"/g/{group}/$"))
    expect(page.locator(".messages")).to_contain_text("La séance est annulée")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(french(dates[0]))
    expect(rows.nth(1)).to_contain_text(french(moved))
    expect(page.locator("main")).not_to_contain_text(french(dates[2]))
    table.allowed.append("status of 404")  # the cancelled session's page, on purpose
    assert page.goto(f"/s/{third}/info/").status == 404

    # Every member but Olga got each notice once, with the calendar that follows it.
    sent = [m for m in sent_mail(table.server.log_path) if m["To"] in members.values()]
    for address in members.values():
        mine = [m for m in sent if m["To"] == address]
        scheduled, changed, cancelled = (
            [m for m in mine if subject(m).startswith(start)]
            for start in ("3 nouvelles séances", "Séance modifiée", "Séance annulée")
        )
        assert [len(scheduled), len(changed), len(cancelled)] == [1, 1, 1], (
            address, [subject(m) for m in mine])
        events = calendar_of(scheduled[0]).walk("VEVENT")
        assert sorted(utc(e) for e in events) == [
            d.astimezone(UTC) for d in dates
        ]
        assert all(e["sequence"] == 0 for e in events)
        text = body(changed[0])
        assert f"({ZONE})" in text and VISIO in text and f"/s/{second}/info/" in text
        [update] = calendar_of(changed[0]).walk("VEVENT")
        assert str(update["uid"]) == str(after["uid"]) and update["sequence"] == 1
        assert utc(update) == moved.astimezone(UTC)
        cancel = calendar_of(cancelled[0])
        assert str(cancel["method"]) == "CANCEL"
        [gone] = cancel.walk("VEVENT")
        assert str(gone["status"]) == "CANCELLED" and gone["sequence"] == 1
        assert str(gone["uid"]).startswith(f"session-{third}@")
        assert str(gone["organizer"]).startswith("mailto:")
    assert not [m for m in sent_mail(table.server.log_path)
                if m["To"] == table.data["people"]["Olga"]["email"]]
