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
