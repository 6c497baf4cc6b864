"""The live region is made of named partials, each rendered alone from the same context, and
rendered once per version, audience and language."""

from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from sessions_app import live, regions, render

ROOT = Path(__file__).resolve().parents[2]
REGIONS = (
    "status", "notes", "speaker", "controls", "contributions", "facilitator-bar", "turn-order",
    "presence", "subjects",
)


@pytest.fixture(autouse=True)
def cold_cache():
    render.clear_caches()


@pytest.fixture
def in_triage(session, facilitator, participants):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    return live.apply(session.pk, facilitator, {"type": "start"}, None)


@pytest.mark.parametrize("audience", ["facilitator", "participant"])
def test_each_region_renders_alone_as_it_appears_in_the_live_region(in_triage, audience):
    context = render.live_context(in_triage, audience)
    with translation.override("fr"):
        whole = render_to_string("sessions_app/session.html#live", context)
        parts = {name: render_to_string(f"sessions_app/session.html#{name}", context)
                 for name in REGIONS}
    for name, html in parts.items():
        assert html in whole, name
    assert "Juliette" in parts["speaker"] and "Juliette" in parts["turn-order"]
    assert ("Commencer" not in parts["controls"]) and ("Proposer" in parts["controls"])
    assert (audience == "facilitator") == ("Clore le tour" in parts["facilitator-bar"])


def test_a_version_is_rendered_once_per_audience_and_language(in_triage, monkeypatch):
    rendered = []
    original = render.render_to_string
    def counted(name, *args, **kwargs):
        rendered.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(render, "render_to_string", counted)
    monkeypatch.setattr(regions, "render_to_string", counted)
    for _socket in range(8):
        for audience in ("facilitator", "participant"):
            render.live_frame(in_triage, audience, "fr")
    render.live_frame(in_triage, "participant", "en")
    # 17 frames asked for, 3 renderings of each region: (facilitator, fr), (participant, fr),
    # (participant, en), and of the section that holds them.
    names = ("live", "live-open", *regions.REGIONS)
    assert sorted(rendered) == sorted(f"sessions_app/session.html#{n}" for n in names * 3)


# --- The page tidied: one heading per stage, no empty box, one menu per subject, one verb per
# action, names marked by the page's own script. -------------------------------------------


NB = "\u00a0"  # French typography: a non-breaking space inside « »


def quoted(keyword):
    return f"«{NB}{keyword}{NB}»"


def region(snap, audience, name="live"):
    with translation.override("fr"):
        context = render.live_context(snap, audience)
        return render_to_string(f"sessions_app/session.html#{name}", context)


@pytest.fixture
def in_order(in_triage, session, facilitator, participants):
    juliette, dragos = participants[:2]
    live.apply(session.pk, juliette, {"type": "propose", "keyword": "équilibre"}, None)
    live.apply(session.pk, dragos, {"type": "propose", "keyword": "roadmap"}, None)
    return live.apply(session.pk, facilitator, {"type": "close_triage"}, None)


@pytest.mark.parametrize("audience", ["facilitator", "participant"])
def test_each_stage_is_named_once(in_triage, audience):
    status = " ".join(region(in_triage, audience, "status").split()).lower()
    assert status.count("tour de mots-clés") == 1
    assert 'class="stage"' in status and "tour 1" in status


def test_the_lobby_has_no_empty_bar_and_no_empty_card(session, facilitator, participants):
    for person in participants:
        snap = live.apply(session.pk, person, {"type": "join"}, None)
    for audience in ("facilitator", "participant"):
        html = region(snap, audience)
        assert "facilitator-bar" not in html
        assert "Aucun sujet ouvert" not in html  # no subject yet: no « Sujets » card at all
        assert " ".join(html.split()).lower().count("accueil") == 1
    # The lobby's undo is in its own card, with the table.
    assert "Annuler la dernière étape" in region(snap, "facilitator", "controls")


def test_the_facilitator_has_one_menu_per_subject_each_action_named_after_it(in_order):
    html = region(in_order, "facilitator", "subjects")
    assert html.count("<details") == 2 and html.count("<summary") == 2
    for kw in ("équilibre", "roadmap"):
        for name in (
            f"Gérer {quoted(kw)}",
            f"Commencer {quoted(kw)}",
            f"Marquer {quoted(kw)} urgent",
            f"Retirer le sujet {quoted(kw)}",
        ):
            assert f'aria-label="{name}"' in html, name
    assert ">Retirer<" not in html and ">Traiter<" not in html


