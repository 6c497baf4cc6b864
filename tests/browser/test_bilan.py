"""The group's « Bilan » after two sessions played in several people's browsers (issue 14):
the members give their feedback from « Ce que j’emporte », then a member and the organiser
read the page — the totals, the charts and their tables of numbers, the shared sentence
without a name, who facilitated for the organiser only —, switch the period, download the
CSV (counts only), and the page passes axe-core and fits a phone's width."""

import csv
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 780}
SHARED = "Déléguer un domaine entier, pas des tâches : je l’essaie lundi."
PRIVATE = "Je me sens moins seule face à mon équipe."
CAPTIONS = (
    "Sujets par séance",
    "Sujets en attente à la fin de chaque séance",
    "Présence par séance",
    "Durée des séances, prévue et réelle",
    "Temps par phase sur la période, prévu et réel",
    "Votes exprimés pour choisir les sujets, idées retenues par séance",
    "Actions prévues à chaque séance, selon leur statut aujourd’hui",
    "Utilité de la séance, selon les membres (1 à 5)",
)
CSV_COLUMNS = [
    "date", "subjects_proposed", "subjects_handled", "subjects_withdrawn", "subjects_carried",
    "backlog_after", "present", "registered", "seats", "planned_minutes", "actual_minutes",
    "actions_planned", "actions_reported", "actions_done", "facilitators",
    "votes_cast", "ideas_kept", "actions_todo_now", "actions_doing_now", "actions_done_now",
    "actions_dropped_now",
]

_axe = Axe()


def button(person, name):
    return person.page.get_by_role("button", name=name, exact=True)


