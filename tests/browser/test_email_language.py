"""E-mails in each recipient's language, whoever acts, in Chromium: Dragos switches the
interface to English in the header, Paul chooses English for his e-mails in « Mon compte »,
Juliette never changes anything; Olga, the organiser, browsing in English, cancels the
session. Juliette's notice and its calendar file are in French, Dragos's and Paul's in
English (the test server's console backend writes the messages to its log)."""

import re

import pytest
from playwright.sync_api import expect

from .test_series import body, calendar_of, sent_mail, subject

pytestmark = pytest.mark.browser


def test_an_organiser_in_english_cancels_and_each_member_reads_their_own_language(table_for):
    table = table_for(organiser=True)
    people = table.data["people"]
    session = table.data["sessions"][0]

    dragos = table.person("Dragos").page
    dragos.goto(f"/g/{table.data['group']}/")
    dragos.locator("header.topbar").get_by_role("button", name="English").click()
    dragos.wait_for_function("() => document.documentElement.lang === 'en'")

    paul = table.person("Paul").page
    paul.goto("/account/")
    paul.get_by_label("Langue", exact=True).select_option("en")
    paul.get_by_role("button", name="Enregistrer").click()
    expect(paul.locator(".messages")).to_contain_text("Your e-mails will reach you in English.")

    olga = table.person("Olga").page
    olga.goto(f"/s/{session}/info/")
    olga.locator("header.topbar").get_by_role("button", name="English").click()
    olga.wait_for_function("() => document.documentElement.lang === 'en'")
    olga.get_by_role("link", name="Cancel the session").click()
    olga.get_by_role("button", name="Yes, cancel the session").click()
    expect(olga).to_have_url(re.compile(rf"/g/{table.data['group']}/$"))

    # The notices left (after the commit) before the page that follows was served.
    sent = sent_mail(table.server.log_path)

    def notice(name):
        [message] = [m for m in sent if m["To"] == people[name]["email"]]
        return message

    french = notice("Juliette")
    assert subject(french).startswith("Séance annulée — «\u00a0")
    assert "a annulé une séance du groupe" in body(french)
    [event] = calendar_of(french).walk("VEVENT")
    assert "Page de la séance" in str(event["description"])
    for name in ("Dragos", "Paul"):
        english = notice(name)
        assert subject(english).startswith("Session cancelled — "), name
        [event] = calendar_of(english).walk("VEVENT")
        assert "Session page" in str(event["description"]), name
