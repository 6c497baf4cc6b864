"""Formats organisers shape, used by a session; the job-aid shown to whoever drives."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_format_edited_by_an_organiser_is_used_by_a_session(table_for):
    table = table_for(organiser=True)
    group = table.data["group"]
    olga = table.person("Olga")
    page = olga.page

    # Olga starts from the intervision preset, from her group's navigation.
    page.goto(f"/g/{group}/")
    page.get_by_role("link", name="Formats").click()
    expect(page.get_by_text("Aucun format propre au groupe")).to_be_visible()
    page.get_by_role("button", name="Créer un format à partir de « Intervision »").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Intervision (à adapter)")

    # The form fits a phone's width.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})

    # She renames it, renames the clarification, shortens it and writes its job-aid.
    page.get_by_label("Nom du format").fill("Méthode d’incident")
    second = page.locator("fieldset.phase").nth(1)
    second.get_by_label("Nom de la phase").fill("Questions sur les faits")
    second.get_by_label("Durée (minutes)").fill("12")
    second.get_by_label("Aide à l’animation").fill("Des faits, pas encore d’avis.")
    # A time box out of bounds is explained, and what she typed stays.
    page.locator("fieldset.phase").nth(0).get_by_label("Durée (minutes)").fill("200")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Une durée entre 1 et 120 minutes.")).to_be_visible()
    expect(second.get_by_label("Aide à l’animation")).to_have_value("Des faits, pas encore d’avis.")
    page.locator("fieldset.phase").nth(0).get_by_label("Durée (minutes)").fill("8")
    # The réaction round goes; the panier moves up into its place.
    page.get_by_role("button", name="Retirer (phase 3)").click()
    expect(page.get_by_text("Pas encore enregistré")).to_be_visible()
    expect(page.locator("fieldset.phase")).to_have_count(3)
    expect(page.locator("fieldset.phase").nth(1).get_by_label("Nom de la phase")).to_have_value(
        "Questions sur les faits"
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Le format est enregistré.")).to_be_visible()
    # The list shows each phase with its time box.
    expect(page.locator("#live, main")).to_contain_text(
        re.compile(
            r"Exposé \(8\s*min\) → Questions sur les faits \(12\s*min\) → Panier \(10\s*min\)"
        )
    )

    # The session is given that format.
    session = table.data["sessions"][0]
    page.goto(f"/s/{session}/edit/")
    page.get_by_label("Format").select_option(label="Méthode d’incident")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(re.compile(rf"/s/{session}/info/$"))

    # The session runs it: its phases, time boxes and job-aid.
    lucie = table.open("Lucie")
    for name in ("Juliette", "Dragos"):
        table.open(name)
    table.start_keyword_round(lucie)
    lucie.page.locator("#keyword").fill("incident client")
    table.click(lucie, lucie.page.get_by_role("button", name="Proposer"), expect="incident client")
    table.click(lucie, lucie.page.get_by_role("button", name="Clore le tour de mots-clés"),
                expect="Ordre des sujets")
    table.click(lucie, lucie.page.get_by_role("button", name="Commencer ce sujet"),
                expect="Exposé")
    steps = lucie.page.locator("#live ol.steps li")
    expect(steps).to_have_text(["Exposé", "Questions sur les faits", "Panier"])
    expect(lucie.page.locator("#live .clocks")).to_contain_text(re.compile(r"sur 8\s*min"))
    # Its rule says the format's time box, not the preset's « 5 à 10 minutes ».
    expect(lucie.page.locator("#live .rule")).to_contain_text(
        re.compile(r"expose sa situation \(8\s*min\)")
    )
    table.click(lucie, lucie.page.locator("#live form:has(input[value=done]) button").first,
                expect="Questions sur les faits")
    expect(lucie.page.locator("#live .clocks")).to_contain_text(re.compile(r"sur 12\s*min"))
    lucie.page.locator("#job-aid summary").click()
    expect(lucie.page.locator("#job-aid")).to_contain_text("Des faits, pas encore d’avis.")

    # Changing the format now does not change the running session.
    page.goto(f"/g/{group}/formats/")
    page.get_by_role("link", name="Modifier « Méthode d’incident »").click()
    page.locator("fieldset.phase").nth(1).get_by_label("Nom de la phase").fill("Autre nom")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    lucie.page.reload()
    expect(lucie.page.locator("#live ol.steps li").nth(1)).to_have_text(
        "Questions sur les faits"
    )


def test_the_job_aid_is_shown_to_the_facilitator_folded_in_french_and_in_english(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    dragos = table.open("Dragos")
    table.start_keyword_round(lucie)

    aid = lucie.page.locator("#job-aid")
    summary = aid.locator("summary")
    expect(summary).to_have_text("Aide à l’animation")
    text = "Un mot-clé pour votre sujet, ou passez."
    expect(aid.get_by_text(text, exact=False)).to_be_hidden()  # folded at first
    summary.click()
    expect(aid).to_contain_text(text)
    expect(aid).to_contain_text("le tour s’arrête quand tout le monde passe")
    # Someone else's move updates the page: the job-aid stays open.
    table.click(juliette, juliette.page.get_by_role("button", name="Je passe"), expect="Dragos")
    expect(aid).to_have_attribute("open", "")
    expect(aid).to_contain_text(text)
    # Folded again with the keyboard.
    summary.focus()
    lucie.page.keyboard.press("Enter")
    expect(aid.get_by_text(text, exact=False)).to_be_hidden()
    # Participants have none.
    for person in (juliette, dragos):
        expect(person.page.locator("#job-aid")).to_have_count(0)

    # In English.
    lucie.page.locator("header.topbar").get_by_role("button", name="English").click()
    lucie.page.wait_for_function("() => document.documentElement.lang === 'en'")
    table.wait_connected(lucie)
    english = lucie.page.locator("#job-aid")
    english.locator("summary").click()
    expect(english.locator("summary")).to_have_text("Facilitation guide")  # EN:
    expect(english).to_contain_text("A keyword for your subject, or pass.")  # EN:
