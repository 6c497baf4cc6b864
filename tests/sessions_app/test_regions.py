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

from sessions_app import clocks, regions, render
from sessions_app.snapshot import Snapshot

from .test_flow import A, B, C, D, do
from .test_flow_codev import subject_of, triaged
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


def assert_cache_agrees(state, texts, now):
    """Every region of ``state``, from the cache as it stands and without it, for both
    audiences and languages, at two moments a minute apart: the same HTML."""
    snap = snapshot_of(state, texts)
    for moment in (now + 20.0, now + 85.0):
        with mock.patch.object(clocks, "time", Clock(moment)):
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


class RegionsMachine(SessionMachine):
    @invariant()
    def every_region_from_the_cache_is_what_it_is_without(self):
        # A format's own texts on some steps: the rule and job-aid are inputs too.
        texts = {"rule": "Règle du groupe.", "aid": "Aide."} if self.state.version % 3 else {}
        assert_cache_agrees(self.state, texts, self.now)


RegionsMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_every_region_from_the_cache_is_what_it_is_without = RegionsMachine.TestCase


def codev_session():
    """A codéveloppement session step by step, as the group runs it: ballots cast and
    changed, the votes shown and counted, the choice passed over, roles named, the
    contract, the harvest with a secrétaire, the synthèse and its plan, the learnings."""
    state = triaged(A, B, C, D, allowance=2, next_on="2027-01-12")
    a, b, c, d = (subject_of(state, p) for p in (A, B, C, D))
    steps: list[tuple[str, int, dict[str, object]]] = [
        ("vote", A, {"subjects": [b, b]}), ("vote", B, {"subjects": [c]}),
        ("vote", B, {"subjects": [b]}), ("set_absent", FAC, {"person": D}),
        ("vote", C, {"subjects": [a, d]}), ("set_absent", FAC, {"person": D, "absent": False}),
        ("vote", D, {"subjects": []}), ("close_choice", FAC, {}),
        ("override", FAC, {"subject": a, "reason": "Juliette part demain"}),
        ("set_role", FAC, {"role": "gardien", "person": C}),
        ("begin_subject", FAC, {}), ("done", A, {}),
        ("set_role", FAC, {"role": "secretaire", "person": D, "subject": True}),
        ("speak", B, {"text": "Une question"}), ("next_phase", FAC, {}),
        ("speak", B, {"text": "Tu veux déléguer"}), ("pass", C, {}), ("pass", D, {}),
        ("done", A, {"text": "Aidez-moi à déléguer"}),
        ("speak", D, {"text": "Un tableau de délégation"}),
        ("idea", D, {"text": "Un binôme", "person": C}),
        ("take", A, {"n": 6, "note": "dès lundi"}), ("take", A, {"n": 7}),
        ("take", A, {"n": 7, "taken": False}), ("set_role", FAC, {"role": "gardien",
                                                                   "person": None}),
        ("extend", FAC, {}), ("pass", C, {}), ("pass", D, {}),
        ("synthesize", A, {"text": "Je délègue"}), ("synthesize", A, {"text": "Je délègue tout"}),
        ("add_action", A, {"text": "Parler à Paul", "due": "2027-01-05", "sign": "Paul dit oui"}),
        ("add_action", A, {"text": "Relire"}), ("remove_action", A, {"index": 1}),
        ("take", A, {"n": 7}), ("done", A, {}),
        ("learn", FAC, {"text": "Laisser du silence"}), ("speak", B, {"text": "Merci"}),
    ]
    yield state
    for kind, actor, fields in steps:
        state = do(state, kind, actor, now=state.version * 60.0, **fields)
        yield state


def test_every_step_of_a_codev_session_from_the_cache_is_what_it_is_without():
    render.clear_caches()
    for state in codev_session():
        assert_cache_agrees(state, {}, state.version * 60.0)
    # And the same steps again on a cache warmed by the whole session.
    for state in codev_session():
        assert_cache_agrees(state, {}, state.version * 60.0)
