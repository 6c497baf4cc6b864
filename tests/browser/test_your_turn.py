"""Your turn, unmissable beside the visio, and the display for screen sharing.

The tab's title and icon say « À vous ! » on one's turn and « Bientôt à vous » when next;
the tone and the notification are off until their button is pressed (the permission is
asked on that click, never on load) and remembered; on a phone the controls come first on
one's turn; the display follows the session live and shows no subject but the current one.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
PHONE = {"width": 375, "height": 667}

# Counts the notifications the page makes, the permission requests and the tones
# (oscillators) it starts. The permission is "default" (never answered) until the page asks
# for it; the person then accepts (the context grants it), as the browser remembers.
SPY = """
(() => {
  window.__notes = [];
  window.__asked = 0;
  const Real = window.Notification;
  class Spy {
    constructor(title, options) { window.__notes.push({ title, body: options && options.body }); }
    close() {}
    static get permission() {
      return localStorage.getItem("spy.answered") ? Real.permission : "default";
    }
    static requestPermission() {
      window.__asked += 1;
      localStorage.setItem("spy.answered", "1");
      return Real.requestPermission();
    }
  }
  window.Notification = Spy;
  window.__tones = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__tones += 1;
    return create.call(this);
  };
})();
"""

# The page beside a visio: hidden or not focused.
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { get: () => "hidden", configurable: true });
  document.hasFocus = () => false;
}"""


def title_and_icon(person):
    icon = person.page.locator("link[rel~='icon']").get_attribute("href")
    return person.page.title(), icon


