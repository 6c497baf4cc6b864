"""Time everyone sees: the order stage's planner on a participant's phone, an overrun told to
everyone (once, out loud too), and the facilitator's « +2 min » and « Passer à la suite »."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def play_to_the_order(table) -> None:
    """From the server's shell: Juliette, Dragos and Amina at the table, three subjects
    proposed in the keyword round, which the facilitator closes."""
    people = table.data["people"]
    table.server.shell(
        "from participants.models import User; from sessions_app import live;"
        f"people = {{n: User.objects.get(pk=p['id']) for n, p in {people!r}.items()}};"
        f"session = {table.data['sessions'][0]};"
        "[live.apply(session, people[n], {'type': 'join'}, None)"
        " for n in ('Juliette', 'Dragos', 'Amina')];"
        "live.apply(session, people['Lucie'], {'type': 'start'}, None);"
        "[live.apply(session, people[n], {'type': 'propose', 'keyword': k}, None)"
        " for n, k in (('Juliette', 'équilibre'), ('Dragos', 'recrutement'),"
        " ('Amina', 'budget'))];"
        "live.apply(session, people['Lucie'], {'type': 'close_triage'}, None)"
    )


def began(table, key: str, seconds_ago: float) -> None:
    """The session (``started_at``) or its phase (``phase_started_at``) began
    ``seconds_ago``: time passes without waiting for it."""
    table.server.shell(
        "import time; from sessions_app.models import Session;"
        f"s = Session.objects.get(pk={table.data['sessions'][0]});"
        f"s.state = {{**s.state, {key!r}: time.time() - {seconds_ago}}};"
        "s.save(update_fields=['state'])"
    )


def phase_began(table, seconds_ago: float) -> None:
    began(table, "phase_started_at", seconds_ago)


def reopen(table, person) -> None:
    person.page.reload()
    person.page.locator("#live").wait_for()
    table.wait_connected(person)


def test_the_planner_then_an_overrun_with_two_more_minutes(table_for):
    table = table_for()
    play_to_the_order(table)
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    amina = table.open("Amina", viewport=PHONE)
    everyone = [lucie, juliette, amina]

    # The order stage: on Amina's phone, her main column shows the order and the planner.
    # Two hours, 55 minutes a subject: two should fit tonight, the third will likely wait.
    planner = amina.page.locator("#live .main-col .planner")
    expect(planner).to_be_visible()
    expect(planner).to_contain_text("Un sujet prend environ 55\u00a0min.")
    rows = planner.locator(".plan-row")
    expect(rows).to_have_count(3)
    for i, (keyword, verdict) in enumerate([
        ("équilibre", "devrait passer dans cette séance"),
        ("recrutement", "devrait passer dans cette séance"),
        ("budget", "attendra sans doute la prochaine séance"),
    ]):
        expect(rows.nth(i)).to_contain_text(keyword)
        expect(rows.nth(i).locator(".verdict:visible")).to_have_text(verdict)
    width = amina.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    # The facilitator sees the same beside their controls.
    expect(lucie.page.locator("#live .planner .plan-row")).to_have_count(3)

    # Time passes: with 1 h 50 left but 4 seconds, the second subject still fits for 4
    # seconds, then will likely wait too, on the page, with no new step.
    began(table, "started_at", 10 * 60 - 4)
    reopen(table, amina)
    expect(planner).to_contain_text("Temps restant\u00a0: 1\u00a0h\u00a050.")
    expect(rows.nth(1).locator(".verdict:visible")).to_have_text(
        "attendra sans doute la prochaine séance", timeout=10_000
    )
    expect(rows.nth(0).locator(".verdict:visible")).to_have_text(
        "devrait passer dans cette séance"
    )

    table.click(lucie, lucie.page.get_by_role("button", name="Commencer ce sujet"),
                expect="Exposé")
    for person in everyone:
        expect(person.page.locator("#live .clocks")).to_contain_text("sur 10\u00a0min")
        expect(person.page.locator("#live .clocks")).to_contain_text("min sur 2\u00a0h")
        expect(person.page.locator("#live .overrun").first).to_be_hidden()

    # The exposé is 4 seconds from its 10 minutes when the pages open again: no message yet,
    # then the message appears by itself for everyone, with its words, and is read out once.
    phase_began(table, 10 * 60 - 4)
    for person in everyone:
        reopen(table, person)
        person.page.evaluate(
            "() => { window.__announced = 0; new MutationObserver(() => window.__announced++)"
            ".observe(document.getElementById('clock-announce'),"
            " { childList: true, characterData: true, subtree: true }); }"
        )
    message = "Le temps de la phase «\u00a0Exposé\u00a0» (10\u00a0min) est dépassé."
    for person in everyone:
        overrun = person.page.locator("#live .overrun", has_text="Exposé")
        expect(overrun).to_be_visible(timeout=10_000)
        expect(overrun).to_contain_text(message)
        expect(person.page.locator("#clock-announce")).to_have_text(message)
    expect(lucie.page.get_by_role("button", name="+2 min pour cette phase"))\
        .to_be_visible()
    expect(lucie.page.get_by_role("button", name="Passer à la suite")).to_be_visible()
    for person in (juliette, amina):
        expect(person.page.get_by_role("button", name="Passer à la suite")).to_have_count(0)
        expect(person.page.locator("#live .overrun button")).to_have_count(0)
    # The clock ticks on: the message is not read again every second.
    counts = [p.page.evaluate("() => window.__announced") for p in everyone]
    lucie.page.wait_for_timeout(2500)
    assert [p.page.evaluate("() => window.__announced") for p in everyone] == counts

    # « +2 min »: the message goes away for everyone and the box says 12 minutes.
    table.click(
        lucie, lucie.page.get_by_role("button", name="+2 min pour cette phase"),
        expect="sur 12 min",
    )
    for person in everyone:
        expect(person.page.locator("#live .overrun", has_text="Exposé")).to_be_hidden()
        expect(person.page.locator("#live .clocks")).to_contain_text("sur 12\u00a0min")

    # Over again, later: the facilitator moves on to the clarification.
    phase_began(table, 13 * 60)
    reopen(table, lucie)
    expect(lucie.page.locator("#live .overrun", has_text="Exposé")).to_contain_text(
        "(12\u00a0min)"
    )
    table.click(lucie, lucie.page.get_by_role("button", name="Passer à la suite"),
                expect="Clarification")
    for person in everyone:
        expect(person.page.locator("#live .steps [aria-current=step]")).to_have_text(
            re.compile("Clarification")
        )
        expect(person.page.locator("#live .clocks")).to_contain_text("sur 15\u00a0min")
