"""The facilitator's menu on each subject, by keyboard: one menu per subject, each action named
after its subject; Escape or a click elsewhere closes it, and so does a chosen action, which
leaves the focus on the menu."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def focused_label(page):
    return page.evaluate("() => document.activeElement.getAttribute('aria-label')")


def test_the_subject_menu_by_keyboard(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos = table.open("Juliette"), table.open("Dragos")
    # The lobby: its stage named once, no empty bar under the table.
    expect(lucie.page.locator("#live .facilitator-bar")).to_have_count(0)
    expect(lucie.page.locator("#live .status")).to_contain_text("Accueil")
    assert lucie.page.locator("#live .status").inner_text().lower().count("accueil") == 1

    table.start_keyword_round(lucie)
    for person, keyword in ((juliette, "équilibre"), (dragos, "roadmap")):
        person.page.locator("#keyword").fill(keyword)
        table.click(person, person.page.get_by_role("button", name="Proposer"))
    table.click(lucie, lucie.page.get_by_role("button", name="Clore le tour de mots-clés"))

    page = lucie.page
    rows = page.locator("#live .subjects li")
    expect(rows).to_have_count(2)
    # One closed menu per subject: nothing else to click in the list.
    expect(page.locator("#live .subjects button:visible")).to_have_count(0)
    roadmap = rows.filter(has_text="roadmap")
    summary = roadmap.get_by_label("Gérer « roadmap »", exact=True)
    summary.focus()
    page.keyboard.press("Enter")
    names = [
        " ".join((b.get_attribute("aria-label") or "").split())
        for b in roadmap.locator(".menu-items button").all()
    ]
    assert names == [
        "Commencer « roadmap »",
        "Marquer « roadmap » urgent",
        "Retirer le sujet « roadmap »",
    ]
    page.keyboard.press("Tab")
    assert " ".join(focused_label(page).split()) == "Commencer « roadmap »"
    page.keyboard.press("Escape")
    expect(roadmap.locator(".menu-items")).to_be_hidden()
    assert " ".join(focused_label(page).split()) == "Gérer « roadmap »"

    # One menu open at a time.
    rows.filter(has_text="équilibre").locator("summary").click()
    summary.click()
    expect(page.locator("#live details.menu[open]")).to_have_count(1)
    page.locator("#live .subjects-card h3").click()  # a click elsewhere closes it
    expect(page.locator("#live details.menu[open]")).to_have_count(0)

    # Enter on « Marquer urgent »: done, the menu closed, the focus on the subject's menu.
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert " ".join(focused_label(page).split()) == "Marquer « roadmap » urgent"
    table.act(lucie, "roadmap marked urgent by keyboard", lambda: page.keyboard.press("Enter"))
    expect(rows.first.locator(".tag.urgent")).to_be_visible()
    expect(page.locator("#live details.menu[open]")).to_have_count(0)
    assert " ".join(focused_label(page).split()) == "Gérer « roadmap »"
    for person in (juliette, dragos):
        expect(person.page.locator("#live .subjects li").first).to_contain_text("roadmap")
