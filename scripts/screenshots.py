#!/usr/bin/env python3
"""Regenerate the README's screenshots into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py

Starts the app's real daphne on a temporary SQLite database (or, with DATABASE_URL set, on a
PostgreSQL database created and dropped for the run), seeds a group (Lucie facilitates,
Juliette, Dragos, Amina and Paul take part), drives a session in Chromium (/usr/bin/chromium)
and captures the facilitator's page and a participant's page, on a desktop screen and on a
phone, at a few key moments. Then it creates the demo group (``manage.py demo``: three past
sessions and their feedback) and captures its « Bilan » page, whole, as its organiser on a
desktop screen and as a member on a phone.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright

from tests.browser.harness import Server, Table, launch

OUT = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1200, "height": 820}
PHONE = {"width": 390, "height": 780}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    server = Server()
    written = []
    try:
        server.start()
        data = server.seed("screens", sessions=1)
        with sync_playwright() as playwright:
            browser = launch(playwright)
            table = Table(server, browser, data, budget=5.0)
            lucie = table.open("Lucie", viewport=DESKTOP)
            juliette = table.open("Juliette", viewport=DESKTOP)
            dragos = table.open("Dragos", viewport=PHONE)
            amina = table.open("Amina", viewport=DESKTOP)
            paul = table.open("Paul", viewport=DESKTOP)

            def shot(name, person):
                # The clocks tick: freeze them so regenerated images only differ when the
                # page does.
                person.page.evaluate(
                    "() => document.querySelectorAll('.clock, .countdown')"
                    ".forEach(c => c.textContent = '12\u00a0min')"
                )
                path = OUT / f"{name}.png"
                person.page.screenshot(path=path, caret="initial")
                written.append(path)

            def click(person, name, **kwargs):
                table.click(
                    person, person.page.get_by_role("button", name=name, exact=True), **kwargs
                )

            shot("01-lobby-facilitator", lucie)
            click(lucie, "Commencer le tour de mots-clés")
            juliette.page.locator("#keyword").fill("équilibre")
            shot("02-keyword-round-participant-turn", juliette)
            click(juliette, "Proposer")
            dragos.page.locator("#keyword").fill("roadmap")
            click(dragos, "Proposer")
            shot("03-keyword-round-facilitator", lucie)
            click(lucie, "Amina passe")
            click(lucie, "Paul passe")
            click(lucie, "Clore le tour de mots-clés")
            row = lucie.page.locator("#live .subjects li", has_text="roadmap")
            row.locator("summary").click()  # the subject's « Gérer » menu
            urgent = row.get_by_role("button", name="Marquer «\u00a0roadmap\u00a0» urgent")
            table.click(lucie, urgent)
            shot("04-order-facilitator", lucie)
            click(lucie, "Commencer ce sujet")
            click(lucie, "Exposé terminé")
            amina.page.locator("#speak-text").fill("Qui décide des priorités aujourd'hui ?")
            shot("05-clarification-participant-turn", amina)
            click(amina, "J’ai posé ma question")
            shot("06-clarification-owner-phone", dragos)
            shot("07-clarification-facilitator", lucie)
            for name in ("Paul", "Juliette", "Amina", "Paul", "Juliette"):
                click(lucie, f"{name} passe")
            amina.page.locator("#speak-text").fill("Une roadmap par objectifs, pas par dates.")
            click(amina, "J’ai terminé")
            click(paul, "Je passe")
            click(juliette, "Je passe")
            dragos.page.locator("#live .panier li", has_text="par objectifs").locator(
                "input[name=note]"
            ).fill("À essayer au prochain trimestre")
            shot("08-panier-owner-phone", dragos)
            table.click(
                dragos,
                dragos.page.locator("#live .panier li", has_text="par objectifs").get_by_role(
                    "button", name="Je prends"
                ),
            )
            click(dragos, "Panier terminé")
            click(lucie, "Terminer la séance")
            shot("09-ended-participant", amina)
            problems = table.problems()
            table.close()
            problems += bilan(server, browser, written)
            browser.close()
        if problems:
            raise SystemExit("problems seen in the pages:\n" + "\n".join(problems))
    finally:
        server.stop()
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")


def bilan(server, browser, written) -> list[str]:
    """The demo group's « Bilan »: the organiser's on a desktop screen, a member's on a
    phone, each page whole. Returns the problems seen in the pages."""
    server.manage("demo", "--base-url", server.base_url)
    found = server.shell(
        "import json;"
        "from participants.models import Group, User;"
        "from intervision.management.commands.demo import GROUP_NAME;"
        "from intervision.management.commands.e2e_seed import signed_in_cookie;"
        "group = Group.objects.get(name=GROUP_NAME);"
        "people = {u.display_name.split()[0]: {'id': u.pk, 'email': u.email,"
        " 'cookie': signed_in_cookie(u)} for u in User.objects.filter("
        "email__endswith='@demo.intervision.local')};"
        "print(json.dumps({'group': group.pk, 'sessions': [], 'people': people}))"
    )
    data = json.loads(found.strip().splitlines()[-1])
    table = Table(server, browser, data)
    for name, viewport, file in (
        ("Lucie", DESKTOP, "10-bilan-organiser"),
        ("Amina", PHONE, "11-bilan-member-phone"),
    ):
        page = table.person(name, viewport=viewport).page
        page.goto(f"/g/{data['group']}/bilan/")
        page.locator("figure.chart").first.wait_for()
        path = OUT / f"{file}.png"
        page.screenshot(path=path, full_page=True)
        written.append(path)
    problems = table.problems()
    table.close()
    return problems


if __name__ == "__main__":
    main()
