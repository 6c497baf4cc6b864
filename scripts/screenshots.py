#!/usr/bin/env python3
"""Regenerate the README's screenshots into docs/screenshots/.

    .venv/bin/python scripts/screenshots.py

Starts the app's real daphne on a temporary SQLite database (or, with DATABASE_URL set, on a
PostgreSQL database created and dropped for the run), seeds a group (Lucie facilitates,
Juliette, Dragos, Amina and Paul take part), drives a session in Chromium (/usr/bin/chromium)
and captures the facilitator's page and a participant's page, on a desktop screen and on a
phone, at a few key moments; then a codéveloppement session whose group chooses its subject
by votes (the ballot, the contract, the consultation with a secrétaire, the synthèse and its
dated plan, the next session's report back). Then it creates the demo group (``manage.py
demo``: three past sessions and their feedback) and captures its « Bilan » page, whole, as
its organiser on a desktop screen and as a member on a phone; then the demo's community:
its leader's page and Bilan, a member's page and attestation on a phone.
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
            problems += codev(server, browser, written)
            problems += bilan(server, browser, written)
            browser.close()
        if problems:
            raise SystemExit("problems seen in the pages:\n" + "\n".join(problems))
    finally:
        server.stop()
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KiB")


def codev(server, browser, written) -> list[str]:
    """A codéveloppement session whose group chooses its subject by votes: the ballot, the
    counts, the contract, the consultation with a secrétaire, the client keeping ideas, the
    synthèse and its dated plan; then the next session's report back. Returns the problems
    seen in the pages."""
    data = server.seed("screens-codev", format="codev", sessions=2)
    server.shell(
        "from participants.models import Group;"
        f"Group.objects.filter(pk={data['group']})"
        ".update(subject_choice='votes', votes_per_person=2)"
    )
    table = Table(server, browser, data, budget=5.0)
    lucie = table.open("Lucie", viewport=DESKTOP)
    juliette = table.open("Juliette", viewport=PHONE)
    dragos = table.open("Dragos", viewport=DESKTOP)
    amina = table.open("Amina", viewport=DESKTOP)
    paul = table.open("Paul", viewport=DESKTOP)

    def shot(name, person, full_page=False):
        person.page.evaluate(
            "() => document.querySelectorAll('.clock, .countdown')"
            ".forEach(c => c.textContent = '12\u00a0min')"
        )
        path = OUT / f"{name}.png"
        person.page.screenshot(path=path, caret="initial", full_page=full_page)
        written.append(path)

    def click(person, name, **kwargs):
        table.click(person, person.page.get_by_role("button", name=name, exact=True), **kwargs)

    def vote(person, ballot):
        for keyword, n in ballot.items():
            person.page.locator("#live form.ballot li", has_text=keyword).locator(
                "input[type=number]"
            ).fill(str(n))
        click(person, "Voter")

    def keep(text, note=""):
        row = juliette.page.locator("#live .ideas li", has_text=text)
        if note:
            row.locator("input[name=note]").fill(note)
        table.click(juliette, row.get_by_role("button"))

    click(lucie, "Commencer le tour de mots-clés")
    for person, keyword in ((juliette, "délégation"), (dragos, "recrutement")):
        person.page.locator("#keyword").fill(keyword)
        click(person, "Proposer")
    click(amina, "Je passe")
    table.click(lucie, lucie.page.get_by_role("button", name="Clore le tour de mots-clés"))
    vote(dragos, {"délégation": 2})
    for keyword in ("délégation", "recrutement"):
        juliette.page.locator("#live form.ballot li", has_text=keyword).locator(
            "input[type=number]"
        ).fill("1")
    shot("12-choice-participant-phone", juliette)
    click(juliette, "Voter")
    vote(amina, {"délégation": 1})
    vote(paul, {"recrutement": 1})
    shot("13-choice-votes-facilitator", lucie)
    click(lucie, "Clore le choix")
    lucie.page.locator("#role-gardien").select_option(label="Paul")
    table.click(lucie, lucie.page.locator("form.role-form", has=lucie.page.locator(
        "#role-gardien")).get_by_role("button"))
    click(lucie, "Commencer ce sujet")
    lucie.page.locator("#role-secretaire").select_option(label="Amina")
    form = lucie.page.locator("form.role-form", has=lucie.page.locator("#role-secretaire"))
    form.get_by_label("Pour ce sujet seulement").check()
    table.click(lucie, form.get_by_role("button"))
    click(juliette, "Exposé terminé")
    dragos.page.locator("#speak-text").fill("Que délègues-tu aujourd’hui ?")
    click(dragos, "J’ai posé ma question")
    click(lucie, "Terminer la phase")
    dragos.page.locator("#speak-text").fill("Tu veux déléguer sans perdre le fil.")
    click(dragos, "J’ai reformulé")
    click(amina, "Je passe")
    click(paul, "Je passe")
    juliette.page.locator("#request").fill("Aidez-moi à déléguer le suivi sans perdre le fil")
    shot("14-contract-client-phone", juliette)
    click(juliette, "Valider le contrat")
    dragos.page.locator("#speak-text").fill("Commencer par un seul domaine")
    click(dragos, "J’ai terminé")
    keep("un seul domaine", "dès lundi")
    amina.page.locator("#idea-text").fill("Un binôme avec Marc")
    amina.page.locator("#idea-person").select_option(label="Paul")
    click(amina, "Ajouter l’idée")
    amina.page.locator("#speak-text").fill("Un point hebdomadaire court")
    click(amina, "J’ai terminé")
    keep("binôme")
    amina.page.locator("#secretaire-text").fill("Un tableau de délégation")
    shot("15-consultation-secretaire", amina)
    shot("16-consultation-client-phone", juliette)
    click(amina, "Noter l’idée de Paul")
    juliette.page.locator("#synthesis-text").fill(
        "Je délègue le suivi à Marc, un domaine à la fois."
    )
    click(juliette, "Enregistrer la synthèse")
    for text, due, sign in (
        ("Parler à Marc", "", "Marc a dit oui"),
        ("Choisir le premier domaine", "2030-01-31", "Marc suit les tickets de ce domaine"),
    ):
        juliette.page.locator("#action-text").fill(text)
        juliette.page.locator("#action-due").fill(due)
        juliette.page.locator("#action-sign").fill(sign)
        click(juliette, "Ajouter l’action")
    shot("17-synthesis-facilitator", lucie, full_page=True)
    click(juliette, "Plan terminé")
    for person in (dragos, amina, paul, juliette):
        click(person, "Je passe")
    table.click(lucie, lucie.page.get_by_role("button", name="Terminer la séance"))
    juliette.page.goto("/actions/")
    action = juliette.page.locator(".action-list > li", has_text="Parler à Marc")
    action.get_by_label("Note (facultative)").fill("Marc a dit oui, on commence lundi")
    action.get_by_role("button", name="Enregistrer", exact=True).click()
    juliette.page.get_by_text("Marc a dit oui, on commence lundi").first.wait_for()
    for name in ("Lucie", "Juliette", "Dragos", "Amina", "Paul"):
        table.open(name, index=1)
    click(lucie, "Commencer le tour de mots-clés")
    shot("18-report-back-client-phone", juliette)
    problems = table.problems()
    table.close()
    return problems


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
        "print(json.dumps({'group': group.pk, 'community': group.community_id,"
        " 'sessions': [], 'people': people}))"
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
    # The demo's community: its leader's page and Bilan, a member's page and attestation.
    for name, viewport, path_, file in (
        ("Marc", DESKTOP, f"/c/{data['community']}/", "19-community-leader"),
        ("Marc", DESKTOP, f"/c/{data['community']}/bilan/?period=all", "20-community-bilan"),
        ("Dragos", PHONE, f"/c/{data['community']}/", "21-community-member-phone"),
        ("Dragos", PHONE, "/moi/attestation/", "22-attestation-phone"),
    ):
        person = table.people.get(name) or table.person(name, viewport=viewport)
        person.page.goto(path_)
        path = OUT / f"{file}.png"
        person.page.screenshot(path=path, full_page=True)
        written.append(path)
    problems = table.problems()
    table.close()
    return problems


if __name__ == "__main__":
    main()
