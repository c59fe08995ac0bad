"""Information gaps and language demand: what readers looked for and did not find, and the languages they
read in that the city's content does not (yet) serve well, each linked to where an editor can act.

Searches that found nothing are shown only once enough distinct sessions asked them (the stats API's
`privacy.query_min_sessions`); demand for languages counts views (actions), not people.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.i18n import native_name
from witaj.web.insights import charts
from witaj.web.insights.desk import PREFIX, CityAnalyst
from witaj.web.insights.figures import PERIODS, cells_figure, choose

router = APIRouter(prefix=PREFIX)
GAPS = 25


@router.get("/{city}/gaps")
async def gaps(
    desk: CityAnalyst,
    period: Annotated[str | None, Query(max_length=8)] = "30d",
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    span = choose(period if period in PERIODS else "30d", "day")
    city = desk.city_id
    wanted = language if language in (desk.city.languages if desk.city else []) else None
    problem = None
    try:
        found, demand = await asyncio.gather(
            desk.stats.information_gaps(desk.token, city, span.start, span.end, language=wanted, limit=GAPS),
            desk.stats.language_demand(desk.token, city, span.start, span.end),
        )
    except (BackendUnavailable, BackendRefused) as error:
        if isinstance(error, BackendRefused) and error.status in (401, 403):
            raise
        found, demand, problem = [], [], "unavailable"
    t = desk.t
    searches = cells_figure(
        t, [{"value": g["query"], "count": g["searches"]} for g in found],
        chart_id="chart-gaps", title=t("insights.gaps.searches"), colour=charts.PALETTE[5],
    )  # fmt: skip
    languages = cells_figure(
        t, [{"value": d["language"], "count": d["total"]} for d in demand],
        chart_id="chart-demand", title=t("insights.gaps.demand"), colour=charts.PALETTE[0],
        label=lambda code: f"{native_name(code)} ({code})",
    )  # fmt: skip
    return desk.render(
        "insights/gaps.html", span=span, found=found, demand=demand, searches=searches,
        languages=languages, language=wanted, problem=problem,
    )  # fmt: skip
