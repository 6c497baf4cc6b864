"""The regions' cache gives, for any state, the HTML a rendering without it gives.

A region is rendered again only when one of the inputs it is keyed on changes
(``regions.INPUTS``); an input missing from its key would serve an older state's HTML. The
random sessions of the flow's state machine (tests/sessions_app/test_flow_stateful.py) are
rendered after every step, for both audiences and both languages, at two moments a minute
apart (the clocks' text changes): from the cache, warmed by every state rendered before, and
without it, and the two must be the same byte for byte.
"""

from unittest import mock

from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant

from sessions_app import regions, render
from sessions_app.snapshot import Snapshot

from .test_flow_stateful import FAC, SessionMachine

NAMES = {1: "Juliette", 2: "Dragos", 3: "Amina", 4: "Paul", 5: "Léa", 6: "Noé", 7: "Inès",
         8: "Tom", 10: "Absente"}


def snapshot_of(state, texts) -> Snapshot:
    """What ``live.snapshot`` gives a page, for a state made by ``flow.step`` alone."""
    return {
        "id": 7,
        "stamp": "",
        "version": state.version,
        "title": "Séance de mars",
        "group": "Groupe",
        "group_id": 3,
        "duration": 120,
        "visio_url": "",
        "facilitators": [FAC],
        "people": {str(pid): name for pid, name in NAMES.items()},
        "state": state.to_dict(),
        "texts": texts,
        "created": "",
    }


class Clock:
    """``time`` as render reads it, stopped at a given moment."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


class RegionsMachine(SessionMachine):
    @invariant()
    def every_region_from_the_cache_is_what_it_is_without(self):
        # A format's own texts on some steps: the rule and job-aid are inputs too.
        texts = {"rule": "Règle du groupe.", "aid": "Aide."} if self.state.version % 3 else {}
        snap = snapshot_of(self.state, texts)
        for moment in (self.now + 20.0, self.now + 85.0):
            with mock.patch.object(render, "time", Clock(moment)):
                for audience in ("facilitator", "participant"):
                    for language in ("fr", "en"):
                        cached = render._render(snap, audience, language)
                        with translation.override(language):
                            context = render.live_context(snap, audience)
                            for name, rid in regions.REGION_IDS.items():
                                alone = regions.render_region(name, context)
                                assert cached.regions[rid] == alone, (name, audience, language)
                            page = render_to_string("sessions_app/session.html#live", context)
                        # The assembled region is the page's own (its GET, inline partials).
                        assert cached.html == page


RegionsMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_every_region_from_the_cache_is_what_it_is_without = RegionsMachine.TestCase