def test_an_absent_owners_subject_is_tagged_and_not_offered_to_begin(
    in_order, session, facilitator, participants
):
    dragos = participants[1]
    snap = live.apply(
        session.pk, facilitator, {"type": "set_absent", "person": dragos.pk, "absent": True}, None
    )
    html = region(snap, "facilitator", "subjects")
    roadmap = html[html.index(quoted("roadmap")):]
    assert "absent·e" in roadmap
    assert f"Commencer {quoted('roadmap')}" not in html
    assert f"Commencer {quoted('équilibre')}" in html


def test_a_participant_sees_a_menu_on_their_own_subjects_only(in_order, participants):
    html = region(in_order, "participant", "subjects")
    # One menu per subject, each shown by the page's script to the subject's owner alone.
    menus = html.count("<details")
    assert menus == 2
    assert html.count(f'data-only-for="{participants[0].pk}"') == 1
    assert "Marquer" not in html and "Commencer" not in html


@pytest.mark.parametrize("audience", ["facilitator", "participant"])
def test_names_carry_their_person_for_the_page_to_mark_its_own(in_order, participants, audience):
    html = region(in_order, audience)
    juliette = participants[0]
    # The owner's name in the subject list, the same HTML for every participant.
    assert f'<span class="name" data-person="{juliette.pk}">Juliette</span>' in html
    assert "(vous)" not in html  # added in the page, from the body's data-you


def test_the_words_of_the_session_page_are_distinct():
    """One verb per action: « Retirer » is the subject's alone."""
    source = (ROOT / "templates" / "sessions_app" / "session.html").read_text(encoding="utf-8")
    for gone in ('"Retirer"', "Retirer cette action", "Retirer du panier", '"Absent·e"',
                 '"Présent·e"', '"Traiter"', '"Pas urgent"'):
        assert gone not in source, gone
    for word in ("Retirer le sujet", "Supprimer l’action", "Sortir du panier",
                 "Marquer absent·e", "Marquer urgent"):
        assert word in source, word


def test_the_turn_order_says_who_is_absent_before_their_turn_comes(
    session, facilitator, participants
):
    for person in participants:
        live.apply(session.pk, person, {"type": "join"}, None)
    live.apply(session.pk, facilitator, {"type": "start"}, None)
    second = participants[1]
    snap = live.apply(
        session.pk, facilitator, {"type": "set_absent", "person": second.pk}, None
    )
    with translation.override("fr"):
        html = render_to_string(
            "sessions_app/session.html#turn-order", render.live_context(snap, "participant")
        )
    item = html.split(f'data-person="{second.pk}"')[1].split("</li>")[0]
    assert "absent·e" in item
    # …and the cue « next » goes to whoever really speaks after the current speaker.
    assert snap["state"]["queue"][1] == second.pk
    assert render.live_context(snap, "participant")["next_speaker"] == participants[2].pk


def test_the_contributions_say_absent_for_someone_skipped_while_away(in_order, session, facilitator,
                                                                     participants):
    live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    snap = live.apply(session.pk, facilitator, {"type": "done"}, None)
    away = snap["state"]["queue"][0]
    snap = live.apply(session.pk, facilitator, {"type": "set_absent", "person": away}, None)
    html = region(snap, "participant", "contributions")
    item = html.split(f'data-person="{away}"')[1].split("</li>")[0]
    assert "absent·e" in item and "passe" not in item
    # Nothing of an absent turn can go into the owner's panier.
    takeable = render.live_context(snap, "participant")["takeable"]
    assert all(c["c"].person != away for c in takeable)


def test_the_subject_being_handled_is_not_counted_as_waiting(in_order, session, facilitator):
    before = render.live_context(live.snapshot(session), "participant")
    assert (before["open_count"], before["subject_count"]) == (2, 2)
    snap = live.apply(session.pk, facilitator, {"type": "begin_subject"}, None)
    context = render.live_context(snap, "participant")
    assert (context["open_count"], context["subject_count"]) == (1, 2)
    assert "1 en attente sur 2" in region(snap, "participant").replace("\u00a0", " ")
