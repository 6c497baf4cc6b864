"""Two daphne processes behind a load balancer: people on either see every step in time."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="two processes share live updates only through Redis: set REDIS_URL",
    ),
]


def test_people_on_two_daphne_processes_follow_the_same_session(server, table_for):
    # Runs until the end of the tests (server.stop), after the pages using it are closed.
    other = server.another_process()
    table = table_for()
    lucie = table.open("Lucie")
    juliette = table.open("Juliette")
    dragos = table.open("Dragos", base_url=other.base_url)
    amina = table.open("Amina", base_url=other.base_url)
    assert dragos.page.url.startswith(other.base_url)
    # The lobby's joins made on one process reached the facilitator on the other.
    expect(lucie.page.locator("#live .seating li")).to_have_count(3)

    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("équilibre")
    table.click(
        juliette, juliette.page.get_by_role("button", name="Proposer"), expect="« équilibre »"
    )
    dragos.page.locator("#keyword").fill("roadmap")
    table.click(dragos, dragos.page.get_by_role("button", name="Proposer"), expect="« roadmap »")
    table.click(amina, amina.page.get_by_role("button", name="Je passe"), expect="tour 2")
    table.click(
        lucie,
        lucie.page.get_by_role("button", name="Clore le tour de mots-clés"),
        expect="Ordre des sujets",
    )
    for person in (lucie, juliette, dragos, amina):
        expect(person.page.locator("#live .subjects")).to_contain_text("roadmap")
