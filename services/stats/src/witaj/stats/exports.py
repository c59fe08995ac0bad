"""Exports: CSV for spreadsheets and JSON-stat 2.0, the format Eurostat's API answers in.

Both are built from the already-suppressed API models, so an export can never show more than the
dashboard. Suppressed figures are empty in CSV (with a `suppressed` column) and null in JSON-stat with
the status `c` (confidential), as Eurostat marks them; days whose counts of people are not released yet
are empty with `pending` true in CSV and null with the status `:` (not available) in JSON-stat.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import JSONResponse, Response
from witaj.shared.bidi import isolated_cell
from witaj.shared.events import IndicatorCell
from witaj.stats.schemas import BreakdownPublic, SeriesPublic

JSONSTAT = "application/json; charset=utf-8"


def _csv(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    # A label in Arabic script keeps its own direction beside the numbers and ids around it.
    writer.writerows([isolated_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def _category(ids: list[str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    category: dict[str, Any] = {"index": {v: i for i, v in enumerate(ids)}}
    if labels:
        category["label"] = labels
    return category


def _jsonstat(
    label: str,
    dims: Sequence[tuple[str, list[str], dict[str, str] | None]],
    values: list[float | int | None],
    extension: dict[str, Any],
    pending: Sequence[bool] = (),
) -> Response:
    body = {
        "version": "2.0",
        "class": "dataset",
        "label": label,
        "source": "Witaj",
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "id": [name for name, _, _ in dims],
        "size": [len(ids) for _, ids, _ in dims],
        "dimension": {
            name: {"label": name, "category": _category(ids, labels)} for name, ids, labels in dims
        },
        "value": values,
        "status": {
            str(i): ":" if i < len(pending) and pending[i] else "c" for i, v in enumerate(values) if v is None
        },
        "extension": extension,
    }
    return JSONResponse(body, media_type=JSONSTAT)


def series_csv(s: SeriesPublic) -> Response:
    rows = [
        [
            s.city,
            s.metric,
            s.dimension,
            s.value,
            s.granularity,
            p.start.isoformat(),
            "" if p.count is None else p.count,
            str(p.suppressed).lower(),
            str(p.pending).lower(),
        ]
        for p in s.points
    ]
    header = [
        "city",
        "metric",
        "dimension",
        "value",
        "granularity",
        "start",
        "count",
        "suppressed",
        "pending",
    ]
    return _csv(header, rows, f"{s.city}-{s.metric}")


def series_jsonstat(s: SeriesPublic) -> Response:
    times = [p.start.isoformat() for p in s.points]
    dims = [("city", [s.city], None), ("metric", [s.metric], None), ("time", times, None)]
    ext = {"dimension": s.dimension, "value": s.value, "granularity": s.granularity, "people": s.people}
    pending = [p.pending for p in s.points]
    return _jsonstat(f"{s.metric} in {s.city}", dims, [p.count for p in s.points], ext, pending)


def breakdown_csv(b: BreakdownPublic) -> Response:
    rows = [
        [
            b.city,
            b.metric,
            b.dimension,
            c.value or "total",
            b.start.isoformat(),
            b.end.isoformat(),
            "" if c.count is None else c.count,
            str(c.suppressed).lower(),
        ]
        for c in [b.total, *b.cells]
    ]
    header = ["city", "metric", "dimension", "value", "start", "end", "count", "suppressed"]
    return _csv(header, rows, f"{b.city}-{b.metric}-{b.dimension}")


def breakdown_jsonstat(b: BreakdownPublic) -> Response:
    cells = [b.total, *b.cells]
    ids = ["total", *[c.value for c in b.cells]]
    dims = [("city", [b.city], None), ("metric", [b.metric], None), (b.dimension, ids, None)]
    ext = {
        "start": b.start.isoformat(),
        "end": b.end.isoformat(),
        "granularity": b.granularity,
        "people": b.people,
    }
    return _jsonstat(f"{b.metric} by {b.dimension} in {b.city}", dims, [c.count for c in cells], ext)


def indicator_csv(city: str, code: str, period: str, cells: list[IndicatorCell]) -> Response:
    rows = [
        [
            city,
            code,
            period,
            c.sex,
            c.age_group,
            c.citizenship,
            "" if c.value is None else c.value,
            str(c.suppressed).lower(),
            c.district,
        ]
        for c in cells
    ]
    header = [
        "city", "indicator", "period", "sex", "age_group", "citizenship", "value", "suppressed", "district",
    ]  # fmt: skip
    return _csv(header, rows, f"{city}-{code}-{period}")


def indicator_jsonstat(city: str, code: str, period: str, unit: str, cells: list[IndicatorCell]) -> Response:
    """A dense cube over the submitted disaggregations; combinations not submitted are null. Districts
    are a dimension of their own when the figures have any."""
    sexes = sorted({c.sex for c in cells})
    ages = sorted({c.age_group for c in cells})
    cits = sorted({c.citizenship for c in cells})
    districts = sorted({c.district for c in cells})
    by_key = {(c.sex, c.age_group, c.citizenship, c.district): c for c in cells}
    values: list[float | int | None] = []
    for sex in sexes:
        for age in ages:
            for cit in cits:
                for district in districts:
                    cell = by_key.get((sex, age, cit, district))
                    values.append(None if cell is None else cell.value)
    dims = [
        ("geo", [city], None),
        ("indicator", [code], None),
        ("time", [period], None),
        ("sex", sexes, None),
        ("age", ages, None),
        ("citizen", cits, None),
    ]
    if districts != ["total"]:
        dims.append(("district", districts, None))
    return _jsonstat(f"{code} in {city}, {period}", dims, values, {"unit": unit})
