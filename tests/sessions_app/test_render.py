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
