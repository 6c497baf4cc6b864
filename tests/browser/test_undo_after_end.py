"""A session ended by mistake, in real browsers: the facilitator's page offers to undo the
end, the members' pages do not, and undoing it reopens the session on every open page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_facilitator_reopens_a_session_ended_by_mistake(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    table.start_keyword_round(lucie)
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Terminer la séance"),
        expect="Séance terminée",
    )
    undo = lucie.page.locator(".session-ended").get_by_role(
        "button", name="Annuler la dernière étape"
    )
    expect(undo).to_be_visible()
    expect(juliette.page.locator("#live")).to_have_class(re.compile("stage-ended"))
    expect(juliette.page.get_by_role("button", name="Annuler la dernière étape")).to_have_count(0)

    table.click(lucie, undo, expect="Tour de mots-clés")  # its confirmation accepted
    for person in (lucie, juliette):
        expect(person.page.locator("#live")).to_have_class(re.compile("stage-triage"))
        expect(person.page.locator(".session-ended")).to_have_count(0)
    expect(lucie.page.get_by_role("button", name="Terminer la séance")).to_be_visible()
