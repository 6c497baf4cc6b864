"""Presence at any time, and co-facilitation that always explains itself.

- A late arrival and a departure mid-clarification: the late one is seated and told they
  join at the next round, the facilitator sees them at once; the one who left is skipped
  without anyone doing it by hand, and comes back with « Je suis là ».
- Two co-facilitators click on the same version; the loser's command reaches the server
  only once their page already shows the winner's step (their command is held back: over
  the socket by routing its frames with Playwright's ``route_web_socket``, over the POST
  fallback with ``page.route``). No hook in the application: the test holds the loser's
  command until the update is on their page, then lets it go, which is the order the
  loser's lag produces. The refusal is shown and the question they typed stays in its field.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEXT_ROUND = "Vous êtes à la table : vous rejoignez le tour de table au prochain tour."
CONFLICT = "Quelqu’un d’autre vient d’agir"


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def text_of(locator) -> str:
    return " ".join(locator.inner_text().split())


def to_clarification(table, lucie, juliette):
    """Juliette's « feedback » through its exposé: the first clarification round begins."""
    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("feedback")
    table.click(juliette, button(juliette, "Proposer"), expect="« feedback »")
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé")
    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")


def test_a_late_arrival_and_a_departure_mid_clarification(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    to_clarification(table, lucie, juliette)
    expect(lucie.page.locator("#live .queue li")).to_have_count(2)  # Dragos, Amina

    # Paul arrives late: seated, told where he is; the facilitator sees him at once.
    versions = lucie.version()
    paul = table.open("Paul")
    lucie.page.wait_for_function(
        "v => +document.getElementById('live').dataset.version > v", arg=versions
    )
    note = paul.page.locator("#live .presence-note", has_text="prochain tour")
    expect(note).to_be_visible()
    assert text_of(note) == NEXT_ROUND
    expect(paul.page.locator("#not-seated")).to_have_count(0)
    card = lucie.page.locator("#live .presence-card li", has_text="Paul")
    expect(card).to_contain_text("au prochain tour")
    for other in (juliette, dragos, amina):
        expect(other.page.locator("#live .presence-note", has_text="prochain tour")).to_be_hidden()

    # Amina leaves during Dragos' question: the facilitator marks her absent (confirmed).
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Marquer Amina absent·e"),
        watchers=[lucie, amina],
    )
    expect(lucie.page.get_by_role("button", name="Marquer Amina présent·e")).to_be_visible()
    expect(amina.page.locator("#live .presence-note", has_text="absent")).to_be_visible()
    # Dragos asks; Amina, absent, is skipped: round 2 is Dragos then Paul.
    dragos.page.locator("#speak-text").fill("Depuis quand ?")
    table.click(dragos, button(dragos, "J’ai posé ma question"), expect="tour 2")
    for person in (lucie, paul, dragos):
        expect(person.page.locator("#live .queue li")).to_have_count(2)
        expect(person.page.locator("#live .queue li").nth(1)).to_contain_text("Paul")
    expect(note).to_be_hidden()  # Paul is in this round

    # Amina is back: from her own page, she joins at the next round.
    table.click(amina, button(amina, "Je suis là"), watchers=[lucie, amina])
    expect(amina.page.locator("#live .presence-note", has_text="prochain tour")).to_be_visible()
    expect(lucie.page.locator("#live .presence-card li", has_text="Amina")).to_contain_text(
        "au prochain tour"
    )
    dragos.page.locator("#speak-text").fill("Et l’équipe ?")
    table.click(dragos, button(dragos, "J’ai posé ma question"), expect="Paul")
    table.click(paul, button(paul, "Je passe"), expect="tour 3")
    expect(lucie.page.locator("#live .queue li", has_text="Amina")).to_have_count(1)


def co_facilitated(table_for):
    """Lucie and Olga co-facilitate; Dragos has the turn in the clarification round."""
    table = table_for(organiser=True)
    olga_id = table.data["people"]["Olga"]["id"]
    table.server.shell(
        "from sessions_app.models import Session; "
        f"Session.objects.get(pk={table.data['sessions'][0]}).facilitators.add({olga_id})"
    )
    lucie, olga = table.open("Lucie"), table.open("Olga")
    juliette, _dragos, _amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    to_clarification(table, lucie, juliette)
    expect(olga.page.locator("#live .speaker-name")).to_have_text("Dragos")
    return table, lucie, olga


