"""Every page: no console error and no CSP violation (axe-core runs on the same pages in
``test_a11y``).

The pages are found by following the links of the app as each kind of person (organiser,
facilitator, participant, visitor), so a page added later is covered without touching this
file. The live session page is also checked at its key moments (lobby, keyword round on
somebody's turn, a round, the panier, the end) and on a phone-sized screen.
"""

import re
from urllib.parse import urldefrag, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Links not to follow: they sign out, download a file, or leave the app.
SKIP = re.compile(r"^/(logout|admin|static|i18n)/|\.ics$|/healthz$")
MAX_PAGES = 40


def pattern(path: str) -> str:
    """/g/12/members/ and /g/13/members/ are the same page."""
    return re.sub(r"/[0-9]+(?=/|$)", "/N", path)


def crawl(table, person, starts):
    """Visit every page reachable by links from ``starts``; yield (path, page) once per pattern."""
    origin = table.server.base_url
    seen: set[str] = set()
    queue = list(starts)
    page = person.page
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if pattern(path) in seen:
            continue
        seen.add(pattern(path))
        response = page.goto(path)
        assert response is not None and response.status < 400, (
            f"{person.name}: {path} answered {response and response.status}"
        )
        if page.locator("#live-root").count():
            table.wait_connected(person)
        yield path, page
        # Pages only: a link marked ``download`` gives a file (tested where it is offered).
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.href)"
        ):
            href = urldefrag(href)[0]
            if not href.startswith(origin):
                continue
            target = urlparse(href)
            path_q = target.path + (f"?{target.query}" if target.query else "")
            if not SKIP.search(target.path) and pattern(target.path) not in seen:
                queue.append(path_q)


def session_moments(table):
    """Drive a short session and yield (moment, person) at its key moments."""
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    dragos = table.open("Dragos")
    phone = table.open("Amina", viewport=PHONE)
    yield "lobby, facilitator", lucie
    yield "lobby, participant on a phone", phone
    table.click(lucie, lucie.page.get_by_role("button", name="Commencer le tour de mots-clés"))
    # The "your turn" announcement is in an aria-live region.
    announce = juliette.page.locator("#announce")
    assert announce.get_attribute("aria-live") in ("assertive", "polite")
    expect(announce).to_have_text("C’est votre tour.")
    yield "keyword round, participant whose turn it is", juliette
    yield "keyword round, facilitator", lucie
    juliette.page.locator("#keyword").fill("équilibre")
    table.click(juliette, juliette.page.get_by_role("button", name="Proposer"))
    table.click(lucie, lucie.page.get_by_role("button", name="Clore le tour de mots-clés"))
    yield "order of subjects, facilitator", lucie
    table.click(lucie, lucie.page.get_by_role("button", name="Commencer ce sujet"))
    table.click(juliette, juliette.page.get_by_role("button", name="Exposé terminé"))
    dragos.page.locator("#speak-text").fill("Depuis quand ?")
    yield "clarification round, participant whose turn it is", dragos
    yield "clarification round, on a phone", phone
    table.click(dragos, dragos.page.get_by_role("button", name="J’ai posé ma question"))
    yield "clarification round, facilitator", lucie
    table.click(lucie, lucie.page.get_by_role("button", name="Terminer la phase"))
    table.click(lucie, lucie.page.get_by_role("button", name="Terminer la phase"))
    yield "panier, subject owner", juliette
    yield "panier, facilitator", lucie
    table.click(lucie, lucie.page.get_by_role("button", name="Terminer la séance"))
    yield "ended, participant", dragos


def visitor_pages(table):
    """The pages before signing in (the sign-in form, a sign-in link, the group's public
    page), and the home page of somebody in no group yet."""
    visitor = table.person("Paul", signed_in=False)
    paths = ["/login/", f"/login/link/{table.data['people']['Paul']['link']}/"]
    if table.data.get("public_key"):
        paths.append(f"/apply/{table.data['public_key']}/")
    for path in paths:
        response = visitor.page.goto(path)
        assert response.status == 200, path
        yield path, visitor.page
    outsider = table.person("Oscar")
    response = outsider.page.goto("/")
    assert response.status == 200
    expect(outsider.page.locator("main")).to_contain_text("aucun groupe")
    yield "/ (in no group)", outsider.page


def test_no_console_error_and_no_csp_violation_on_any_page(table_for):
    table = table_for(organiser=True, outsider=True, links=True, sessions=2)
    visited = []
    for path, _page in visitor_pages(table):
        visited.append(path)
    for name in ("Olga", "Lucie", "Juliette"):
        person = table.person(name)
        for path, page in crawl(table, person, ["/"]):
            page.wait_for_timeout(150)  # let late script errors surface
            visited.append(f"{name} {path}")
    for moment, _person in session_moments(table_for()):
        visited.append(moment)
    # The crawl reached the main pages (the rest depends on what the app offers).
    expected = ["Olga /", "Olga /g/N/", "Lucie /s/N/", "Juliette /s/N/"]
    found = [f"{v.split()[0]} {pattern(v.split()[1])}" for v in visited if v.count(" ") == 1]
    for page_name in expected:
        assert page_name in found, f"{page_name} not reached; visited: {visited}"
    # Console errors, uncaught exceptions and CSP violations are collected on every page and
    # fail the test at its end (table_for); print the list for the record.
    print(f"{len(visited)} pages and moments checked: {visited}")

