"""The French and the English interface, chosen with the switch in the header.

French is the default whatever the browser says (every context here says en-US). Assertions on
English wording are grouped in ENGLISH and marked ``# EN:`` so they are easy to check against
locale/en/LC_MESSAGES/django.po when the catalogue changes.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# EN: the English catalogue's wording for a few French source strings.
ENGLISH = {
    "Se déconnecter": "Sign out",
    "Ouvrir la visio": "Open the video call",
    "En direct": "Live",
    "Tour de mots-clés": "Keyword round",
    "Votre mot-clé (un seul par tour)": "Your keyword (one per round)",
    "C’est votre tour.": "It is your turn.",
}


def lang(person):
    return person.page.locator("html").get_attribute("lang")


def test_french_by_default_and_english_with_the_header_switch(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    dragos = table.open("Dragos")

    # French, although every browser here asks for English.
    for person in (lucie, juliette, dragos):
        assert lang(person) == "fr"
        expect(person.page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        expect(person.page.locator("#connection")).to_have_text("En direct")

    # Juliette switches to English in the header; only her pages change.
    switch = juliette.page.locator("header.topbar").get_by_role("button", name="English")
    assert switch.get_attribute("lang") == "en"
    switch.click()
    juliette.page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert juliette.page.url == table.session_url()
    table.wait_connected(juliette)
    body = juliette.page.locator("body")
    for french in ("Se déconnecter", "Ouvrir la visio", "La séance va commencer"):
        expect(body).not_to_contain_text(french)
    expect(
        juliette.page.locator("header.topbar").get_by_role("button", name="Français")
    ).to_be_visible()
    expect(
        juliette.page.get_by_role("button", name=ENGLISH["Se déconnecter"])
    ).to_be_visible()  # EN:
    expect(
        juliette.page.get_by_role("link", name=ENGLISH["Ouvrir la visio"])
    ).to_be_visible()  # EN:
    expect(juliette.page.locator("#connection")).to_have_text(ENGLISH["En direct"])  # EN:
    assert lang(lucie) == "fr" and lang(dragos) == "fr"

    # A step pushed over the websocket reaches each page in its person's language.
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Commencer le tour de mots-clés"),
        expect="Juliette",
    )
    for person in (lucie, dragos):
        expect(person.page.locator("#live .stage")).to_contain_text(
            "Tour de mots-clés", ignore_case=True
        )
    expect(juliette.page.locator("#live")).not_to_contain_text(
        "Tour de mots-clés", ignore_case=True
    )
    expect(juliette.page.locator("#live .stage")).to_contain_text(  # EN:
        ENGLISH["Tour de mots-clés"], ignore_case=True
    )
    expect(juliette.page.locator("label[for=keyword]")).to_have_text(  # EN:
        ENGLISH["Votre mot-clé (un seul par tour)"]
    )
    expect(juliette.page.locator("#announce")).to_have_text(ENGLISH["C’est votre tour."])  # EN:

    # The choice sticks across pages, and the switch brings French back.
    juliette.page.goto("/")
    assert lang(juliette) == "en"
    juliette.page.goto(table.session_url())
    juliette.page.locator("header.topbar").get_by_role("button", name="Français").click()
    juliette.page.wait_for_function("() => document.documentElement.lang === 'fr'")
    table.wait_connected(juliette)
    expect(juliette.page.locator("label[for=keyword]")).to_have_text(
        "Votre mot-clé (un seul par tour)"
    )
    expect(juliette.page.get_by_role("button", name="Se déconnecter")).to_be_visible()
