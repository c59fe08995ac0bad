"""The monthly report of a city: a printable page and the same page as PDF.

It gathers the month's usage (views and searches per day, the most viewed pages, views by language),
information gaps, events and notifications, with the same suppression as everywhere: it only shows what
the stats API answers for that month, figures of people included (released days; a day not released
yet is pending).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.insights import report
from witaj.web.insights.desk import PREFIX, Analyst, CityAnalyst, NotAnalyst
from witaj.web.insights.figures import Span
from witaj.web.routes.insights.events import event_figures
from witaj.web.routes.insights.usage import build_panel, file_response

router = APIRouter(prefix=PREFIX)
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
MONTHS = 12
PANELS = ("series-page_views", "series-searches", "top-items", "by-language")


def month_span(month: str) -> Span:
    found = MONTH.match(month)
    if not found:
        raise NotAnalyst(month)
    start = datetime(int(found.group(1)), int(found.group(2)), 1, tzinfo=UTC)
    following = (start + timedelta(days=32)).replace(day=1)
    now = datetime.now(UTC)
    if start > now:
        raise NotAnalyst(month)
    end = min(following - timedelta(seconds=1), now)
    return Span("month", "day", start, end)


def recent_months(now: datetime | None = None) -> list[str]:
    moment = (now or datetime.now(UTC)).replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(moment.strftime("%Y-%m"))
        moment = (moment - timedelta(days=1)).replace(day=1)
    return months


@router.get("/{city}/reports")
async def reports(desk: CityAnalyst) -> HTMLResponse:
    return desk.render("insights/reports.html", months=recent_months())


async def _report(desk: Analyst, month: str, *, pdf: bool) -> HTMLResponse:
    span = month_span(month)
    panels, events, gaps = await asyncio.gather(
        asyncio.gather(*(build_panel(desk, name, span) for name in PANELS)),
        event_figures(desk, span),
        _gaps(desk, span),
    )
    return desk.render(
        "insights/report.html", month=month, usage=panels, gaps=gaps, pdf=pdf,
        generated=datetime.now(UTC), **events,
    )  # fmt: skip


async def _gaps(desk: Analyst, span: Span) -> list[dict[str, object]] | None:
    try:
        return await desk.stats.information_gaps(
            desk.token, desk.city_id, span.start, span.end, language=None, limit=10
        )
    except (BackendUnavailable, BackendRefused) as error:
        if isinstance(error, BackendRefused) and error.status in (401, 403):
            raise
        return None


@router.get("/{city}/reports/{month}")
async def monthly(desk: CityAnalyst, month: str) -> Response:
    """The printable page; `/reports/2026-03.pdf` is the same page as PDF."""
    if not month.endswith(".pdf"):
        return await _report(desk, month, pdf=False)
    page = await _report(desk, month.removesuffix(".pdf"), pdf=True)
    document = await report.pdf(bytes(page.body).decode())
    return file_response(document, "application/pdf", f"witaj-{desk.city_id}-{month}")
