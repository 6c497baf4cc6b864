"""A participant cannot drive: forged requests from their own page change nothing."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# What a curious participant can type in the browser console, with their own session and the
# CSRF token the page carries.
FORGE_POST = """
async ([url, fields]) => {
  const headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
  const out = [];
  for (const f of fields) {
    const r = await fetch(url, {method: "POST", body: new URLSearchParams(f),
                                headers: f.__no_csrf ? {} : headers, credentials: "same-origin"});
    out.push([f.type, r.status, (await r.text()).slice(0, 200)]);
  }
  return out;
}
"""

FORGE_FRAMES = """
([path, frames]) => new Promise((resolve) => {
  const replies = [];
  const ws = new WebSocket("ws://" + location.host + path);
  ws.onmessage = (e) => replies.push(JSON.parse(e.data));
  ws.onopen = () => {
    frames.forEach((f) => ws.send(f));
    setTimeout(() => { ws.close(); resolve(replies); }, 1500);
  };
  ws.onerror = () => resolve(["error"]);
})
"""


def test_a_participant_cannot_drive_with_forged_posts_or_websocket_frames(table_for):
    table = table_for()
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    everyone = [lucie, juliette, dragos, amina]
    table.start_keyword_round(lucie)
    version = lucie.version()
    session = table.data["sessions"][0]
    # The browser logs every refused request as a console error: those are expected here.
    table.allowed += ["status of 400", "status of 403"]

    # It is Juliette's turn. From Dragos' page: every facilitator command, somebody else's
    # turn, and the same without the CSRF token.
    v = str(version)
    forged = [
        {"type": t, "version": v}
        for t in ("next_phase", "close_triage", "skip", "end", "shuffle", "undo", "begin_subject")
    ] + [
        {"type": "set_absent", "person": str(juliette.id), "absent": "true", "version": v},
        {"type": "join", "person": str(table.data["people"]["Paul"]["id"]), "version": v},
        {"type": "pass", "version": v},
        {"type": "propose", "keyword": "piratage", "version": v},
        {"type": "pass", "version": v, "__no_csrf": "1"},
    ]
    replies = dragos.page.evaluate(FORGE_POST, [f"/s/{session}/do/", forged])
    by_type = {}
    for kind, status, body in replies[:-1]:
        assert status == 400, (kind, status, body)
        by_type[kind] = body
    assert "Seule la personne qui anime peut faire cela." in by_type["next_phase"]
    assert "Ce n’est pas votre tour." in by_type["pass"]
    assert "Ce n’est pas votre tour." in by_type["propose"]
    assert replies[-1][1] == 403  # no CSRF token

    # Frames on a websocket of his own: commands, and a fake broadcast.
    fake_update = {
        "type": "session.update",
        "snapshot": {"version": version + 5, "facilitators": []},
    }
    def command(cid, **fields):
        return json.dumps({"type": "command", "id": cid, "version": version, "command": fields})

    frames = [
        json.dumps({"type": "next_phase"}),
        json.dumps({"type": "pass", "version": version}),
        json.dumps(fake_update),
        "not json",
        command("forged-next-phase", type="next_phase"),
        command("forged-pass-juliette", type="pass"),
        command("forged-propose", type="propose", keyword="piratage"),
        command("forged-join-paul", type="join", person=table.data["people"]["Paul"]["id"]),
    ]
    answers = dragos.page.evaluate(FORGE_FRAMES, [f"/ws/session/{session}/", frames])
    assert answers and answers[0]["version"] == version  # the current state, on connect
    errors = [a["error"] for a in answers if "error" in a]
    assert errors == ["Action inconnue."] * 4 + [
        "Seule la personne qui anime peut faire cela.",
        "Ce n’est pas votre tour.",
        "Ce n’est pas votre tour.",
        "Déjà à la table.",  # a participant can only seat themselves
    ]
    assert not any("ack" in a for a in answers)
    assert all(a.get("version", version) == version for a in answers)

    # Nothing changed, for anybody, not even after a reload.
    for person in everyone:
        assert person.version() == version
        assert (
            max(int(k) for k in person.page.evaluate("() => Object.keys(window.__seen)")) == version
        )
        expect(person.page.locator("#live .speaker-name")).to_have_text("Juliette")
    dragos.page.reload()
    assert dragos.version() == version
    expect(dragos.live()).not_to_contain_text("piratage")
    expect(dragos.page.locator("#live .queue li", has_text="Juliette")).to_have_attribute(
        "aria-current", "true"
    )

    # The real turn still works: Juliette proposes, everyone sees it.
    juliette.page.locator("#keyword").fill("équilibre")
    table.click(
        juliette, juliette.page.get_by_role("button", name="Proposer"), expect="« équilibre »"
    )
