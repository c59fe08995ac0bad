"""Statistical disclosure control: small counts of people are hidden, and so is what would reveal them.

Primary suppression hides every people-derived count below the threshold (but above zero: a zero says
nobody, which singles nobody out). Complementary suppression then makes sure no hidden cell can be
recovered by subtracting the visible cells from the total: if exactly one cell of a table is hidden,
the next smallest cell is hidden too (or the total, when there is no other cell). The same functions run
for the API, exports and stat streams, so every output hides the same figures.

Session ids are hashed with a keyed one-way function before anything is stored: stats only needs to
know that sessions differ, never which session asked what.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

TOTAL = ""
"""Dimension value of a table's total cell."""


@dataclass(frozen=True)
class Figure:
    value: str
    count: int | None
    suppressed: bool = False


def primary(count: int, threshold: int) -> bool:
    return 0 < abs(count) < threshold


def suppress_table(
    cells: dict[str, int], total: int | None, threshold: int
) -> tuple[list[Figure], Figure | None]:
    """Suppress a one-dimensional table and its total (`total` None when the table has none)."""
    hidden = {value for value, count in cells.items() if primary(count, threshold)}
    total_hidden = total is not None and primary(total, threshold)
    if total is not None and not total_hidden and len(hidden) == 1:
        # One hidden cell = total minus the visible ones: hide the next smallest non-zero cell as well.
        candidates = sorted((c, v) for v, c in cells.items() if v not in hidden and c > 0)
        if candidates:
            hidden.add(candidates[0][1])
        else:
            total_hidden = True
    figures = [
        Figure(value, None, True) if value in hidden else Figure(value, count)
        for value, count in cells.items()
    ]
    total_figure = None
    if total is not None:
        total_figure = Figure(TOTAL, None, True) if total_hidden else Figure(TOTAL, total)
    return figures, total_figure


def suppress_series(points: list[int], threshold: int) -> list[int | None]:
    """A series without a published sum needs only primary suppression."""
    return [None if primary(p, threshold) else p for p in points]


def hash_session(session: str, salt: str) -> str:
    """A keyed, truncated one-way hash: distinct sessions stay distinct, none can be looked up."""
    return hmac.new(salt.encode(), session.encode(), hashlib.sha256).hexdigest()[:16]
