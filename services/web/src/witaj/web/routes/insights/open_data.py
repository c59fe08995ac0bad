"""Open data: what each city chose to publish, for anyone, without signing in; and, for the city's
administrators, the page where they choose it.

The public pages read only the stats API's open endpoints, which answer only what the city publishes,
suppressed as everywhere (daily series, counts of people from released days, indicator figures); each
chart has its table and its CSV and JSON-stat downloads.
"""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendUnavailable, Params
from witaj.web.deps import WebDep
from witaj.web.insights import charts
from witaj.web.insights.desk import (
    OPEN_PREFIX,
    PREFIX,
    Analyst,
    CityAnalyst,
    NotAnalyst,
    OpenCity,
    OpenReader,
)
from witaj.web.insights.figures import PEOPLE_METRICS, choose, series_figure
from witaj.web.routes.insights.indicators import _over_time, catalogue, cell_key, key_label, value_text
from witaj.web.routes.insights.usage import file_response

router = APIRouter()
NAME = re.compile(r"^[a-z0-9_]{1,60}$")
PERIOD = re.compile(r"^(19|20)\d\d(-Q[1-4]|-(0[1-9]|1[0-2]))?$")
METRICS = (
    "page_views", "searches", "zero_result_searches", "event_views", "notifications_delivered",
    "registrations", "attended",
)  # fmt: skip
"""What a city may choose to publish of its usage and counts of people (daily, suppressed)."""
FORMATS = {"csv": "csv", "json": "jsonstat"}


@router.get(OPEN_PREFIX)
async def cities(desk: OpenReader, web: WebDep) -> HTMLResponse:
    found = sorted(desk.use(await web.content.cities()), key=lambda c: c.name)
    return desk.render("insights/cities.html", cities=found)


@router.get(OPEN_PREFIX + "/{city}")
async def city_page(
    desk: OpenCity, period: Annotated[str | None, Query(max_length=8)] = "30d"
) -> HTMLResponse:
    span = choose(period if period in ("30d", "90d", "365d") else "30d", "day")
    stats, city = desk.stats, desk.city_id
    try:
        policy, periods, found = await asyncio.gather(
            stats.open_policy(city), stats.open_indicator_periods(city), catalogue(desk)
        )
    except BackendNotFound:  # the city has switched open data off: nothing of it is public
        return desk.render("insights/open_city.html", span=span, series=[], indicators=[], nothing=True)
    t = desk.t

    async def series(metric: str) -> dict[str, Any]:
        try:
            data = await stats.open_series(city, metric, span.start, span.end)
        except (BackendNotFound, BackendRefused, BackendUnavailable):
            return {"metric": metric, "figure": None}
        figure = series_figure(
            t, data, chart_id=f"chart-open-{metric}", title=t(f"insights.open.metric.{metric}"),
            colour=charts.PALETTE[METRICS.index(metric) % len(charts.PALETTE)] if metric in METRICS else charts.PALETTE[0],
        )  # fmt: skip
        return {"metric": metric, "figure": figure, "people": metric in PEOPLE_METRICS}

    async def indicator(code: str) -> dict[str, Any] | None:
        spec = found.get(code)
        chosen = periods.get(code, [])[-12:]
        if spec is None or not chosen:
            return None
        by_period: dict[str, list[dict[str, Any]]] = {}
        for p in chosen:
            try:
                by_period[p] = await stats.open_indicator(city, code, p)
            except (BackendNotFound, BackendRefused):
                by_period[p] = []
        latest = by_period.get(chosen[-1], [])
        keys = sorted(
            {cell_key(c) for c in latest}, key=lambda k: (sum(x != "total" for x in k.split("|")), k)
        )
        return {
            "spec": spec, "period": chosen[-1], "cells": latest,
            "over_time": _over_time(desk, spec, by_period, chosen, keys[0] if keys else None),
        }  # fmt: skip

    shown = await asyncio.gather(*(series(m) for m in policy.get("metrics", []) if m in METRICS))
    indicators = [i for i in await asyncio.gather(*(indicator(c) for c in policy.get("indicators", []))) if i]
    return desk.render(
        "insights/open_city.html", span=span, series=shown, indicators=indicators,
        value_text=lambda c, unit: value_text(desk, c, unit), key_label=lambda k: key_label(desk, k),
        cell_key=cell_key, nothing=not shown and not indicators,
    )  # fmt: skip


@router.get(OPEN_PREFIX + "/{city}/download/{what}/{name}.{fmt}")
async def download(
    desk: OpenCity, what: str, name: str, fmt: str,
    period: Annotated[str, Query(max_length=8)] = "", months: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:  # fmt: skip
    if fmt not in FORMATS or what not in ("series", "indicators") or not NAME.match(name):
        raise NotAnalyst(name)
    params: Params = {"format": FORMATS[fmt]}
    if what == "series":
        span = choose(period if period in ("30d", "90d", "365d") else "30d", "day")
        params.update({"metric": name, "start": span.start.isoformat(), "end": span.end.isoformat()})
        path = f"/open/cities/{desk.city_id}/series"
    else:
        if not PERIOD.match(period):
            raise NotAnalyst(period)
        params["period"] = period
        path = f"/open/cities/{desk.city_id}/indicators/{name}"
    body, kind = await desk.stats.open_raw(path, params)
    return file_response(body, kind, f"{desk.city_id}-{name}-{period or 'days'}.{fmt}")


# ----------------------------------------------------------------------- what the city publishes


def _admin(desk: Analyst) -> None:
    if not desk.may_administer:
        raise NotAnalyst("open-data")


@router.get(PREFIX + "/{city}/open-data")
async def policy_page(
    desk: CityAnalyst, saved: Annotated[str | None, Query(max_length=1)] = None
) -> HTMLResponse:
    policy, found = await asyncio.gather(desk.stats.open_policy(desk.city_id), catalogue(desk))
    return desk.render(
        "insights/open_policy.html", policy=policy, metrics=METRICS, catalogue=found, saved=bool(saved),
    )  # fmt: skip


@router.post(PREFIX + "/{city}/open-data")
async def save_policy(
    desk: CityAnalyst,
    metrics: Annotated[list[str] | None, Form(max_length=60)] = None,
    indicators: Annotated[list[str] | None, Form(max_length=60)] = None,
) -> Response:
    _admin(desk)
    found = await catalogue(desk)
    chosen_metrics = [m for m in metrics or [] if m in METRICS]
    chosen_indicators = [i for i in indicators or [] if i in found]
    await desk.stats.set_open_policy(desk.token, desk.city_id, chosen_metrics, chosen_indicators)
    return RedirectResponse(desk.here("open-data", saved="1"), status_code=303)
