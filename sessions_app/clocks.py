"""The live page's clocks and the order stage's planner, rendered with each version.

``timer_context`` gives the clocks' text with their unit and the moments (seconds since the
epoch, as data attributes) from which the page's own clock (``static/js/clock.js``) keeps
them running, says an overrun when it comes, and moves a planned subject from "fits" to
"waits".
"""

import math
import time
from collections.abc import Callable

from django.utils.html import format_html
from django.utils.safestring import SafeString

from . import flow
from .regions import Context
from .snapshot import Snapshot
from .texts import duration_label

# A person's name by their id, as the snapshot has it (None for nobody).
Namer = Callable[[int | None], str | None]


def _epoch(value: float) -> str:
    # Plain digits whatever the language (data attributes read by the page's clock).
    return f"{value:.3f}"


def timer_context(snap: Snapshot, state: flow.State, name: Namer) -> Context:
    """The clocks with their unit, when a phase or the session runs over (revealed by the
    page's clock at that moment: a frame is rendered once per version), and the planner of
    the order stage (re-planned at each version; between versions the page moves a subject
    from "fits" to "waits" at its ``until``, the one way time alone changes a plan)."""
    duration = snap.get("duration") or 0
    box = flow.phase_box(state)
    due = flow.phase_due(state)
    running = state.started_at is not None and state.stage != "ended"

    def clock(since: float | None, until: float | None, box_minutes: float) -> SafeString:
        elapsed = ((until or time.time()) - since) / 60 if since else 0
        return format_html(
            '<span class="clock" data-since="{}" data-until="{}" data-box="{}">{}</span>',
            _epoch(since) if since else "",
            _epoch(until) if until else "",
            _epoch(box_minutes),
            duration_label(math.floor(elapsed)),
        )

    context: Context = {
        "phase_total": duration_label(box) if box is not None else "",
        "phase_extra_label": duration_label(state.phase_extra) if state.phase_extra else "",
        "phase_clock": clock(state.phase_started_at, None, box) if box is not None else "",
        "phase_due": _epoch(due) if due is not None else "",
        "session_total": duration_label(duration),
        "session_clock": clock(state.started_at, state.ended_at, duration),
        "session_due": (
            _epoch(state.started_at + duration * 60)
            if state.started_at is not None and running and duration
            else ""
        ),
        "planner": None,
    }
    if state.stage == "order":
        now = time.time()
        ends = (state.started_at or now) + duration * 60
        result = flow.plan(state, now, ends)
        context["planner"] = {
            "left": format_html(
                '<span class="countdown" data-until="{}">{}</span>',
                _epoch(ends),
                duration_label(math.ceil(result.left)),
            ),
            "per_subject": duration_label(result.per_subject),
            "items": [
                {
                    "s": p.subject,
                    "owner": name(p.subject.owner),
                    "status": p.status,
                    "until": _epoch(p.until) if p.until is not None else "",
                }
                for p in result.subjects
            ],
        }
    return context
