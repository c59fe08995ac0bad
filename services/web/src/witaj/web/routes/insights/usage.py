"""The live usage dashboard of a city: series, top items, breakdowns, live updates and downloads.

Every panel is rendered on the server (SVG chart, its table, its downloads) and can be asked for alone
(`/panels/{name}`), which is how the page updates without reloading: the browser listens to `/live`
(Server-Sent Events made from the stats API's own stream with the analyst's token) and, when a metric it
shows changed, htmx fetches that panel again. Without JavaScript the page is complete and the pickers
are an ordinary form.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from witaj.web.clients.base import BackendRefused, BackendUnavailable, Params
from witaj.web.deps import WebDep
from witaj.web.i18n import native_name
from witaj.web.insights import charts
from witaj.web.insights.desk import (
    LANGUAGE_COOKIE,
    PREFIX,
    READERS,
    Analyst,
    CityAnalyst,
    NotAnalyst,
    SignedAnalyst,
    insights_languages,
)
from witaj.web.insights.figures import (
    PEOPLE_METRICS,
    Figure,
    Span,
    cells_figure,
    choose,
    series_figure,
)
from witaj.web.routes.office.signin import YEAR

router = APIRouter(prefix=PREFIX)

SERIES = {
    "page_views": charts.PALETTE[0],
    "searches": charts.PALETTE[1],
    "registrations": charts.PALETTE[3],
    "notifications_delivered": charts.PALETTE[2],
}
"""The time series on the dashboard, each with its colour."""
PEOPLE_SERIES = {
    "waitlisted": charts.PALETTE[1],
    "attended": charts.PALETTE[2],
    "no_shows": charts.PALETTE[5],
}
"""Counts of people the events page shows per day, besides registrations."""
BREAKDOWNS = {"language": charts.PALETTE[4], "kind": charts.PALETTE[5]}
"""Page views split by these dimensions."""
TOP_ITEMS = 10
LIVE_SECONDS = 600
"""A live stream ends after this long and the browser opens it again, so the session is checked anew."""
FORMATS = {"csv": "csv", "json": "jsonstat"}
NAME = re.compile(r"^[a-z_]{1,40}$")
DIMENSIONS = frozenset({"total", "topic", "language", "item", "event", "organisation", "channel", "kind"})


@dataclass
class Panel:
    """One box of the dashboard: its id, the metrics whose changes refresh it, and what it shows."""

    name: str
    kind: str
    """'series', 'breakdown' or 'top'."""
    metric: str
    dimension: str = "total"
    figure: Figure | None = None
    problem: str | None = None
    downloads: dict[str, str] | None = None

    @property
    def id(self) -> str:
        return f"panel-{self.name}"


def panel_names() -> list[str]:
    return [f"series-{m}" for m in SERIES] + ["top-items"] + [f"by-{d}" for d in BREAKDOWNS]


def _label(desk: Analyst, dimension: str) -> Any:
    if dimension == "language":
        return lambda code: f"{native_name(code)} ({code})" if native_name(code) != code else code
    if dimension == "kind":
        return lambda kind: desk.t(f"insights.kind.{kind}")
    return None


def _problem(error: Exception) -> str:
    if isinstance(error, BackendRefused):
        return "not_released" if error.code == "not_released" else "refused"
    return "unavailable"


async def build_panel(desk: Analyst, name: str, span: Span) -> Panel:
    t = desk.t
    token, city = desk.token, desk.city_id
    stats = desk.stats
    try:
        if name.startswith("series-"):
            metric = name.removeprefix("series-")
            panel = Panel(name, "series", metric)
            people = metric in PEOPLE_METRICS
            start, end = span.days if people else (span.start, span.end)
            granularity = "day" if people else span.granularity
            series = await stats.series(token, city, metric, start, end, granularity)
            title = t(f"insights.metric.{metric}")
            colour = SERIES.get(metric) or PEOPLE_SERIES.get(metric, charts.PALETTE[0])
            panel.figure = series_figure(t, series, chart_id=f"chart-{name}", title=title, colour=colour)
            panel.downloads = _downloads(desk, span, "series", metric=metric)
            return panel
        if name == "top-items":
            panel = Panel(name, "top", "page_views", "item")
            top = await stats.top(token, city, "page_views", "item", span.start, span.end, TOP_ITEMS)
            panel.figure = cells_figure(
                t, top["cells"], chart_id="chart-top-items", title=t("insights.panel.top-items")
            )
            if desk.session is not None and desk.staff.edits_in(
                city
            ):  # analysts cannot open the office's items
                panel.figure.extra["links"] = {
                    c["value"]: f"/office/{city}/items/{c['value']}" for c in top["cells"]
                }
            panel.downloads = _downloads(desk, span, "breakdown", metric="page_views", dimension="item")
            return panel
        dimension = name.removeprefix("by-")
        panel = Panel(name, "breakdown", "page_views", dimension)
        result = await stats.breakdown(
            token, city, "page_views", dimension, span.start, span.end, span.granularity
        )
        panel.figure = cells_figure(
            t, result["cells"], chart_id=f"chart-{name}", title=t(f"insights.panel.{name}"),
            label=_label(desk, dimension), colour=BREAKDOWNS[dimension],
        )  # fmt: skip
        panel.downloads = _downloads(desk, span, "breakdown", metric="page_views", dimension=dimension)
        return panel
    except (BackendRefused, BackendUnavailable) as error:
        if isinstance(error, BackendRefused) and error.status in (401, 403):
            raise
        kind = "series" if name.startswith("series-") else ("top" if name == "top-items" else "breakdown")
        return Panel(name, kind, "", problem=_problem(error))


def _downloads(desk: Analyst, span: Span, what: str, **query: str) -> dict[str, str]:
    return {fmt: desk.here("download", f"{what}.{fmt}", **span.query(**query)) for fmt in FORMATS}


def _span(period: str | None, granularity: str | None) -> Span:
    return choose(period, granularity)


Period = Annotated[str | None, Query(max_length=8)]
Grain = Annotated[str | None, Query(max_length=8)]


@router.get("")
async def start(desk: SignedAnalyst, web: WebDep) -> Response:
    """Analysts go to their city; platform admins choose one."""
    staff = desk.staff
    if not staff.has(*READERS):
        raise NotAnalyst("")
    if staff.is_platform_admin:
        cities = sorted(desk.use(await web.content.cities()), key=lambda c: c.name)
        return desk.render("insights/cities.html", cities=cities)
    if staff.city:
        return RedirectResponse(f"{PREFIX}/{staff.city}", status_code=303)
    raise NotAnalyst("")


@router.get("/{city}")
async def dashboard(desk: CityAnalyst, period: Period = None, granularity: Grain = None) -> HTMLResponse:
    span = _span(period, granularity)
    panels = await asyncio.gather(*(build_panel(desk, name, span) for name in panel_names()))
    live = desk.here("live", metrics=",".join(sorted({p.metric for p in panels if p.metric})))
    return desk.render("insights/dashboard.html", span=span, panels=panels, live=live, section="usage")


@router.get("/{city}/panels/{name}")
async def panel(
    desk: CityAnalyst, name: str, period: Period = None, granularity: Grain = None
) -> HTMLResponse:
    if name not in panel_names():
        raise NotAnalyst(name)
    span = _span(period, granularity)
    return desk.render("insights/partials/panel.html", span=span, panel=await build_panel(desk, name, span))


@router.get("/{city}/live")
async def live(desk: CityAnalyst, metrics: Annotated[str, Query(max_length=400)] = "") -> StreamingResponse:
    """`changed` events naming a metric the page shows, whenever the stats API streams an update of it."""
    wanted = {m for m in metrics.split(",") if NAME.match(m)}
    stats, token, city = desk.stats, desk.token, desk.city_id

    async def frames() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        until = time.monotonic() + LIVE_SECONDS
        try:
            async for metric in stats.live(token, city):
                if time.monotonic() > until:
                    break
                if not metric:
                    yield ": keep-alive\n\n"
                elif metric in wanted:
                    yield f"event: changed\ndata: {metric}\n\n"
        except (BackendUnavailable, BackendRefused):
            yield "event: unavailable\ndata: -\n\n"

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/{city}/download/{what}.{fmt}")
async def download(
    desk: CityAnalyst,
    what: str,
    fmt: str,
    metric: Annotated[str, Query(max_length=40)] = "page_views",
    dimension: Annotated[str, Query(max_length=20)] = "total",
    period: Period = None,
    granularity: Grain = None,
) -> Response:
    """A chart's figures as CSV or JSON-stat 2.0, exactly as the stats API exports them."""
    if (
        fmt not in FORMATS
        or what not in ("series", "breakdown")
        or not NAME.match(metric)
        or dimension not in DIMENSIONS
    ):
        raise NotAnalyst(what)
    span = _span(period, granularity)
    people = metric in PEOPLE_METRICS
    start, end = span.days if people else (span.start, span.end)
    params: Params = {
        "metric": metric, "start": start.isoformat(), "end": end.isoformat(),
        "granularity": "day" if people else span.granularity, "format": FORMATS[fmt],
    }  # fmt: skip
    if what == "breakdown":
        params["dimension"] = dimension
    body, content_type = await desk.stats.download(desk.token, f"/cities/{desk.city_id}/{what}", params)
    return file_response(body, content_type, f"{desk.city_id}-{metric}-{dimension}-{span.period}.{fmt}")


def file_response(body: bytes, content_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post("/language")
async def choose_language(
    web: WebDep,
    language: Annotated[str, Form(max_length=3)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    target = (
        back
        if back.startswith(("/insights", "/open-data")) and "//" not in back and "\\" not in back
        else PREFIX
    )
    response = RedirectResponse(target[:500], status_code=303)
    if language in insights_languages():
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=YEAR, httponly=True, samesite="lax",
            secure=web.settings.cookies_secure,
        )  # fmt: skip
    return response