def test_the_tab_title_and_icon_on_your_turn_and_when_next(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    base = juliette.page.title()
    assert base.endswith(" — Intervision") and "À vous" not in base
    table.start_keyword_round(lucie)

    # Juliette's turn, Dragos next, Amina later: each tab says so, the icon too.
    expect(juliette.page).to_have_title(f"À vous{NBSP}! — {base}")
    assert title_and_icon(juliette)[1].endswith("/img/turn.svg")
    expect(dragos.page).to_have_title(f"Bientôt à vous — {base}")
    assert title_and_icon(dragos)[1].endswith("/img/next.svg")
    expect(dragos.page.locator("#next-cue")).to_have_text(
        "Vous êtes la prochaine personne à parler."
    )
    expect(dragos.page.locator("#next-cue")).to_be_visible()
    assert title_and_icon(amina) == (base, "data:,")
    expect(amina.page.locator("#next-cue")).to_be_hidden()
    expect(juliette.page.locator("#next-cue")).to_be_hidden()

    # Juliette passes: her tab is back to normal; Dragos' turn, Amina next.
    table.click(juliette, juliette.page.get_by_role("button", name="Je passe"), expect="Dragos")
    expect(juliette.page).to_have_title(base)
    assert title_and_icon(juliette)[1] == "data:,"
    expect(dragos.page).to_have_title(f"À vous{NBSP}! — {base}")
    expect(dragos.page.locator("#next-cue")).to_be_hidden()
    expect(amina.page).to_have_title(f"Bientôt à vous — {base}")
    assert title_and_icon(amina)[1].endswith("/img/next.svg")
    # The facilitator, not at the table, is never told it is their turn.
    assert lucie.page.title() == base


def test_sound_and_notification_are_asked_for_and_come_with_the_turn(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.person("Juliette")
    dragos = table.person("Dragos")
    for person in (juliette, dragos):
        person.context.grant_permissions(["notifications"], origin=table.server.base_url)
        person.context.add_init_script(SPY)
    table.open("Juliette")
    table.open("Dragos")

    # Nothing asked on load; both off.
    notify = dragos.page.get_by_role("button", name="Notification quand c’est mon tour")
    sound = dragos.page.get_by_role("button", name="Son quand c’est mon tour")
    assert dragos.page.evaluate("window.__asked") == 0
    expect(notify).to_have_attribute("aria-pressed", "false")
    expect(sound).to_have_attribute("aria-pressed", "false")
    # The facilitator, who does not take part, has no turn to be told of: no such buttons.
    expect(lucie.page.get_by_role("button", name="Son quand c’est mon tour")).to_be_hidden()

    # Dragos switches both on: the permission is asked on the click, a tone is heard.
    notify.click()
    expect(notify).to_have_attribute("aria-pressed", "true")
    assert dragos.page.evaluate("window.__asked") == 1
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "true")
    assert dragos.page.evaluate("window.__tones") == 1

    # Remembered after a reload, without asking again.
    dragos.page.reload()
    table.wait_connected(dragos)
    expect(notify).to_have_attribute("aria-pressed", "true")
    expect(sound).to_have_attribute("aria-pressed", "true")
    assert dragos.page.evaluate("window.__asked") == 0
    assert dragos.page.evaluate("window.__tones") == 0

    # Both beside the visio; the round starts: Juliette's turn, who switched nothing on.
    base = juliette.page.title()
    for person in (juliette, dragos):
        person.page.evaluate(HIDE)
    table.start_keyword_round(lucie)
    expect(juliette.page).to_have_title(f"À vous{NBSP}! — {base}")
    assert juliette.page.evaluate("window.__notes") == []
    assert juliette.page.evaluate("window.__tones") == 0
    assert juliette.page.evaluate("window.__asked") == 0
    assert dragos.page.evaluate("window.__notes") == []  # only next: no notification

    # Dragos' turn: one notification, saying the turn and the stage, nothing of the group's.
    table.click(lucie, lucie.page.get_by_role("button", name="Juliette passe"), expect="Dragos")
    dragos.page.wait_for_function("window.__notes.length === 1")
    assert dragos.page.evaluate("window.__notes") == [
        {"title": "C’est votre tour", "body": "Tour de mots-clés"}
    ]
    assert dragos.page.evaluate("window.__tones") == 1

    # Switched off again: his next turn brings neither.
    dragos.page.get_by_role("button", name="Notification quand c’est mon tour").click()
    expect(notify).to_have_attribute("aria-pressed", "false")
    dragos.page.locator("#keyword").fill("recrutement")
    table.click(dragos, dragos.page.get_by_role("button", name="Proposer"), expect="Juliette")
    table.click(lucie, lucie.page.get_by_role("button", name="Juliette passe"), expect="Dragos")
    expect(dragos.page).to_have_title(f"À vous{NBSP}! — {base}")
    assert dragos.page.evaluate("window.__notes.length") == 1
    assert dragos.page.evaluate("window.__tones") == 2  # the tone is still on


def test_on_a_phone_the_controls_come_first_on_your_turn(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette", viewport=PHONE)
    table.open("Dragos")
    table.start_keyword_round(lucie)

    page = juliette.page
    controls = page.locator("#live .controls.when-my-turn")
    expect(controls).to_be_visible()

    def top(selector):
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        return box["y"]

    # Above the status, the turn order and the subjects, and on the first screen.
    assert top("#live .controls.when-my-turn") < top("#live .status")
    assert top("#live .controls.when-my-turn") < top("#live .queue")
    assert top("#live .controls.when-my-turn") < top("#live .subjects-card")
    passes = page.get_by_role("button", name="Je passe").bounding_box()
    assert passes is not None and passes["y"] + passes["height"] <= PHONE["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Her turn over: the page is back in its usual order.
    page.locator("#keyword").fill("délégation")
    table.click(juliette, page.get_by_role("button", name="Proposer"), expect="Dragos")
    assert top("#live .status") < top("#live .queue")
    assert top("#live .speaker") > top("#live .status")


def test_the_display_follows_the_session_and_shows_only_the_current_subject(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos = table.open("Juliette"), table.open("Dragos")
    session_id = table.data["sessions"][0]

    # The facilitator is offered the display; Amina opens it, not the session page.
    link = lucie.page.get_by_role("link", name="Affichage pour partage d’écran")
    expect(link).to_have_attribute("href", f"/s/{session_id}/ecran/")
    amina = table.person("Amina")
    amina.page.goto(f"/s/{session_id}/ecran/")
    table.wait_connected(amina)
    screen = amina.page.locator("#live")
    expect(screen).to_contain_text("Accueil")
    watchers = [lucie, juliette, dragos, amina]

    table.click(
        lucie, lucie.page.get_by_role("button", name="Commencer le tour de mots-clés"),
        watchers=watchers,
    )
    expect(screen.locator("h2")).to_have_text("Tour de mots-clés")
    expect(screen.locator(".speaker-name")).to_have_text("Juliette")
    # Opening the display took no seat: Amina is not in the turn order.
    expect(screen.locator(".queue li")).to_have_count(2)
    expect(lucie.live().locator(".queue")).not_to_contain_text("Amina")

    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, juliette.page.get_by_role("button", name="Proposer"), watchers=watchers)
    expect(screen.locator(".queue li").first).to_contain_text("a proposé")
    expect(screen.locator(".speaker-name")).to_have_text("Dragos")
    dragos.page.locator("#keyword").fill("recrutement")
    table.click(dragos, dragos.page.get_by_role("button", name="Proposer"), watchers=watchers)
    # The keywords proposed are the group's waiting subjects: not on the display.
    expect(screen).not_to_contain_text("délégation")
    expect(screen).not_to_contain_text("recrutement")

    table.click(
        lucie, lucie.page.get_by_role("button", name="Clore le tour de mots-clés"),
        watchers=watchers,
    )
    table.click(
        lucie, lucie.page.get_by_role("button", name="Commencer ce sujet"), watchers=watchers
    )
    expect(screen.locator("h2")).to_have_text("Exposé")
    expect(screen.locator(".display-subject")).to_have_text("« délégation » (Juliette)")
    expect(screen.locator(".speaker-name")).to_have_text("Juliette")
    expect(screen.locator(".clock")).to_have_count(2)
    expect(screen).not_to_contain_text("recrutement")

    table.click(
        lucie, lucie.page.get_by_role("button", name="Exposé terminé"), watchers=watchers
    )
    expect(screen.locator("h2")).to_have_text("Clarification")
    expect(screen.locator(".speaker-name")).to_have_text("Dragos")
    expect(screen.locator(".steps [aria-current=step]")).to_have_text("Clarification")
    # Read only: no button, no form, on the display.
    expect(amina.page.locator("#content button, #content form")).to_have_count(0)
    assert "délégation" not in amina.page.title()
