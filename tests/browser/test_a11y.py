"""axe-core on every page, in French and in English, at 1,280 and at 375 px wide: any
violation fails, whatever its impact.

The pages are those of ``test_pages``: every page reachable by links as the organiser, the
facilitator, a participant and a visitor; a page with a flash message; the live session
page at its key moments; and the pages of the ended session (what its owner takes away, the
feedback form, the Bilan). One browser and one server for the whole run; each page is loaded
once per language and measured at both widths without reloading.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .test_pages import crawl, session_moments, visitor_pages

pytestmark = pytest.mark.browser

WIDTHS = ({"width": 1280, "height": 900}, {"width": 375, "height": 812})
LANGUAGES = ("fr", "en")

_axe = Axe()


def violations(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
    ]


def in_language(table, page, language: str) -> None:
    """The page again, in ``language`` (the header switch's cookie)."""
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": table.server.base_url}]
    )
    page.reload()
    page.wait_for_function(f"() => document.documentElement.lang === '{language}'")
    if page.locator("#live-root").count():
        page.wait_for_function(
            "() => { const c = document.getElementById('connection');"
            " const r = document.getElementById('live-root');"
            " return c && r && c.textContent.trim() === r.dataset.online; }",
        )


def everywhere(table, page) -> dict[str, list[str]]:
    """The violations on ``page`` in each language at each width; it ends in French at its
    first width, as it was."""
    found = {}
    for language in LANGUAGES:
        if language != "fr":
            in_language(table, page, language)
        for size in WIDTHS:
            page.set_viewport_size(size)
            found[f"{language} {size['width']}"] = violations(page)
    in_language(table, page, "fr")
    page.set_viewport_size(WIDTHS[0])
    return found


def with_a_flash_message(table, person):
    """The group's page just after its organiser saved the group's settings, with the
    message that says so, in each language (a message shows once: saved again for each)."""
    page = person.page
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": table.server.base_url}]
        )
        page.goto(f"/g/{table.data['group']}/edit/")
        page.locator("main form.form-card button[type=submit]").click()
        page.locator(".messages").wait_for()
        for size in WIDTHS:
            page.set_viewport_size(size)
            yield f"{language} {size['width']}", page
    page.context.add_cookies(
        [{"name": "django_language", "value": "fr", "url": table.server.base_url}]
    )
    page.set_viewport_size(WIDTHS[0])


def test_no_axe_violation_on_any_page_in_both_languages_at_both_widths(table_for):
    table = table_for(organiser=True, outsider=True, links=True, sessions=2)
    problems: dict[str, list[str]] = {}
    checked = 0.0
    places: list[str] = []

    def check(where, page):
        nonlocal checked
        checked += 1
        places.append(where)
        for how, found in everywhere(table, page).items():
            if found:
                problems[f"{where} [{how}]"] = found

    for path, page in visitor_pages(table):
        check(f"visitor {path}", page)
    for name in ("Olga", "Lucie", "Juliette"):
        person = table.person(name)
        for path, page in crawl(table, person, ["/"]):
            check(f"{name} {path}", page)
    for how, page in with_a_flash_message(table, table.person("Olga")):
        checked += 1 / 4
        if found := violations(page):
            problems[f"a flash message [{how}]"] = found
    played = table_for()
    for moment, person in session_moments(played):
        check(moment, person.page)
    # After the session: the owner's takeaway, a member's feedback form and the Bilan.
    session, group = played.data["sessions"][0], played.data["group"]
    for name, path in (
        ("Juliette", f"/s/{session}/emporte/"),
        ("Dragos", f"/s/{session}/retour/"),
        ("Dragos", f"/g/{group}/bilan/"),
    ):
        page = played.people[name].page
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check(f"{name} {path}, after the session", page)
    assert not problems, f"axe violations ({len(problems)} of {checked * 4} checks):\n" + (
        "\n".join(f"{where}: {found}" for where, found in problems.items())
    )
    assert checked >= 20
    print(f"{checked:.0f} pages and moments checked, each in 2 languages at 2 widths: {places}")


def test_each_panier_button_and_note_field_names_its_contribution(table_for):
    """In the panier, « Je prends » and « Note » are as many as the contributions: each says
    which one it is about, so a screen reader's list of buttons and fields tells them apart."""
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))

    def press(person, name):
        table.click(person, person.page.get_by_role("button", name=name, exact=True))

    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("délégation")
    press(juliette, "Proposer")
    press(dragos, "Je passe")
    press(amina, "Je passe")
    press(lucie, "Clore le tour de mots-clés")
    press(lucie, "Commencer ce sujet")
    press(juliette, "Exposé terminé")
    for person, question in ((dragos, "Depuis quand ?"), (amina, "Avec qui ?")):
        person.page.locator("#speak-text").fill(question)
        press(person, "J’ai posé ma question")
    press(dragos, "Je passe")
    press(amina, "Je passe")
    for person, reaction in ((dragos, "Déléguer un domaine."), (amina, "Je vis la même chose.")):
        person.page.locator("#speak-text").fill(reaction)
        press(person, "J’ai terminé")
    basket = juliette.page.locator("#live .panier")
    basket.wait_for()
    buttons = basket.get_by_role("button", name="Je prends")
    fields = basket.get_by_role("textbox")
    assert buttons.count() == fields.count() == 4
    for kind in (buttons, fields):
        names = [
            element.evaluate(
                "e => (e.labels && e.labels.length ? e.labels[0] : e).textContent.trim()"
                ".replace(/\\s+/g, ' ')"
            )
            for element in kind.all()
        ]
        assert len(set(names)) == 4, names
        assert any("Dragos" in n and "Depuis quand" in n for n in names), names
    expect(basket.get_by_role("button", name="Je prends — Amina, réaction")).to_have_count(1)
