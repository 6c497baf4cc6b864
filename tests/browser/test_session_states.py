"""A session's true state in the browser: once ended, a page left open stops offering the
visio and saying « En direct »; the home and group pages list it as past, with the way to
« Ce que j’emporte »; the organiser's tabs show which page is open."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_an_ended_session_stops_saying_live_and_moves_to_the_past(table_for, tmp_path):
    table = table_for(organiser=True, sessions=2)
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    for person in (lucie, juliette):
        expect(person.page.get_by_role("link", name="Ouvrir la visio")).to_be_visible()
        expect(person.page.locator("#connection")).to_be_visible()
    table.start_keyword_round(lucie)
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Terminer la séance"),
        expect="Séance terminée",
    )
    # The pages left open: neither the visio nor « ● En direct ».
    for person in (lucie, juliette):
        expect(person.page.get_by_role("link", name="Ouvrir la visio")).to_be_hidden()
        expect(person.page.locator("#connection")).to_be_hidden()
    juliette.page.reload()
    expect(juliette.page.locator("#live")).to_have_class(re.compile("stage-ended"))
    assert juliette.page.get_by_role("link", name="Ouvrir la visio").count() == 0

    # Home, on a phone: the next session to join, the ended one among the past.
    phone = table.person("Juliette", viewport=PHONE)
    phone.page.goto("/")
    ended, following = table.data["sessions"]
    coming = phone.page.locator("section", has_text="Prochaines séances")
    next_row = coming.locator("li", has=phone.page.locator(f'a[href="/s/{following}/info/"]'))
    expect(next_row).to_contain_text("à venir")
    expect(next_row.get_by_role("link", name="Rejoindre")).to_have_attribute(
        "href", f"/s/{following}/"
    )
    expect(coming).not_to_contain_text("Séance 1")
    past = phone.page.locator("section", has_text="Séances passées")
    past_row = past.locator("li", has=phone.page.locator(f'a[href="/s/{ended}/info/"]'))
    expect(past_row).to_contain_text("terminée")
    expect(past_row.get_by_role("link", name="Ce que j’emporte")).to_have_attribute(
        "href", f"/s/{ended}/emporte/"
    )
    phone.page.screenshot(path=str(tmp_path / "home-phone.png"), full_page=True)

    # The organiser's tabs: the page shown is marked.
    olga = table.person("Olga")
    olga.page.goto(f"/g/{table.data['group']}/members/")
    tabs = olga.page.get_by_role("navigation", name="Organisation du groupe")
    expect(tabs.locator('[aria-current="page"]')).to_have_text("Membres")
    olga.page.goto(f"/g/{table.data['group']}/")
    expect(tabs.locator('[aria-current="page"]')).to_have_text("Le groupe")
    olga.page.screenshot(path=str(tmp_path / "group-organiser.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
