"""Integration indicators: the catalogue with the city's periods, one indicator over time with its
definition and source, comparison with the cities that publish it, downloads, and dataset uploads whose
problems are shown row by row.

Figures are the stats API's, suppressed there (a cell resting on few people is hidden, and so are the
cells that would give it away); a hidden cell is drawn and written as suppressed, never as a number.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendUnavailable
from witaj.web.insights import charts
from witaj.web.insights.desk import PREFIX, Analyst, CityAnalyst, NotAnalyst
from witaj.web.routes.insights.usage import file_response

router = APIRouter(prefix=PREFIX)
PERIOD = re.compile(r"^(19|20)\d\d(-Q[1-4]|-(0[1-9]|1[0-2]))?$")
CODE = re.compile(r"^[a-z0-9_]{1,60}$")
MOST_PERIODS = 20
AXES = ("sex", "age_group", "citizenship")


def cell_key(cell: dict[str, Any]) -> str:
    return "|".join(str(cell.get(axis, "total")) for axis in AXES)


def key_label(desk: Analyst, key: str) -> str:
    parts = [
        desk.t("insights.dis.age", ages=value) if value[:1].isdigit() else desk.t(f"insights.dis.{value}")
        for value in key.split("|")
        if value != "total"
    ]
    return ", ".join(parts) or desk.t("insights.dis.everyone")


def value_text(desk: Analyst, cell: dict[str, Any] | None, unit: str) -> str:
    if cell is None:
        return desk.t("insights.indicators.no_figure")
    if cell.get("suppressed") or cell.get("value") is None:
        return desk.t("insights.suppressed")
    number = desk.t.number(cell["value"])
    return desk.t(f"insights.unit.{unit}", value=number)


async def catalogue(desk: Analyst) -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in await desk.stats.catalogue()}


@router.get("/{city}/indicators")
async def indicators(desk: CityAnalyst) -> HTMLResponse:
    found, periods = await asyncio.gather(
        catalogue(desk), desk.stats.indicator_periods(desk.token, desk.city_id)
    )
    return _list_page(desk, found, periods)


def _list_page(
    desk: Analyst,
    found: dict[str, dict[str, Any]],
    periods: dict[str, list[str]],
    *,
    problems: list[dict[str, Any]] | None = None,
    summary: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for indicator in found.values():
        groups.setdefault((indicator["framework"], indicator["area"]), []).append(indicator)
    return desk.render(
        "insights/indicators.html", groups=groups, periods=periods, catalogue=found,
        problems=problems or [], summary=summary, values=values or {}, status=status,
    )  # fmt: skip


@router.post("/{city}/indicators/upload")
async def upload(desk: CityAnalyst, request: Request) -> Response:
    form = await request.form()
    code = str(form.get("indicator") or "")
    period = str(form.get("period") or "").strip()
    file = form.get("file")
    body = await file.read() if isinstance(file, UploadFile) else b""
    name = file.filename or "" if isinstance(file, UploadFile) else ""
    found = await catalogue(desk)
    values = {"indicator": code, "period": period}
    problems: list[dict[str, Any]] = []
    summary = None
    if code not in found:
        problems.append({"field": "indicator", "problem": desk.t("insights.upload.choose_indicator")})
    if not PERIOD.match(period):
        problems.append({"field": "period", "problem": desk.t("insights.upload.bad_period")})
    if not body:
        problems.append({"field": "file", "problem": desk.t("insights.upload.no_file")})
    if not problems:
        kind = "application/json" if name.lower().endswith(".json") else "text/csv"
        try:
            await desk.stats.upload(desk.token, desk.city_id, code, period, body, kind)
        except BackendRefused as refused:
            if refused.status in (401, 403):
                raise
            details = refused.details if isinstance(refused.details, dict) else {}
            problems = [
                {"row": e.get("row"), "field": e.get("field"), "problem": e.get("problem")}
                for e in details.get("errors", [])
            ]
            summary = desk.t("insights.upload.refused", code=refused.code)
            if not problems:
                problems = [{"field": "file", "problem": desk.t(f"insights.upload.code.{refused.code}")
                             if refused.code in UPLOAD_CODES else summary}]  # fmt: skip
    if problems:
        periods = await desk.stats.indicator_periods(desk.token, desk.city_id)
        return _list_page(desk, found, periods, problems=problems, summary=summary, values=values, status=422)
    return RedirectResponse(desk.here("indicators", code, period=period, uploaded="1"), status_code=303)


UPLOAD_CODES = frozenset(
    {
        "bad_encoding",
        "bad_header",
        "bad_json",
        "bad_shape",
        "empty_dataset",
        "too_many_rows",
        "payload_too_large",
    }
)


@router.get("/{city}/indicators/{code}")
async def indicator(
    desk: CityAnalyst,
    code: str,
    period: Annotated[str | None, Query(max_length=7)] = None,
    cell: Annotated[str | None, Query(max_length=120)] = None,
    uploaded: Annotated[str | None, Query(max_length=1)] = None,
) -> HTMLResponse:
    found = await catalogue(desk)
    if code not in found or not CODE.match(code):
        raise NotAnalyst(code)
    spec = found[code]
    periods = (await desk.stats.indicator_periods(desk.token, desk.city_id)).get(code, [])[-MOST_PERIODS:]
    chosen = period if period in periods else (periods[-1] if periods else None)
    by_period: dict[str, list[dict[str, Any]]] = {}

    async def figures(p: str) -> None:
        try:
            by_period[p] = await desk.stats.indicator(desk.token, desk.city_id, code, p)
        except BackendNotFound:
            by_period[p] = []

    await asyncio.gather(*(figures(p) for p in periods))
    cells = by_period.get(chosen or "", [])
    # the broadest group first (everyone, then one split, ...): what the figures over time show unless asked
    keys = sorted(
        {cell_key(c) for cells_ in by_period.values() for c in cells_},
        key=lambda k: (sum(part != "total" for part in k.split("|")), k),
    )
    key = cell if cell in keys else (keys[0] if keys else None)
    over_time = _over_time(desk, spec, by_period, periods, key)
    comparison = await _comparison(desk, spec, chosen, key) if chosen and key else None
    downloads = (
        {fmt: desk.here("indicators", code, f"download.{fmt}", period=chosen) for fmt in ("csv", "json")}
        if chosen
        else None
    )
    return desk.render(
        "insights/indicator.html", spec=spec, periods=periods, period=chosen, cells=cells, keys=keys, key=key,
        over_time=over_time, comparison=comparison, downloads=downloads, uploaded=bool(uploaded),
        value_text=lambda c: value_text(desk, c, spec["unit"]), key_label=lambda k: key_label(desk, k),
        cell_key=cell_key,
    )  # fmt: skip


def _datum(desk: Analyst, label: str, cell: dict[str, Any] | None, unit: str) -> charts.Datum:
    text = value_text(desk, cell, unit)
    if cell is None:
        return charts.Datum(label, None, "pending", text)
    if cell.get("suppressed") or cell.get("value") is None:
        return charts.Datum(label, None, "suppressed", text)
    return charts.Datum(label, float(cell["value"]), "shown", text)


def _over_time(
    desk: Analyst,
    spec: dict[str, Any],
    by_period: dict[str, list[dict[str, Any]]],
    periods: list[str],
    key: str | None,
) -> dict[str, Any] | None:
    if not key or not periods:
        return None
    data = []
    for p in periods:
        found = next((c for c in by_period.get(p, []) if cell_key(c) == key), None)
        data.append(_datum(desk, p, found, spec["unit"]))
    summary = desk.t("insights.chart.bars_summary", count=desk.t.number(len(data)))
    chart = charts.columns(
        data, chart_id="chart-over-time", title=desk.t("insights.indicators.over_time"), summary=summary,
        rtl=desk.t.rtl, colour=charts.PALETTE[2], ticks=list(range(len(data))), whole=False,
    )  # fmt: skip
    return {"chart": chart, "rows": [(d.label, d.text, d.state) for d in data]}


async def _comparison(desk: Analyst, spec: dict[str, Any], period: str, key: str) -> dict[str, Any] | None:
    cities = {c.id: c.name for c in desk.use(await desk.web.content.cities())}
    try:
        compared = await desk.stats.compare(desk.token, spec["code"], period, sorted(cities)[:30])
    except (BackendUnavailable, BackendRefused) as error:
        if isinstance(error, BackendRefused) and error.status in (401, 403):
            raise
        return None
    data = []
    for city_id, cells in sorted(compared.items(), key=lambda item: cities.get(item[0], item[0])):
        found = next((c for c in cells if cell_key(c) == key), None)
        data.append(_datum(desk, cities.get(city_id, city_id), found, spec["unit"]))
    maximum = spec.get("maximum") or None
    chart = charts.bars(
        data, chart_id="chart-compare", title=desk.t("insights.indicators.compare"),
        summary=desk.t("insights.chart.bars_summary", count=desk.t.number(len(data))),
        rtl=desk.t.rtl, colour=charts.PALETTE[0], maximum=maximum,
    )  # fmt: skip
    return {"chart": chart, "rows": [(d.label, d.text, d.state) for d in data]}


@router.get("/{city}/indicators/{code}/download.{fmt}")
async def download(
    desk: CityAnalyst, code: str, fmt: str, period: Annotated[str, Query(max_length=7)] = ""
) -> Response:
    if fmt not in ("csv", "json") or not CODE.match(code) or not PERIOD.match(period):
        raise NotAnalyst(code)
    params = {"period": period, "format": "csv" if fmt == "csv" else "jsonstat"}
    body, kind = await desk.stats.download(desk.token, f"/cities/{desk.city_id}/indicators/{code}", params)
    return file_response(body, kind, f"{desk.city_id}-{code}-{period}.{fmt}")
