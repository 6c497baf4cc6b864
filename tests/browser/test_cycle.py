"""The codéveloppement cycle across two sessions, in several browsers (seeds 002, 003, 001):
Juliette leaves session 1 with a plan and a note in her carnet, finds them on her pages,
follows the plan up between sessions, gets a reminder carrying her actions, and session 2
opens with her report back, where one action becomes a new subject; her carnet shows both
sessions and downloads."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def test_plan_taken_away_followed_up_and_reported_back_at_the_next_session(table_for):
    table = table_for(format="codev", sessions=2)
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))

    # Session 1: Juliette's subject, a consultation, a two-action plan, the learnings round.
    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, button(juliette, "Proposer"), expect="« délégation »")
    dragos.page.locator("#keyword").fill("roadmap")
    table.click(dragos, button(dragos, "Proposer"), expect="« roadmap »")
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « délégation »")
    # Her carnet, beside the live region: autosaved, seen by nobody else.
    juliette.page.locator("#carnet-text").fill("Je délègue trop tard : dès lundi, un domaine.")
    expect(juliette.page.locator("#carnet-status")).to_contain_text("Enregistré")
    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")
    table.click(lucie, button(lucie, "Terminer la phase"), expect="Contrat")
    # The consultants may reformulate (both pass here), then she states the help she wants.
    table.click(dragos, button(dragos, "Je passe"))
    table.click(amina, button(amina, "Je passe"))
    juliette.page.locator("#request").fill("Des idées pour déléguer sans tout contrôler.")
    table.click(juliette, button(juliette, "Valider le contrat"), expect="Consultation")
    dragos.page.locator("#speak-text").fill("Commencer par un seul domaine.")
    table.click(dragos, button(dragos, "J’ai terminé"), expect="Commencer par un seul domaine.")
    table.click(amina, button(amina, "Je passe"), expect="Synthèse et plan d’action")
    for action in ("Déléguer le suivi des tickets", "Former Marc aux revues"):
        juliette.page.locator("#action-text").fill(action)
        table.click(juliette, button(juliette, "Ajouter l’action"), expect=action)
    table.click(juliette, button(juliette, "Plan terminé"), expect="Apprentissages")
    table.click(dragos, button(dragos, "Je passe"))
    amina.page.locator("#speak-text").fill("Je repars avec une idée.")
    table.click(amina, button(amina, "J’ai terminé"))
    juliette.page.locator("#speak-text").fill("Je me sens plus légère.")
    table.click(juliette, button(juliette, "J’ai terminé"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Terminer la séance"), expect="Séance terminée")

    # What she takes away: the consultation with who said it, her plan, the learnings.
    juliette.page.get_by_role("link", name="Ce que j’emporte").click()
    takeaway = juliette.page.locator("main")
    expect(takeaway).to_contain_text("Mon sujet « délégation »")
    expect(takeaway).to_contain_text("Commencer par un seul domaine.")
    expect(takeaway).to_contain_text("Dragos")
    expect(takeaway).to_contain_text("Déléguer le suivi des tickets")
    expect(takeaway).to_contain_text("Je repars avec une idée.")
    # Dragos sees the learnings, not her plan.
    dragos.page.goto(juliette.page.url)
    expect(dragos.page.locator("main")).to_contain_text("Je repars avec une idée.")
    expect(dragos.page.locator("main")).not_to_contain_text("Déléguer le suivi des tickets")

    # Between sessions, from her home page: one action done.
    juliette.page.goto("/")
    expect(juliette.page.locator("main")).to_contain_text("Mes actions : 2 à faire ou en cours")
    juliette.page.get_by_role("link", name="Mes actions : 2 à faire ou en cours").click()
    first = juliette.page.locator(".action-list > li", has_text="Déléguer le suivi des tickets")
    first.get_by_label("Statut").select_option("done")
    first.get_by_label("Note (facultative)").fill("Marc a pris le relais.")
    first.get_by_role("button", name="Enregistrer").click()
    expect(juliette.page.locator(".messages")).to_contain_text("Action mise à jour.")
    juliette.page.goto("/")
    expect(juliette.page.locator("main")).to_contain_text("Mes actions : 1 à faire ou en cours")

    # The reminder before session 2 carries her open action, and nobody else's content.
    table.server.shell(  # session 2 is tomorrow, within the group's 48 hours
        "from datetime import timedelta; from django.utils import timezone;"
        "from sessions_app.models import Session;"
        f"Session.objects.filter(pk={table.data['sessions'][1]})"
        ".update(scheduled_at=timezone.now() + timedelta(days=1))"
    )
    sent = table.server.manage("periodic")
    mine = [m for m in sent.split("Subject: ") if table.data["people"]["Juliette"]["email"] in m]
    assert mine and "Former Marc aux revues" in mine[0]
    assert "Déléguer le suivi des tickets" not in mine[0]  # done: nothing to report on
    assert not any("Former Marc aux revues" in m for m in sent.split("Subject: ") if m not in mine)

    # The next day: session 2 opens (a page opened before its day seats nobody) with her
    # report back; the remaining action becomes a new subject.
    table.server.shell(
        "from django.utils import timezone; from sessions_app.models import Session;"
        f"Session.objects.filter(pk={table.data['sessions'][1]})"
        ".update(scheduled_at=timezone.now())"
    )
    table.allowed.append("WebSocket")
    for person in (lucie, juliette, dragos, amina):
        table.open(person.name, index=1)
    table.click(
        lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Retour sur les actions"
    )
    expect(juliette.page.locator(".your-turn")).to_be_visible()
    report = juliette.page.locator("#live .reports li", has_text="Former Marc aux revues")
    table.click(
        juliette, report.get_by_role("button", name="Cela devient un nouveau sujet"),
        expect="nouveau sujet",
    )
    table.click(juliette, button(juliette, "J’ai terminé mon retour"), expect="Tour de mots-clés")
    juliette.page.locator("#carnet-text").fill("Marc relit déjà les revues.")
    expect(juliette.page.locator("#carnet-status")).to_contain_text("Enregistré")
    for person in (lucie, dragos, amina):
        expect(person.page.locator("#live .subjects")).to_contain_text("« Former Marc aux revues »")
    # Dragos's carried subject: still current, from his own page.
    roadmap = dragos.page.locator("#live .subjects li", has_text="« roadmap »")
    table.click(dragos, roadmap.get_by_role("button", name="Toujours d’actualité"))
    expect(roadmap.get_by_role("button", name="Toujours d’actualité")).to_have_count(0)

    # Her carnet shows both sessions, her note beside her actions, and downloads.
    juliette.page.get_by_role("link", name="Tout mon carnet").click()
    carnet = juliette.page.locator("main")
    expect(carnet).to_contain_text("Je délègue trop tard : dès lundi, un domaine.")
    expect(carnet).to_contain_text("Former Marc aux revues")
    expect(carnet.locator("h2[id^=carnet-session-]")).to_have_count(2)
    expect(carnet).to_contain_text("Marc relit déjà les revues.")
    with juliette.page.expect_download() as download:
        juliette.page.get_by_role("link", name="Télécharger (JSON)").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert "Je délègue trop tard" in json.dumps(exported, ensure_ascii=False)
