"""The table and the ritual as real groups met them (issue 23, items 1 to 4 and 6):

- in codéveloppement the person who facilitates does not sit at the table by default, and
  unchecking « La personne qui anime participe aussi » takes her off it at once, on every
  open page;
- a participant's lobby lists under « Présents » only the people present;
- the report back offers every action of the plan with its status, a done one included;
- the screen-share display says in words that a phase runs over, as the session page does;
- a cancelled session's open pages say so at once, not at their next poll.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Well under the slow poll (12 to 15 s) that would otherwise bring the news.
AT_ONCE = 5_000


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def seating_names(person) -> list[str]:
    return [
        " ".join(t.split()) for t in person.page.locator("#live ol.seating .name").all_inner_texts()
    ]


def test_in_codev_the_facilitator_consults_only_if_asked_and_leaves_the_table_at_once(table_for):
    table = table_for(format="codev", organiser=True)
    olga = table.person("Olga")

    # Scheduling a codev session: the box is unchecked (003: the animateur does not consult).
    olga.page.goto(f"/g/{table.data['group']}/sessions/new/")
    take_part = olga.page.get_by_label("La personne qui anime participe aussi")
    expect(take_part).not_to_be_checked()
    # It follows the method chosen, until she sets it herself.
    method = olga.page.locator("#id_method")
    method.select_option(label="Intervision")
    expect(take_part).to_be_checked()
    method.select_option(label="Codéveloppement")
    expect(take_part).not_to_be_checked()
    take_part.check()
    method.select_option(label="Intervision")
    method.select_option(label="Codéveloppement")
    expect(take_part).to_be_checked()

    # Lucie facilitates a session that says she takes part: opening the page seats her.
    session = table.data["sessions"][0]
    table.server.shell(
        "from sessions_app.models import Session;"
        f"Session.objects.filter(pk={session}).update(facilitators_take_part=True)"
    )
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    expect(lucie.page.locator("#live ol.seating")).to_contain_text("Lucie")
    expect(juliette.page.locator("#live .queue")).to_contain_text("Lucie")

    # The organiser unchecks the box: Lucie leaves the table on every open page, at once,
    # and is not counted absent.
    olga.page.goto(f"/s/{session}/edit/")
    take_part = olga.page.get_by_label("La personne qui anime participe aussi")
    expect(take_part).to_be_checked()
    take_part.uncheck()
    olga.page.get_by_role("button", name="Enregistrer").click()
    expect(olga.page.locator(".messages")).to_be_visible()
    expect(lucie.page.locator("#live ol.seating")).not_to_contain_text("Lucie", timeout=AT_ONCE)
    expect(juliette.page.locator("#live .queue")).not_to_contain_text("Lucie", timeout=AT_ONCE)
    assert seating_names(lucie) == ["Juliette"]
    # She still drives, and opening the page again does not seat her.
    lucie.page.reload()
    lucie.page.locator("#live").wait_for()
    expect(button(lucie, "Commencer le tour de mots-clés")).to_be_enabled()
    expect(lucie.page.locator("#live ol.seating")).not_to_contain_text("Lucie")


def test_a_participants_lobby_lists_only_present_people_as_present(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.open("Dragos")
    present = juliette.page.locator("#live .card", has_text="Présents")
    expect(present).to_contain_text("Dragos")
    table.click(lucie, lucie.page.get_by_role("button", name="Marquer Dragos absent·e"))
    expect(present.locator("ol.queue")).not_to_contain_text("Dragos")
    expect(present.locator("ol.queue")).to_contain_text("Juliette")
    # The facilitator's view says the same: Dragos is absent.
    expect(lucie.page.locator("#live ol.seating li", has_text="Dragos")).to_contain_text("absent")


def test_the_report_back_offers_every_action_of_the_plan_with_its_status(table_for):
    table = table_for(format="codev", sessions=2)
    first, second = table.data["sessions"]
    juliette_id = table.data["people"]["Juliette"]["id"]
    # Juliette left session 1 with a plan of two actions; one is done since.
    table.server.shell(
        "from django.utils import timezone;"
        "from sessions_app.models import Action, Session, Subject;"
        f"s = Session.objects.get(pk={first});"
        f"subject = Subject.objects.create(group=s.group, owner_id={juliette_id},"
        " keyword='délégation', status='handled', handled_in=s);"
        f"Action.objects.create(subject=subject, session=s, owner_id={juliette_id},"
        " position=0, text='Déléguer le suivi des tickets', status='done');"
        f"Action.objects.create(subject=subject, session=s, owner_id={juliette_id},"
        " position=1, text='Former Marc aux revues');"
        f"Session.objects.filter(pk={second}).update(scheduled_at=timezone.now())"
    )
    lucie = table.open("Lucie", index=1)
    juliette = table.open("Juliette", index=1)
    table.click(
        lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Retour sur les actions"
    )
    reports = juliette.page.locator("#live .reports > li")
    expect(reports).to_have_count(2)
    done = reports.filter(has_text="Déléguer le suivi des tickets")
    expect(done.locator(".tag")).to_have_text("fait")
    expect(done.get_by_label("Statut")).to_have_value("done")
    # She says what it gave.
    done.get_by_placeholder("En quelques mots (facultatif)").fill("Marc a pris le relais.")
    table.click(juliette, done.get_by_role("button", name="Dire où j’en suis"),
                expect="Marc a pris le relais.")
    expect(reports.filter(has_text="Former Marc aux revues").locator(".tag")).to_have_text(
        "à faire"
    )


def test_the_display_says_in_words_that_the_phase_runs_over(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("feedback")
    table.click(juliette, button(juliette, "Proposer"), expect="« feedback »")
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé")
    # The exposé began eleven minutes ago: its ten are over.
    table.server.shell(
        "import time; from sessions_app.models import Session;"
        f"s = Session.objects.get(pk={table.data['sessions'][0]});"
        "s.state = {**s.state, 'phase_started_at': time.time() - 660};"
        "s.save(update_fields=['state'])"
    )
    screen = table.person("Amina")
    screen.page.goto(f"/s/{table.data['sessions'][0]}/ecran/")
    screen.page.locator("#live").wait_for()
    message = "Le temps de la phase « Exposé » (10 min) est dépassé."
    expect(screen.page.locator("#live .overrun-said").first).to_have_text(message)
    expect(screen.page.locator("#live .overrun").first).to_be_visible()
    # Said out loud once, too; and the display offers no button to act with.
    expect(screen.page.locator("#clock-announce")).to_contain_text(message)
    expect(screen.page.locator("#live button")).to_have_count(0)


def test_a_cancelled_sessions_open_pages_say_so_at_once(table_for):
    table = table_for(organiser=True)
    session = table.data["sessions"][0]
    juliette = table.open("Juliette")
    screen = table.person("Amina")
    screen.page.goto(f"/s/{session}/ecran/")
    screen.page.locator("#live").wait_for()
    table.wait_connected(screen)
    olga = table.person("Olga")
    olga.page.goto(f"/s/{session}/cancel/")
    olga.page.get_by_role("button", name="Oui, annuler la séance").click()
    expect(olga.page.locator(".messages")).to_contain_text("La séance est annulée")
    for person in (juliette, screen):
        expect(person.page.get_by_role("heading", name="Cette séance est annulée.")).to_be_visible(
            timeout=AT_ONCE
        )
        # Nothing of the session is left on the page.
        expect(person.page.locator("#live")).to_have_count(0)
