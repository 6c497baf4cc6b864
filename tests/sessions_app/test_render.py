"""The live region is made of named partials, each rendered alone from the same context, and
rendered once per version, audience and language."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from sessions_app import live, render

REGIONS = (
    "status", "speaker", "controls", "contributions", "facilitator-bar", "turn-order", "subjects",
)


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
    for _socket in range(8):
        for audience in ("facilitator", "participant"):
            render.live_frame(in_triage, audience, "fr")
    render.live_frame(in_triage, "participant", "en")
    # 17 frames asked for, 3 renderings: (facilitator, fr), (participant, fr), (participant, en).
    assert rendered == ["sessions_app/session.html#live"] * 3


# --- The page tidied: one heading per stage, no empty box. ----------------------------------


def region(snap, audience, name="live"):
    with translation.override("fr"):
        context = render.live_context(snap, audience)
        return render_to_string(f"sessions_app/session.html#{name}", context)


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


@pytest.mark.parametrize("audience", ["facilitator", "participant"])
def test_names_carry_their_person_for_the_page_to_mark_its_own(in_triage, participants, audience):
    html = region(in_triage, audience)
    juliette = participants[0]
    # Her name in the turn order, the same HTML for every participant: each page marks its own.
    assert f'<span class="name" data-person="{juliette.pk}">Juliette</span>' in html
    assert "(vous)" not in html  # added in the page, from the body's data-you
