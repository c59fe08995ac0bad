"""Events and notifications: how full each occurrence was, waitlists and attendance per day, and how
notifications reached people per channel.

Fill rates, waitlists and attendance are counts of people: the stats API gives them per settled day,
suppressed, and a day not released yet is pending. Deliveries count messages (actions), not people.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.insights import charts
from witaj.web.insights.desk import PREFIX, Analyst, CityAnalyst
from witaj.web.insights.figures import Span, choose, window_long
from witaj.web.routes.insights.usage import build_panel

router = APIRouter(prefix=PREFIX)
FILL_RATES = 30
PEOPLE_PANELS = ("series-registrations", "series-waitlisted", "series-attended", "series-no_shows")


def percent(desk: Analyst, rate: float | None) -> str:
    return (
        desk.t("insights.unit.percent", value=desk.t.number(round(rate * 100, 1))) if rate is not None else ""
    )


async def event_figures(desk: Analyst, span: Span) -> dict[str, Any]:
    """What the events page (and the monthly report) shows for the days of `span`."""
    start, end = span.days
    t = desk.t

    async def safely(call: Any) -> Any:
        try:
            return await call
        except (BackendUnavailable, BackendRefused) as error:
            if isinstance(error, BackendRefused) and error.status in (401, 403):
                raise
            return None

    fills, deliveries, *panels = await asyncio.gather(
        safely(desk.stats.fill_rates(desk.token, desk.city_id, start, end, FILL_RATES)),
        safely(desk.stats.deliveries(desk.token, desk.city_id, span.start, span.end)),
        *(build_panel(desk, name, span) for name in PEOPLE_PANELS),
    )
    occurrences = []
    for f in fills or []:
        when = datetime.fromisoformat(f["occurrence"] or f["day"])
        text = (
            t("insights.suppressed")
            if f["suppressed"]
            else (percent(desk, f["fill_rate"]) or t("insights.events.no_capacity"))
        )
        state = "suppressed" if f["suppressed"] else ("shown" if f["fill_rate"] is not None else "pending")
        label = f"{f['event']} · {window_long(t, when, 'hour' if f['occurrence'] else 'day')}"
        occurrences.append({**f, "label": label, "text": text, "state": state})
    fill_chart = charts.bars(
        [charts.Datum(o["label"], (o["fill_rate"] or 0) * 100 if o["state"] == "shown" else None, o["state"], o["text"])
         for o in occurrences],
        chart_id="chart-fill-rates", title=t("insights.events.fill_rates"),
        summary=t("insights.chart.bars_summary", count=t.number(len(occurrences))),
        rtl=t.rtl, colour=charts.PALETTE[3], maximum=100, label_chars=30,
    ) if occurrences else None  # fmt: skip
    channels = [
        {**d, "rate": percent(desk, d["success_rate"]) or t("insights.events.no_attempts")}
        for d in deliveries or []
    ]
    delivery_chart = charts.bars(
        [charts.Datum(t(f"insights.channel.{d['channel']}"), (d["success_rate"] or 0) * 100, "shown", d["rate"])
         for d in channels if d["success_rate"] is not None],
        chart_id="chart-deliveries", title=t("insights.events.deliveries"),
        summary=t("insights.chart.bars_summary", count=t.number(len(channels))),
        rtl=t.rtl, colour=charts.PALETTE[2], maximum=100,
    ) if channels else None  # fmt: skip
    return {
        "span": span, "occurrences": occurrences, "fill_chart": fill_chart, "channels": channels,
        "delivery_chart": delivery_chart, "panels": panels,
        "problem": "unavailable" if fills is None or deliveries is None else None,
    }  # fmt: skip


@router.get("/{city}/events")
async def events(
    desk: CityAnalyst, period: Annotated[str | None, Query(max_length=8)] = "30d"
) -> HTMLResponse:
    figures = await event_figures(desk, choose(period if period in ("7d", "30d", "90d") else "30d", "day"))
    return desk.render("insights/events.html", **figures)