def lose_the_race(table, lucie, olga, release):
    """Olga types Dragos' question and clicks; her command is held while Lucie's click is
    applied and reaches Olga's page; then ``release`` lets Olga's command go."""
    version = olga.version()
    olga.page.locator("#speak-text").fill("Qu’as-tu déjà essayé ?")
    button(olga, "Dragos a parlé").click()
    table.click(lucie, button(lucie, "Dragos passe"), watchers=[lucie])
    olga.page.wait_for_function(
        "v => +document.getElementById('live').dataset.version > v", arg=version
    )
    expect(olga.page.locator("#live .speaker-name")).to_have_text("Amina")
    release()
    expect(olga.page.locator("#flash")).to_contain_text(CONFLICT)
    # The question she typed is in the field of the page now shown, for the next speaker.
    expect(olga.page.locator("#speak-text")).to_have_value("Qu’as-tu déjà essayé ?")
    assert olga.version() == version + 1, "the stale click applied nothing"
    olga.page.wait_for_timeout(300)  # the resync that follows a refusal keeps it too
    expect(olga.page.locator("#speak-text")).to_have_value("Qu’as-tu déjà essayé ?")


def test_socket_the_losing_co_facilitator_sees_why_and_keeps_the_text(table_for):
    table, lucie, olga = co_facilitated(table_for)
    held: list = []
    servers: list = []

    def proxy(ws):
        server = ws.connect_to_server()  # the server's frames reach the page unchanged
        servers.append(server)

        def from_page(message):
            if '"command"' in str(message):
                held.append(message)  # the loser's command waits for the update
            else:
                server.send(message)

        ws.on_message(from_page)

    olga.page.route_web_socket("**/ws/session/**", proxy)
    olga.page.reload()
    olga.page.locator("#live").wait_for()
    table.wait_connected(olga)

    def release():
        assert len(held) == 1
        servers[-1].send(held.pop())

    lose_the_race(table, lucie, olga, release)


def test_post_the_losing_co_facilitator_sees_why_and_keeps_the_text(table_for):
    table, lucie, olga = co_facilitated(table_for)
    table.allowed.append("WebSocket")  # her socket is refused: the page falls back to POST
    table.allowed.append("409")  # the refused POST is logged by the browser

    def no_socket(ws):
        ws.close()

    held: list = []

    def hold(route):
        held.append(route)

    olga.page.route_web_socket("**/ws/session/**", no_socket)
    olga.page.route("**/do/", hold)
    olga.page.reload()
    olga.page.locator("#live").wait_for()

    def release():
        assert len(held) == 1
        held.pop().continue_()

    lose_the_race(table, lucie, olga, release)


def test_socket_refusal_before_the_update_keeps_the_text_through_the_update(table_for):
    """The other order: Olga's refusal reaches her page before the winner's step (the step's
    broadcast is held back); the update that follows must not drop the text put back."""
    table, lucie, olga = co_facilitated(table_for)
    version = olga.version()
    holding = {"updates": False}
    held: list = []
    pages: list = []

    def proxy(ws):
        server = ws.connect_to_server()
        pages.append(ws)

        def from_server(message):
            text = str(message)
            frame = '"html"' in text or '"regions"' in text  # every region, or those changed
            if holding["updates"] and frame and '"nack"' not in text:
                held.append(message)
                return
            ws.send(message)

        server.on_message(from_server)

    olga.page.route_web_socket("**/ws/session/**", proxy)
    olga.page.reload()
    olga.page.locator("#live").wait_for()
    table.wait_connected(olga)

    holding["updates"] = True
    table.click(lucie, button(lucie, "Dragos passe"), watchers=[lucie])
    olga.page.locator("#speak-text").fill("Qu’as-tu déjà essayé ?")
    button(olga, "Dragos a parlé").click()  # still on the old version: refused
    expect(olga.page.locator("#flash")).to_contain_text(CONFLICT)
    expect(olga.page.locator("#speak-text")).to_have_value("Qu’as-tu déjà essayé ?")
    assert olga.version() == version
    holding["updates"] = False
    for message in held:
        pages[-1].send(message)
    olga.page.wait_for_function(
        "v => +document.getElementById('live').dataset.version > v", arg=version
    )
    expect(olga.page.locator("#live .speaker-name")).to_have_text("Amina")
    expect(olga.page.locator("#speak-text")).to_have_value("Qu’as-tu déjà essayé ?")