def serious_violations(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def fits_width(page) -> bool:
    return page.evaluate(
        "() => document.scrollingElement.scrollWidth <= window.innerWidth"
    )


def numbers(page, heading: str = "totals") -> dict[str, str]:
    """The figures of a section (« En bref » by default), label → number."""
    section = page.locator("section", has=page.locator(f"#{heading}"))
    return {
        row.locator("dt").inner_text().strip(): row.locator("dd").inner_text().strip()
        for row in section.locator("dl.numbers > div").all()
    }


def give_feedback(person, score: str, keeps: str = "", *, share: bool = False) -> None:
    """From the ended session's page: « Ce que j’emporte », then « Donner mon retour »."""
    page = person.page
    page.get_by_role("link", name="Ce que j’emporte").click()
    page.get_by_role("link", name="Donner mon retour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon retour sur la séance")
    page.get_by_label(score).check()
    if keeps:
        page.get_by_role("textbox", name="Ce que je retiens").fill(keeps)
    if share:
        page.get_by_role(
            "checkbox", name="Partager ce que je retiens avec le groupe, sans mon nom"
        ).check()
    page.get_by_role("button", name="Enregistrer mon retour").click()
    expect(page.locator(".messages")).to_contain_text("Merci : votre retour est enregistré.")


def play_first_session(table):
    """Juliette's « délégation » handled (a question, a reaction taken into her panier, an
    action); Dragos's « roadmap » proposed and left for the next session."""
    lucie = table.open("Lucie")
    juliette, dragos, amina = (table.open(n) for n in ("Juliette", "Dragos", "Amina"))
    table.start_keyword_round(lucie)
    juliette.page.locator("#keyword").fill("délégation")
    table.click(juliette, button(juliette, "Proposer"), expect="« délégation »")
    dragos.page.locator("#keyword").fill("roadmap")
    table.click(dragos, button(dragos, "Proposer"), expect="« roadmap »")
    table.click(amina, button(amina, "Je passe"))
    table.click(lucie, button(lucie, "Clore le tour de mots-clés"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « délégation »")
    table.click(juliette, button(juliette, "Exposé terminé"), expect="Clarification")
    dragos.page.locator("#speak-text").fill("Qu’avez-vous déjà délégué ?")
    table.click(dragos, button(dragos, "J’ai posé ma question"))
    for person in (amina, dragos, amina):
        table.click(person, button(person, "Je passe"))
    expect(lucie.live()).to_contain_text("Réaction")
    dragos.page.locator("#speak-text").fill("Déléguer un domaine entier.")
    table.click(dragos, button(dragos, "J’ai terminé"))
    table.click(amina, button(amina, "Je passe"), expect="Panier")
    reaction = juliette.page.locator("#live .panier li", has_text="Déléguer un domaine entier")
    table.click(juliette, reaction.get_by_role("button", name="Je prends"))
    juliette.page.locator("#action-text").fill("Confier le suivi des tickets à Marc")
    table.click(juliette, button(juliette, "Ajouter"), expect="Confier le suivi des tickets")
    table.click(juliette, button(juliette, "Panier terminé"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Terminer la séance"), expect="Séance terminée")
    return lucie, juliette, dragos, amina


def play_second_session(table):
    """Dragos's carried « roadmap » handled, with Paul at the table this time."""
    table.allowed.append("WebSocket")  # the pages of session 1 are left for session 2's
    lucie, dragos, amina, paul = (table.open(n, index=1) for n in ("Lucie", "Dragos", "Amina",
                                                                       "Paul"))
    for person in (lucie, dragos, amina, paul):
        expect(person.live()).to_contain_text("« roadmap »")
    table.start_keyword_round(lucie)
    for person in (dragos, amina, paul):  # a whole round passes: on to the order
        table.click(person, button(person, "Je passe"))
    table.click(lucie, button(lucie, "Commencer ce sujet"), expect="Exposé — « roadmap »")
    table.click(dragos, button(dragos, "Exposé terminé"), expect="Clarification")
    amina.page.locator("#speak-text").fill("Qui décide des priorités ?")
    table.click(amina, button(amina, "J’ai posé ma question"))
    for person in (paul, amina, paul):
        table.click(person, button(person, "Je passe"))
    expect(lucie.live()).to_contain_text("Réaction")
    table.click(amina, button(amina, "Je passe"))
    paul.page.locator("#speak-text").fill("Une roadmap par objectifs, pas par dates.")
    table.click(paul, button(paul, "J’ai terminé"), expect="Panier")
    reaction = dragos.page.locator("#live .panier li", has_text="par objectifs")
    table.click(dragos, reaction.get_by_role("button", name="Je prends"))
    table.click(dragos, button(dragos, "Panier terminé"), expect="Ordre des sujets")
    table.click(lucie, button(lucie, "Terminer la séance"), expect="Séance terminée")
    return lucie, dragos, amina, paul


def test_the_bilan_after_two_sessions_as_a_member_and_as_the_organiser(table_for):
    table = table_for(sessions=2, organiser=True)
    _lucie, juliette, dragos, amina = play_first_session(table)
    # Three of the four at the first session's table give their feedback; Juliette shares
    # what she keeps, Amina keeps hers to herself.
    give_feedback(juliette, "5 — très utile", SHARED, share=True)
    give_feedback(dragos, "4 — utile")
    give_feedback(amina, "5 — très utile", PRIVATE)

    _lucie, dragos, amina, paul = play_second_session(table)
    give_feedback(dragos, "5 — très utile")
    give_feedback(amina, "4 — utile")
    give_feedback(paul, "4 — utile")

    # A member reaches the page from the group's page.
    group = table.data["group"]
    page = dragos.page
    page.goto(f"/g/{group}/")
    page.get_by_role("link", name="Voir le bilan").click()
    expect(page).to_have_url(table.url(f"/g/{group}/bilan/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bilan")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("12 mois")
    assert numbers(page) == {
        "Séances": "2",
        "Sujets traités": "2",
        "Sujets proposés": "2",
        "Sujets en attente aujourd’hui": "0",
        "Personnes ayant animé": "1",
        # Intervision: no vote; the ideas taken into a panier and the actions still to do
        # are fewer than three, too few to be shown apart.
        "Votes exprimés pour choisir les sujets": "0",
        "Idées retenues": "masqué",
        "Actions à faire": "masqué",
        "Actions en cours": "0",
        "Actions faites": "0",
        "Actions abandonnées": "0",
    }
    assert numbers(page, "mine-title") == {  # Dragos's own
        "Séances suivies": "2",
        "Mes sujets proposés": "1",
        "traités": "1",
        "en attente": "0",
        "Mes actions en cours": "0",
        "faites": "0",
        "abandonnées": "0",
        # His own: the reaction he took into his panier, and his proposal Juliette kept.
        "Idées que j’ai retenues sur mes sujets": "1",
        "Mes propositions retenues": "1",
    }
    captions = page.locator("figure.chart figcaption").all_inner_texts()
    assert [c.strip() for c in captions] == list(CAPTIONS)
    for caption in CAPTIONS[:-1]:  # each chart is an image named by its caption
        chart = page.locator("figure.chart", has_text=caption)
        expect(chart.get_by_role("img", name=caption, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Le retour sur les plans d’action n’est pas activé dans ce groupe"
    )
    # Attendance: 3 at the first table, 3 at the second; no registration, 7 seats.
    attendance = page.locator("figure.chart", has_text="Présence par séance")
    table_rows = attendance.locator("details table tbody tr")
    expect(attendance.locator("details table")).to_be_hidden()
    attendance.get_by_text("Les chiffres").click()
    expect(attendance.locator("details table")).to_be_visible()
    expect(attendance.locator("details table thead th")).to_have_text(
        ["Ligne", "présents", "inscrits", "places"]
    )
    assert [row.locator("td").all_inner_texts() for row in table_rows.all()] == [
        ["3", "0", "7"], ["3", "0", "7"]
    ]
    subjects = page.locator("figure.chart", has_text="Sujets par séance")
    subjects.get_by_text("Les chiffres").click()
    assert [
        row.locator("td").all_inner_texts()
        for row in subjects.locator("details table tbody tr").all()
    ] == [["2", "1", "0", "0"], ["0", "1", "0", "1"]]

    # The members' word: six answers, 4.5 on average, Juliette's sentence without her name,
    # Amina's unshared sentence nowhere.
    words = page.locator("section", has=page.locator("#feedback-title"))
    expect(words).to_contain_text("6 réponses, utilité moyenne 4,5 sur 5.")
    expect(words.locator(".quotes li")).to_have_text([f"« {SHARED} »"])
    expect(words).not_to_contain_text("Juliette")
    expect(page.locator("body")).not_to_contain_text(PRIVATE)
    # Nothing said in the sessions, no keyword, and no facilitator's name for a member.
    main = page.locator("main")
    for said in ("délégation", "roadmap", "Déléguer un domaine entier.", "par objectifs",
                 "Confier le suivi des tickets", "Lucie", "Juliette"):
        expect(main).not_to_contain_text(said)
    facilitation = page.locator("section", has=page.locator("#facilitation-title"))
    expect(facilitation).to_contain_text("1 personne a animé sur la période.")
    expect(page.get_by_role("link", name="Exporter les chiffres (CSV)")).to_have_count(0)
    member_violations = serious_violations(page)

    # « Dernière séance »: the second session alone; its three answers are too few to show
    # apart, and the sentence shared on the first session is not in this period.
    page.locator(".tabs").get_by_role("link", name="Dernière séance").click()
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("Dernière séance")
    assert numbers(page)["Séances"] == "1" and numbers(page)["Sujets traités"] == "1"
    expect(words).to_contain_text("3 réponses. La moyenne n’est pas affichée")
    expect(words.locator(".quotes li")).to_have_count(0)
    feedback_chart = page.locator("figure.chart", has_text="Utilité de la séance")
    feedback_chart.get_by_text("Les chiffres").click()
    expect(feedback_chart.locator("details table tbody tr")).to_have_count(5)
    expect(feedback_chart.locator("details table tbody")).to_contain_text("masqué")
    expect(feedback_chart.locator("details table tbody")).not_to_contain_text("moins de 3")

    # The organiser: who facilitated, by name, and the CSV.
    olga = table.person("Olga")
    page = olga.page
    page.goto(f"/g/{group}/bilan/")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_text("12 mois")
    assert numbers(page)["Séances"] == "2"
    facilitation = page.locator("section", has=page.locator("#facilitation-title"))
    expect(facilitation).to_contain_text("Visible des seuls organisateurs")
    expect(facilitation.locator("li")).to_have_text(["Lucie — 2 séances"])
    expect(page.locator("section", has=page.locator("#feedback-title")).locator(".quotes li")
           ).to_have_text([f"« {SHARED} »"])
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter les chiffres (CSV)").click()
    assert download.value.suggested_filename.startswith("bilan-")
    text = open(download.value.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 3
    by_name = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["subjects_proposed"], r["subjects_handled"], r["subjects_carried"],
             r["present"], r["seats"], r["facilitators"]) for r in by_name] == [
        ("2", "1", "0", "3", "7", "1"), ("0", "1", "1", "3", "7", "1")
    ]
    for row in rows[1:]:  # counts only, and the date
        assert all(cell == "" or cell.isdigit() for cell in row[1:]), row
    for person in table.data["people"].values():
        assert person["email"] not in text
    for word in ("Lucie", "Juliette", "Dragos", "Amina", "Paul", "Olga", "délégation",
                 "roadmap", "Séance 1", "Pairs produit", SHARED):
        assert word not in text
    organiser_violations = serious_violations(page)
    assert not member_violations and not organiser_violations, (
        f"serious or critical axe violations: member {member_violations}, "
        f"organiser {organiser_violations}"
    )

    # On a phone: no sideways scroll, for the member and for the organiser, and the charts
    # stay within the screen.
    for person in (dragos, olga):
        person.page.set_viewport_size(PHONE)
        person.page.goto(f"/g/{group}/bilan/")
        assert fits_width(person.page), person.page.evaluate(
            "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        for box in (svg.bounding_box() for svg in person.page.locator("svg.bars").all()):
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert not serious_violations(person.page)


def one_ended_session(table) -> None:
    """The seeded group's first session played and ended from the server's shell (Juliette,
    Dragos and Amina at the table, a subject proposed and left open), and their three
    answers on it."""
    people = table.data["people"]
    table.server.shell(
        "from sessions_app.models import Feedback; from participants.models import User;"
        "from sessions_app import live;"
        f"people = {{n: User.objects.get(pk=p['id']) for n, p in {people!r}.items()}};"
        f"session = {table.data['sessions'][0]};"
        "[live.apply(session, people[n], {'type': 'join'}, None)"
        " for n in ('Juliette', 'Dragos', 'Amina')];"
        "live.apply(session, people['Lucie'], {'type': 'start'}, None);"
        "live.apply(session, people['Juliette'], {'type': 'propose', 'keyword': 'budget'}, None);"
        "live.apply(session, people['Lucie'], {'type': 'end'}, None);"
        "[Feedback.objects.create(session_id=session, author=people[n], usefulness=4)"
        " for n in ('Juliette', 'Dragos', 'Amina')]"
    )


def test_the_usefulness_chart_is_named_by_its_own_caption(table_for):
    """Every id on the page is unique, so the usefulness chart is named by its caption."""
    table = table_for(sessions=1)
    one_ended_session(table)
    page = table.person("Juliette").page
    page.goto(f"/g/{table.data['group']}/bilan/")
    caption = CAPTIONS[-1]
    expect(page.locator("figure.chart figcaption", has_text=caption)).to_be_visible()
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
        " return ids.filter((id, i) => ids.indexOf(id) !== i); }"
    )
    assert duplicates == []
    expect(page.get_by_role("img", name=caption, exact=True)).to_be_visible()


def test_the_tables_of_numbers_fit_a_phone(table_for):
    table = table_for(sessions=1)
    one_ended_session(table)
    page = table.person("Dragos", viewport=PHONE).page
    page.goto(f"/g/{table.data['group']}/bilan/")
    assert fits_width(page)
    for summary in page.locator("details.chart-table summary").all():
        summary.click()
    expect(page.locator("details.chart-table[open]")).to_have_count(
        page.locator("details.chart-table").count()
    )
    assert fits_width(page), page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
    )
