"""Indicator dataset uploads: parsed from CSV or JSON and checked row by row against the catalogue.

A dataset is accepted whole or not at all: every problem of every row is reported together (so a city
fixes its file once), and only a fully valid dataset is published to `stats.indicator_datasets`, which
the processor stores in one transaction.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from witaj.shared.errors import ApiError, BadRequest
from witaj.shared.events import IndicatorRow
from witaj.stats.indicator_audit import Dataset, contains, fit, key, rests_on
from witaj.stats.indicators import CATALOGUE, DISTRICT, PERIOD

COLUMNS = ("sex", "age_group", "citizenship", "district", "value", "numerator", "denominator")
MAX_REPORTED = 200
NEEDED = {
    "numerator": "needed: how many people the share counts (to hide figures resting on few people)",
    "denominator": "needed: how many people the figure is about (to hide figures resting on few people)",
}


def parse(body: bytes, content_type: str) -> list[dict[str, Any]]:
    """Rows as dicts of strings or JSON values; the format follows the Content-Type."""
    if "csv" in content_type:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest("The CSV file must be UTF-8 encoded", code="bad_encoding") from None
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "value" not in reader.fieldnames:
            raise BadRequest("The CSV needs a header row with at least a 'value' column", code="bad_header")
        return [dict(row) for row in reader]
    if "json" in content_type:
        try:
            doc = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BadRequest("The body is not valid JSON", code="bad_json") from None
        rows = doc.get("rows") if isinstance(doc, dict) else doc
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadRequest("Send {'rows': [{...}, ...]} or a list of row objects", code="bad_shape")
        return rows
    raise ApiError(415, "unsupported_media_type", "Upload text/csv or application/json")


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise ValueError
    value = float(raw.strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    if not math.isfinite(value):
        raise ValueError
    return value


def _count(raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = _number(raw)
    if value < 0 or value != int(value):
        raise ValueError
    return int(value)


def validate(indicator: str, period: str, rows: list[dict[str, Any]], max_rows: int) -> list[IndicatorRow]:
    """All rows as IndicatorRow, or a 422 listing every problem (row numbers count data rows from 1)."""
    spec = CATALOGUE.get(indicator)
    if spec is None:
        raise ApiError(
            404, "unknown_indicator", f"No indicator {indicator!r}", {"indicators": sorted(CATALOGUE)}
        )
    if not PERIOD.match(period):
        raise BadRequest("period must be 'YYYY', 'YYYY-Qn' or 'YYYY-MM'", code="bad_period")
    if not rows:
        raise BadRequest("The dataset has no rows", code="empty_dataset")
    if len(rows) > max_rows:
        raise ApiError(
            413, "too_many_rows", f"A dataset may have at most {max_rows} rows", {"rows": len(rows)}
        )
    needed = rests_on(indicator)
    errors: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    out: list[IndicatorRow] = []
    for number, row in enumerate(rows, start=1):
        problems: list[tuple[str, str]] = []
        extra = sorted(set(row) - set(COLUMNS))
        if extra:
            problems.append((",".join(extra), "unknown column"))
        keys: dict[str, str] = {}
        for field, allowed in spec.disaggregations.items():
            raw = row.get(field)
            value = str(raw).strip() if raw not in (None, "") else "total"
            if value not in allowed:
                problems.append((field, f"must be one of {', '.join(allowed)}"))
            keys[field] = value
        raw_district = row.get("district")
        district = str(raw_district).strip() if raw_district not in (None, "") else "total"
        if district != "total" and not (spec.by_district and DISTRICT.match(district)):
            problems.append(
                ("district", "this indicator has no district figures" if not spec.by_district
                 else "must be a district id: lower-case letters, digits, '-' or '_' (at most 64)")
            )  # fmt: skip
        keys["district"] = district
        value_ok = None
        try:
            value_ok = _number(row.get("value"))
            if value_ok < spec.minimum or (spec.maximum is not None and value_ok > spec.maximum):
                problems.append(("value", f"must be between {spec.minimum} and {spec.maximum} ({spec.unit})"))
        except (TypeError, ValueError):
            problems.append(("value", "must be a number"))
        counts: dict[str, int | None] = {}
        for field in ("numerator", "denominator"):
            try:
                counts[field] = _count(row.get(field))
            except (TypeError, ValueError):
                problems.append((field, "must be a whole number of people, 0 or more"))
        num, den = counts.get("numerator"), counts.get("denominator")
        if num is not None and den is not None and num > den:
            problems.append(("numerator", "must not exceed the denominator"))
        for field in ("numerator", "denominator"):
            if field in counts and counts[field] is None and field in needed:
                problems.append((field, NEEDED[field]))
            elif counts.get(field) is not None and field not in needed:
                problems.append((field, f"{spec.name} has no {field}: leave it empty"))
        group = (keys["sex"], keys["age_group"], keys["citizenship"], keys["district"])
        if group in seen:
            problems.append(("sex,age_group,citizenship,district", f"repeats row {seen[group]}"))
        seen.setdefault(group, number)
        errors += [{"row": number, "field": f, "problem": p} for f, p in problems]
        if not problems and value_ok is not None:
            out.append(IndicatorRow(**keys, value=value_ok, numerator=num, denominator=den))
    if errors:
        raise _invalid(errors, f"in {len({e['row'] for e in errors})} row(s)")
    return out


def _invalid(errors: list[dict[str, Any]], where: str) -> ApiError:
    return ApiError(
        422,
        "invalid_dataset",
        f"{len(errors)} problem(s) {where}; nothing was stored",
        {"error_count": len(errors), "errors": errors[:MAX_REPORTED]},
    )


def check_sums(indicator: str, period: str, rows: list[IndicatorRow]) -> None:
    """A 422 unless the groups' counts add up: no group counts more people than a group holding it, and
    the parts of a group together no more than the group (the audit relies on the figures being true
    counts). CPU work: run it off the event loop."""
    columns = rests_on(indicator)
    if not columns:
        return  # a figure that counts nobody (an index score)
    found = [row.model_dump() for row in rows]
    errors = [
        {
            "row": number,
            "field": column,
            "problem": f"counts more people than row {whole_number} ({', '.join(key(whole))}), "
            "a group that holds this one",
        }
        for number, part in enumerate(found, start=1)
        for whole_number, whole in enumerate(found, start=1)
        if whole_number != number and contains(key(whole), key(part))
        for column in columns
        if part[column] > whole[column]
    ]
    if not errors and fit([Dataset(indicator, period, found)]) is None:
        errors.append(
            {
                "row": None,
                "field": ",".join(columns),
                "problem": "the groups' counts do not add up: some groups together count more people "
                "than a group holding them all",
            }
        )
    if errors:
        raise _invalid(errors, "adding up the counts across groups")
