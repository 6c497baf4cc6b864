"""The live region's parts, and their HTML rendered only when what they read changes.

The live region (``session.html#live``) is made of named partials, one per region of the
page: ``status``, ``notes``, ``speaker``, ``controls``, ``contributions``,
``facilitator-bar``, ``turn-order``, ``presence`` and ``subjects``, each in a
``<div class="region">`` with an id of its own (``REGION_IDS``); each renders alone from the
same context. A region is keyed on its audience, the language and the context values it reads
(``INPUTS``, the clocks' text included) and kept in ``region_cache``: a click renders again only
the regions whose inputs it changed, and sessions standing at the same step share them.

``Rendered`` is one version of the live region for one audience and language: its regions'
HTML and the websocket frames made of them (``Rendered.whole`` after a (re)connect,
``Rendered.frame_after`` the regions changed since a page's previous frame).
"""

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise

# A template context: what ``render.live_context`` gives the live region's partials.
Context = dict[str, Any]
# A region's HTML by its DOM id.
Regions = dict[str, str]
# What a region reads from the context: a name, a dotted path, or a function of the context.
Input = str | Callable[[Context], object]
# A region's key in the cache: name, audience, language and the digest of its inputs.
RegionKey = tuple[str, str, str, bytes]


# The live region's parts, in page order: each a named partial of session.html wrapped in a
# ``<div id="..." class="region">`` of its own (app.css lays it out as if it were not there).
REGION_IDS = {
    "status": "live-status",
    "notes": "live-notes",
    "speaker": "live-speaker",
    "controls": "live-controls",
    "contributions": "live-contributions",
    "facilitator-bar": "live-tools",
    "turn-order": "live-turns",
    "presence": "live-presence",
    "subjects": "live-subjects",
}
REGIONS = tuple(REGION_IDS)


def _undoable(context: Context) -> bool:
    return bool(context["state"].version)


def _has_subjects(context: Context) -> bool:
    return bool(context["subjects"])


def _in_round(context: Context) -> bool:
    return bool(context["state"].in_round)


# What each region's template reads from ``live_context``: a name, a dotted path, or a function
# of the context for a value read only in part (``{% if state.version %}`` reads a yes or no).
# The region is rendered again only when one of these changes; one missing is a bug that
# tests/sessions_app/test_regions.py finds by rendering random states with and without cache.
INPUTS: dict[str, tuple[Input, ...]] = {
    "status": (
        "state.stage", "state.round", "subject", "stage_label", "phase", "phase_label",
        "owner_name", "rule", "phase_clock", "phase_total", "session_clock", "session_total",
        "open_count", "subject_count", "phase_steps", "phase_due", "session_due",
        "is_facilitator_view", "cmd", "override", "contract", "roles", "offered.extend",
    ),
    "notes": ("state.stage", "seating", "joining", "cmd", "job_aid"),
    "speaker": ("speaker", "speaker_name", "next_speaker", "next_name", "phase", _in_round),
    "controls": (
        "state.stage", "is_facilitator_view", "seating", "unseated", "cmd", _undoable, "snap.id",
        "speaker", "speaker_name", "report_items", "action_statuses", "reported", "phase",
        "subject", "keyword_max", "text_max", "action_max", "actions", "takeable",
        "next_subject", _has_subjects, "planner", "handled", "open_count", _in_round,
        "owner_name", "drive", "offered.vote", "offered.idea", "offered.learn", "choice",
        "override_options", "ideas", "consultants", "plan", "next_on", "synthesis",
        "synthesis_max",
    ),
    "contributions": ("contributions", "phase"),
    "facilitator-bar": (
        "is_facilitator_view", "state.stage", "phase", _undoable, "cmd", "snap.id", _in_round,
    ),
    "turn-order": (
        "queue", "state.round", "state.stage", "seating", "is_facilitator_view", "present",
    ),
    "presence": (
        "state.stage", "is_facilitator_view", "seating", "cmd", "unseated", "joining",
        "role_forms", "subject",
    ),
    "subjects": (
        "subject", "owner_name", "subjects", "handled", "state.stage", "is_facilitator_view",
        "cmd",
    ),
}


