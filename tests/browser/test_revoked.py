"""A page whose access ends keeps nothing members-only: not the session's title, the group's
name or the visio link, in the page or in the window's title, and it stops asking."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VISIO = "https://visio.example.org/pairs-produit"  # the seed's visio link


def members_only(table) -> list[str]:
    group = table.data["group"]
    code = f"from participants.models import Group; print(Group.objects.get(pk={group}))"
    group_name = table.server.shell(code).strip().splitlines()[-1]
    return ["Séance 1", group_name, VISIO]


def watch_requests(person) -> list[str]:
    """Every websocket opened and every HTTP request made by the page from now on."""
    seen: list[str] = []
    person.page.on("websocket", lambda ws: seen.append(f"ws {ws.url}"))
    person.page.on("request", lambda request: seen.append(f"{request.method} {request.url}"))
    return seen


def assert_cleared(person, secrets: list[str]) -> None:
    page = person.page
    page.wait_for_function("() => !document.getElementById('live-root')", timeout=20000)
    heading = page.get_by_role("heading", name="Vous n’avez plus accès à cette séance.")
    expect(heading).to_be_visible()
    expect(page.get_by_role("link", name="Retour à l’accueil")).to_have_attribute("href", "/")
    html = page.content()
    text = page.locator("body").inner_text()
    title = page.title()
    assert title == "Accès terminé — Intervision"
    for secret in secrets:
        assert secret not in html, f"{secret!r} is still in the page's HTML"
        assert secret not in text
        assert secret not in title


def test_a_removed_member_s_open_page_keeps_nothing_of_the_group(table_for):
    table = table_for(organiser=True)
    secrets = members_only(table)
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    # Before: the page shows what members see.
    before = juliette.page.content()
    assert [secret for secret in secrets if secret not in before] == []
    assert "Séance 1" in juliette.page.title()

    olga = table.person("Olga")
    olga.page.goto(f"/g/{table.data['group']}/members/")
    olga.page.locator("li", has_text="Juliette").get_by_role(
        "link", name="Retirer du groupe"
    ).click()
    seen = watch_requests(juliette)
    olga.page.get_by_role("button", name="Oui, retirer du groupe").click()
    expect(olga.page.locator(".messages")).to_contain_text("ne fait plus partie du groupe")

    assert_cleared(juliette, secrets)
    # It stops asking: no reconnect, no polling (a reconnect comes within 0.5-0.75 s, a
    # poll every 3 s, the slow poll within 15 s).
    seen_at_revocation = len(seen)
    juliette.page.wait_for_timeout(4000)
    assert seen[seen_at_revocation:] == []
    assert not any("/ws/" in entry for entry in seen)
    # The others carry on.
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Commencer le tour de mots-clés"),
        expect="Tour de mots-clés",
        watchers=[lucie],
    )


def test_signing_out_in_another_tab_clears_the_open_session_page(table_for):
    table = table_for()
    secrets = members_only(table)
    juliette = table.open("Juliette")
    other_tab = juliette.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Se déconnecter").click()
    other_tab.wait_for_url("**/login/")
    assert_cleared(juliette, secrets)
    other_tab.close()
