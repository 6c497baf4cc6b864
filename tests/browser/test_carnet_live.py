"""« Mon carnet » on the live session page: written as one types, emptied to delete the note,
and no Content Security Policy violation while typing (the table fails on any console
error, CSP report included)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_typing_saves_the_note_and_emptying_the_field_deletes_it(table_for):
    table = table_for()
    juliette = table.open("Juliette")
    page = juliette.page
    field = page.get_by_role("textbox", name="Ma note sur cette séance")
    status = page.locator("#carnet-status")
    field.press_sequentially("Penser au binôme", delay=20)
    expect(status).to_contain_text("Enregistré à")
    page.reload()
    table.wait_connected(juliette)
    expect(field).to_have_value("Penser au binôme")

    field.fill("")
    expect(status).to_have_text("Note effacée de votre carnet.")
    page.reload()
    table.wait_connected(juliette)
    expect(field).to_have_value("")
    page.goto(f"/g/{table.data['group']}/logbook/")
    expect(page.locator("main")).not_to_contain_text("Penser au binôme")

    # Writing again after deleting starts a new note, saved as before.
    page.go_back()
    table.wait_connected(juliette)
    field.press_sequentially("Une autre idée", delay=20)
    expect(status).to_contain_text("Enregistré à")


def test_typing_in_the_carnet_while_the_session_moves_on_and_starting_a_new_note(table_for):
    """The live region updates around the carnet while one types, in English, on a phone:
    the note keeps its text, « Nouvelle note » starts another, and no CSP violation."""
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette", viewport={"width": 375, "height": 812})
    page = juliette.page
    page.context.add_cookies(
        [{"name": "django_language", "value": "en", "url": table.server.base_url}]
    )
    page.reload()
    table.wait_connected(juliette)
    field = page.locator("#carnet-text")
    field.press_sequentially("Before the round, ", delay=15)
    lucie.page.get_by_role("button", name="Commencer le tour de mots-clés").click()
    expect(juliette.live()).to_contain_text("Keyword round")
    field.press_sequentially("during it.", delay=15)
    expect(page.locator("#carnet-status")).to_contain_text("Saved")
    expect(field).to_have_value("Before the round, during it.")
    page.locator("#carnet").get_by_role("button", name="New note").click()
    expect(page.locator("#carnet-text")).to_have_value("")
    page.locator("#carnet-text").press_sequentially("A second note.", delay=15)
    expect(page.locator("#carnet-status")).to_contain_text("Saved")