def _read(context: Context, name: Input) -> object:
    if callable(name):
        return name(context)
    value: object = context
    for part in name.split("."):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def _freeze(value: object) -> object:
    # Translated labels by their text (the key of a lazy string would be its address).
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def region_key(
    name: str, context: Context, audience: str, language: str,
    read: dict[Input, str] | None = None,
) -> RegionKey:
    """What a region's HTML depends on: its audience, the language and the inputs it reads,
    clocks included (their text is the minutes elapsed when rendered).

    ``read``: the inputs already read and frozen for the other regions of the same
    context (several regions read the stage, the phase, the command URL…): each is read once
    per rendering."""
    read = {} if read is None else read
    parts = []
    for i in INPUTS[name]:
        frozen = read.get(i)
        if frozen is None:
            frozen = read[i] = repr(_freeze(_read(context, i)))
        parts.append(frozen)
    # Held by its digest: the cache's memory is the regions' HTML, not their inputs again.
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).digest()
    return (name, audience, language, digest)


class RegionCache:
    """Regions' HTML by ``region_key``, the least recently used dropped past ``size``: a
    click re-renders only the regions whose inputs it changed, and every session standing
    still at the same step (the lobby of many sessions) shares one rendering."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[RegionKey, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_render(self, key: RegionKey, render: Callable[[], str]) -> str:
        html = self._entries.get(key)
        if html is not None:
            try:
                self._entries.move_to_end(key)
            except KeyError:  # dropped meanwhile by another thread
                pass
            return html
        html = render()
        self._entries[key] = html
        while len(self._entries) > self.size:
            try:
                self._entries.popitem(last=False)
            except KeyError:
                break
        return html

    def clear(self) -> None:
        self._entries.clear()


region_cache = RegionCache(16384)


def render_region(name: str, context: Context) -> str:
    """One region's HTML, rendered (no cache): the named partial of session.html."""
    return render_to_string(f"sessions_app/session.html#{name}", context)


class Rendered:
    """One version of the live region for one audience and language: the section's opening
    tag and each region's HTML, with the frames made of them (encoded once, shared by every
    socket that needs the same one)."""

    __slots__ = ("version", "open", "regions", "_html", "_whole", "_diffs")

    def __init__(
        self, version: int, open_tag: str, regions: Regions, html: str | None = None
    ) -> None:
        self.version = version
        self.open = open_tag
        self.regions = regions  # DOM id -> HTML
        self._html = html
        self._whole: str | None = None
        self._diffs: dict[int, tuple[Regions, str | None]] = {}  # base version -> (base, frame)

    @property
    def html(self) -> str:
        """The whole live region, as the page's GET and the polling fallback serve it."""
        if self._html is None:
            names = {name.replace("-", "_"): self.regions[rid]
                     for name, rid in REGION_IDS.items()}
            names["open"] = self.open
            self._html = render_to_string("sessions_app/session.html#live", {"regions": names})
        return self._html

    @property
    def whole(self) -> str:
        """The frame of a (re)connect or a resync: every region."""
        if self._whole is None:
            self._whole = json.dumps({"version": self.version, "html": self.html})
        return self._whole

    def frame_after(self, base_version: int, base_regions: Regions) -> str | None:
        """The frame for a page that was last sent ``base_regions`` at ``base_version``:
        only the regions whose HTML differs, or None when there is nothing to send (an older
        version, or the same one again)."""
        if self.version < base_version:
            return None
        cached = self._diffs.get(base_version)
        if cached is not None and cached[0] is base_regions:
            return cached[1]
        changed = {
            rid: html for rid, html in self.regions.items()
            if base_regions.get(rid) is not html and base_regions.get(rid) != html
        }
        if not changed and self.version == base_version:
            frame = None
        else:
            frame = json.dumps({
                "version": self.version, "base": base_version, "open": self.open,
                "regions": changed,
            })
        self._diffs[base_version] = (base_regions, frame)
        return frame
