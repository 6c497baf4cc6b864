"""A rotating group whose next facilitator runs a session with the job-aid: the rota on the
group page names her, the organiser's form is pre-filled with her, she is told (by e-mail
and on her group page and home page), and she drives the session from her own page, the
job-aid telling her what to say."""

import re
import zoneinfo
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from .test_series import body, sent_mail, subject

pytestmark = pytest.mark.browser

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PHONE = {"width": 375, "height": 740}


def test_a_rotating_group_whose_next_facilitator_runs_a_session(table_for):
    table = table_for(organiser=True, sessions=1)
    group, held = table.data["group"], table.data["sessions"][0]
    # The group rotates; its members arrived a month ago (Lucie, Juliette, Dragos, Amina,
    # Paul, Olga) and Lucie facilitated the session held two weeks ago.
    table.server.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from participants.models import Group\n"
        "from sessions_app.models import Session\n"
        f"g = Group.objects.get(pk={group})\n"
        "g.facilitation = 'rotating'\n"
        "g.save()\n"
        "base = timezone.now() - timedelta(days=30)\n"
        "for k, m in enumerate(g.memberships.order_by('id')):\n"
        "    m.joined_at = base + timedelta(minutes=k)\n"
        "    m.save()\n"
        f"Session.objects.filter(pk={held}).update(state={{'stage': 'ended'}}, stage='ended',"
        " scheduled_at=timezone.now() - timedelta(days=14))\n"
    )

    # Juliette, on her phone, reads on her group page that the next turn is hers.
    juliette = table.person("Juliette", viewport=PHONE)
    juliette.page.goto(f"/g/{group}/")
    rota = juliette.page.locator("#rota")
    expect(rota.get_by_role("heading", name="Animation tournante")).to_be_visible()
    expect(rota).to_contain_text("C’est à vous d’animer la prochaine séance à programmer.")
    order = rota.locator(".rota-order li")
    expect(order.first).to_contain_text("Juliette")
    expect(order.first).to_contain_text("prochaine séance à programmer")
    expect(order.nth(1)).to_contain_text("Dragos")
    expect(rota.locator("h3", has_text="Historique").locator("xpath=following-sibling::ul[1]")
           ).to_contain_text("Lucie")
    assert juliette.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Olga, the organiser, sees the same rota and schedules the next session: the form names
    # Juliette, as the rota says.
    olga = table.person("Olga")
    page = olga.page
    page.goto(f"/g/{group}/")
    expect(page.locator("#rota .rota-order li").first).to_contain_text("Juliette")
    page.get_by_role("link", name="Programmer une séance").click()
    expect(page.get_by_label("Juliette")).to_be_checked()
    for other in ("Lucie", "Dragos", "Olga"):
        expect(page.get_by_label(other)).not_to_be_checked()
    soon = datetime.now(PARIS) + timedelta(minutes=30)
    page.get_by_label("Titre").fill("Séance de Juliette")
    page.get_by_label("Date").fill(soon.date().isoformat())
    page.get_by_label("Heure (Europe/Paris)").fill(soon.strftime("%H:%M"))
    page.get_by_role("button", name="Programmer la séance").click()
    expect(page.locator(".messages")).to_contain_text("La séance est programmée")
    found = re.search(r"/s/([0-9]+)/info/", page.url)
    assert found, page.url
    session = int(found.group(1))

    # Juliette is told: her e-mail says she facilitates it (and the others' do not), and so
    # does her group page; the rota has moved on to Dragos.
    people = table.data["people"]
    sent = {m["To"]: m for m in sent_mail(table.server.log_path)
            if subject(m).startswith("Nouvelle séance")}
    hers = body(sent[people["Juliette"]["email"]])
    assert "Vous animez la séance du" in hers and f"/g/{group}/" in hers
    assert "Vous animez" not in body(sent[people["Dragos"]["email"]])
    juliette.page.goto(f"/g/{group}/")
    expect(rota).to_contain_text("C’est vous qui animez la prochaine séance.")
    expect(rota.locator(".rota-order li").first).to_contain_text("Dragos")
    juliette.page.goto("/")
    expect(juliette.page.locator("main")).to_contain_text(
        "C’est vous qui animez la prochaine séance de «\u00a0Pairs produit"
    )

    # She drives the session from her page: the others at the table see the keyword round.
    table.data["sessions"].append(session)
    dragos = table.open("Dragos", index=1)
    table.open("Amina", index=1)
    juliette.page.goto(f"/g/{group}/")
    juliette.page.get_by_role("link", name="Rejoindre").first.click()
    juliette.page.locator("#live").wait_for()
    table.wait_connected(juliette)
    table.start_keyword_round(juliette)
    expect(dragos.page.locator("#live")).to_contain_text("Tour de mots-clés")

    # Her first time driving: the job-aid of the keyword round tells her what to say and
    # what to watch for, folded until she opens it; the others at the table do not get it.
    aid = juliette.page.locator("#job-aid")
    expect(aid).to_be_visible()
    expect(aid.locator(".job-aid-text")).to_be_hidden()
    aid.locator("summary").click()
    expect(aid.locator(".job-aid-text")).to_contain_text(
        "Un mot-clé pour votre sujet, ou passez."
    )
    expect(aid.locator(".job-aid-text")).to_contain_text(
        "le tour s’arrête quand tout le monde passe"
    )
    expect(dragos.page.locator("#job-aid")).to_have_count(0)
