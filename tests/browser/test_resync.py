"""Reload, a network drop and a late join: the page shows the true state, nobody clicks."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A reconnecting page waits 0.5 to 10 s between attempts, and polls every 3 s meanwhile;
# coming back online triggers both at once.
RESYNC_SECONDS = 5


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def test_reload_network_drop_and_late_join_show_the_true_state(table_for):
    table = table_for(links=True)
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    table.click(lucie, button(lucie, "Commencer le tour de mots-clés"), expect="Tour de mots-clés")
    juliette.page.locator("#keyword").fill("équilibre")
    table.click(juliette, button(juliette, "Proposer"), expect="« équilibre »")

    # Reload: the same state, and the turn is still marked on the right page.
    dragos.page.reload()
    table.wait_connected(dragos)
    assert dragos.version() == lucie.version()
    expect(dragos.page.locator("#live .speaker-name")).to_have_text("Dragos")
    expect(dragos.page.locator(".your-turn")).to_be_visible()
    expect(dragos.page.locator("#live .subjects")).to_contain_text("« équilibre »")

    # Network drop: Amina's browser goes offline while the round goes on without her page.
    table.allowed.append("WebSocket connection to")  # the browser logs the failed reconnects
    amina.context.set_offline(True)
    offline_version = amina.version()
    others = [lucie, juliette, dragos]
    table.click(dragos, button(dragos, "Je passe"), watchers=others)
    table.click(lucie, button(lucie, "Amina passe"), watchers=others, expect="tour 2")
    amina.page.wait_for_timeout(500)
    assert amina.version() == offline_version, "an offline page cannot have been updated"
    expect(amina.page.locator("#connection")).to_have_text("Connexion perdue, reconnexion…")

    amina.context.set_offline(False)
    amina.page.wait_for_function(
        "v => +document.getElementById('live').dataset.version === v",
        arg=lucie.version(),
        timeout=RESYNC_SECONDS * 1000,
    )
    table.wait_connected(amina)
    expect(amina.page.locator("#live .speaker-name")).to_have_text("Juliette")
    expect(amina.page.locator("#live .queue li", has_text="Amina")).to_have_count(1)
    expect(amina.page.locator(".your-turn")).to_be_hidden()
    # A step made after she is back reaches her like everyone else, within the second.
    table.click(juliette, button(juliette, "Je passe"), expect="Dragos")

    # Late join: Paul signs in with his e-mailed link in the middle of the round, and his page
    # shows where the session is at once.
    paul = table.person("Paul", signed_in=False)
    token = table.data["people"]["Paul"]["link"]
    paul.page.goto(f"/login/link/{token}/?next=/s/{table.data['sessions'][0]}/")
    paul.page.get_by_role("button", name="Me connecter").click()
    paul.page.wait_for_url(table.session_url())
    table.wait_connected(paul)
    assert paul.version() == lucie.version()
    expect(paul.page.locator("#live .speaker-name")).to_have_text("Dragos")
    expect(paul.page.locator("#live .subjects")).to_contain_text("« équilibre »")
    expect(paul.page.locator("#live .stage")).to_contain_text("tour 2", ignore_case=True)
    # He is not at the table: it never becomes his turn, but he follows every step.
    table.click(dragos, button(dragos, "Je passe"), expect="Amina")
    assert "my-turn" not in (paul.page.locator("body").get_attribute("class") or "")
