"""Indicators by district on a map: the city's boundaries (uploaded here as GeoJSON) coloured by the
figures it gave per district, suppressed per district exactly as the stats API suppressed them."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from witaj.web.clients.base import BackendNotFound, BackendRefused
from witaj.web.insights import maps
from witaj.web.insights.desk import PREFIX, Analyst, CityAnalyst
from witaj.web.routes.insights.indicators import _datum, catalogue, cell_key, key_label

router = APIRouter(prefix=PREFIX)


def _broadest(cells: list[dict[str, Any]]) -> str | None:
    keys = {cell_key(c) for c in cells if c.get("district", "total") != "total"}
    return min(keys, key=lambda k: (sum(part != "total" for part in k.split("|")), k)) if keys else None


async def _page(
    desk: Analyst,
    indicator: str | None,
    period: str | None,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    found, periods, boundaries = await asyncio.gather(
        catalogue(desk),
        desk.stats.indicator_periods(desk.token, desk.city_id),
        desk.stats.districts(desk.token, desk.city_id),
    )
    options = {
        code: periods[code]
        for code in periods
        if found.get(code, {}).get("by_district", True) and code in found
    }
    code = indicator if indicator in options else next(iter(options), None)
    chosen = period if code and period in options[code] else (options[code][-1] if code else None)
    features = boundaries.get("features", [])
    figures: dict[str, Any] = {}
    key = None
    if code and chosen:
        try:
            cells = await desk.stats.indicator(desk.token, desk.city_id, code, chosen)
        except BackendNotFound:
            cells = []
        key = _broadest(cells)
        unit = found[code]["unit"]
        names = {f["id"]: f["name"] for f in features}
        for c in cells:
            if key and cell_key(c) == key and c.get("district", "total") != "total":
                figures[c["district"]] = _datum(desk, names.get(c["district"], c["district"]), c, unit)
    t = desk.t
    chart = maps.choropleth(
        features, figures, chart_id="map-districts", title=t("insights.districts.map_title"),
        summary=t("insights.chart.bars_summary", count=t.number(len(figures))),
    ) if features and figures else None  # fmt: skip
    steps = maps.classes([d.value for d in figures.values() if d.state == "shown" and d.value is not None])
    rows = [
        (f["name"], figures[f["id"]].text if f["id"] in figures else t("insights.indicators.no_figure"),
         figures[f["id"]].state if f["id"] in figures else "missing")
        for f in features
    ]  # fmt: skip
    rows += [
        (d.label, d.text, d.state)
        for district, d in figures.items()
        if district not in {f["id"] for f in features}
    ]
    return desk.render(
        "insights/districts.html", options=options, catalogue=found, code=code, period=chosen, chart=chart,
        rows=rows, steps=steps, unit=found[code]["unit"] if code else None, features=features,
        key=key_label(desk, key) if key else None, problems=problems or [], status=status,
    )  # fmt: skip


@router.get("/{city}/districts")
async def districts(
    desk: CityAnalyst,
    indicator: Annotated[str | None, Query(max_length=60)] = None,
    period: Annotated[str | None, Query(max_length=7)] = None,
) -> HTMLResponse:
    return await _page(desk, indicator, period)


@router.post("/{city}/districts")
async def upload_boundaries(desk: CityAnalyst, request: Request) -> Response:
    form = await request.form()
    file = form.get("file")
    body = await file.read() if isinstance(file, UploadFile) else b""
    if not body:
        return await _page(desk, None, None, problems=[desk.t("insights.upload.no_file")], status=422)
    try:
        await desk.stats.upload_districts(desk.token, desk.city_id, body)
    except BackendRefused as refused:
        if refused.status in (401, 403):
            raise
        details = refused.details if isinstance(refused.details, dict) else {}
        problems = [str(p) for p in details.get("problems", [])] or [desk.t("insights.districts.refused")]
        return await _page(desk, None, None, problems=problems, status=422)
    return RedirectResponse(desk.here("districts"), status_code=303)
