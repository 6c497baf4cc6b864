"""Counts the Bilan does not show apart: a count small enough to point to someone.

A count under ``SMALL`` (and not zero) is « masqué »; and when only one count of a set would
be, the next smallest goes too, since the total and the others would give it back. The
figures (``figures``) mask the members' feedback scores, the votes cast, the ideas kept and
the actions by status this way.
"""

from collections.abc import Hashable, Mapping
from typing import TypeVar

SMALL = 3  # a count below this that could identify a person is not shown apart

Key = TypeVar("Key", bound=Hashable)


def masked(counts: Mapping[Key, int]) -> dict[Key, int | None]:
    """``counts`` with those that could point to someone as None (« masqué »)."""
    hidden = {key for key, n in counts.items() if 0 < n < SMALL}
    if len(hidden) == 1:
        shown = sorted(
            ((n, key) for key, n in counts.items() if n and key not in hidden),
            key=lambda item: (item[0], str(item[1])),
        )
        if shown:
            hidden.add(shown[0][1])
    return {key: None if key in hidden else n for key, n in counts.items()}
