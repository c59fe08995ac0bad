"""CSV exports keep a right-to-left label in its own direction beside the numbers around it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from witaj.shared.bidi import FSI, PDI
from witaj.stats import exports
from witaj.stats.schemas import BreakdownPublic, CellPublic


def test_an_arabic_cell_is_isolated_and_the_rest_is_left_as_it_is() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    breakdown = BreakdownPublic(
        city="lublin", metric="searches", dimension="topic", granularity="day", start=now, end=now,
        people=False, total=CellPublic(value="", count=12),
        cells=[CellPublic(value="السكن", count=7), CellPublic(value="housing", count=5)],
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(exports.breakdown_csv(breakdown).body.decode())))
    assert rows[2][3] == f"{FSI}السكن{PDI}" and rows[2][6] == "7"
    assert rows[3][3] == "housing" and rows[1][3] == "total"
