"""The feedback form and what the « Bilan » says of it, in a codéveloppement group: no
choice made before the person makes one, a word that stays once it is saved, a hidden score
that says it is hidden and why, and the phases' names whole in the chart."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def ended_with_feedback(table, scores: dict[str, int]) -> None:
    """The seeded group's first session played and ended from the server's shell (everyone
    but Lucie at the table), and the answers of ``scores`` (name → usefulness) on it."""
    people = table.data["people"]
    table.server.shell(
        "from sessions_app.models import Feedback; from participants.models import User;"
        "from sessions_app import live;"
        f"people = {{n: User.objects.get(pk=p['id']) for n, p in {people!r}.items()}};"
        f"session = {table.data['sessions'][0]};"
        "[live.apply(session, people[n], {'type': 'join'}, None)"
        " for n in ('Juliette', 'Dragos', 'Amina', 'Paul')];"
        "live.apply(session, people['Lucie'], {'type': 'start'}, None);"
        "live.apply(session, people['Lucie'], {'type': 'end'}, None);"
        "[Feedback.objects.create(session_id=session, author=people[n], usefulness=s)"
        f" for n, s in {scores!r}.items()]"
    )


def test_the_feedback_form_has_no_choice_made_and_says_once_it_is_saved(table_for):
    table = table_for(format="codev")
    ended_with_feedback(table, {})
    page = table.person("Juliette").page
    page.goto(f"/s/{table.data['sessions'][0]}/emporte/")
    page.get_by_role("link", name="Donner mon retour").click()
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(5)  # 1 to 5, and no « --------- »
    expect(page.locator("main")).not_to_contain_text("---------")
    assert page.locator("input[type=radio]:checked").count() == 0
    page.get_by_label("4 — utile").check()
    page.get_by_role("button", name="Enregistrer mon retour").click()
    expect(page.locator(".messages")).to_contain_text("Merci : votre retour est enregistré.")
    # Saved for good: « Ce que j'emporte » says so whenever it is opened again.
    page.reload()
    heading = page.get_by_role("heading", name="Mon retour sur la séance")
    feedback = page.locator("section", has=heading)
    expect(feedback).to_contain_text("Votre retour est enregistré")
    page.get_by_role("link", name="Modifier mon retour").click()
    expect(page.get_by_label("4 — utile")).to_be_checked()
    expect(page.locator("main")).to_contain_text("Vous avez déjà donné votre retour")


def test_the_bilan_says_a_score_is_hidden_and_why_and_names_the_phases_whole(table_for):
    table = table_for(format="codev")
    # 4/5 given by three people, hidden all the same: 2/5, given once, would be the rest.
    ended_with_feedback(table, {"Juliette": 4, "Dragos": 4, "Amina": 4, "Paul": 2})
    page = table.person("Dragos").page
    page.goto(f"/g/{table.data['group']}/bilan/")
    usefulness = page.locator("figure.chart", has_text="Utilité de la séance")
    usefulness.locator("summary").click()
    rows = {
        row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip()
        for row in usefulness.locator("tbody tr").all()
    }
    assert rows["4/5"] == rows["2/5"] == "masqué"
    assert rows["1/5"] == rows["3/5"] == rows["5/5"] == "0"
    expect(usefulness).not_to_contain_text("moins de 3")
    reason = page.locator("section", has=page.locator("#feedback-title"))
    expect(reason).to_contain_text(
        "Une note est masquée quand moins de 3 personnes l’ont donnée, ou quand on pourrait "
        "la retrouver à partir des autres."
    )
    # Every row label of every chart is drawn whole, inside the chart.
    phases = page.locator("figure.chart", has_text="Temps par phase")
    expect(phases).to_contain_text("Apprentissages")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        clipped = page.evaluate(
            "() => [...document.querySelectorAll('svg.bars text.label')]"
            ".filter(t => t.getBBox().x < 0).map(t => t.textContent)"
        )
        assert clipped == [], f"clipped at {width} px: {clipped}"
