"""What readers looked for and did not find, and the languages they read in that the content does not
serve well: read once for the analysts' insights and the editors' back office, shown by one partial
(`partials/gaps.html`), each row linked to where someone can act.

Searches that found nothing are shown only once enough distinct sessions asked them (the stats API's
`privacy.query_min_sessions`, per settled calendar week); demand for languages counts views (actions),
not people.
"""

from __future__ import annotations

import asyncio
from typing import Any

from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.stats import StatsClient
from witaj.web.i18n import Translator, native_name
from witaj.web.insights import charts
from witaj.web.insights.figures import PERIODS, cells_figure, choose

GAPS = 25


async def read_gaps(
    stats: StatsClient,
    token: str,
    city: str,
    languages: list[str],
    t: Translator,
    period: str | None,
    language: str | None,
) -> dict[str, Any]:
    """The context of `partials/gaps.html`: a refusal of the person's token is raised (it ends their
    session, or shows the page that is not theirs), a service that does not answer is a notice."""
    span = choose(period if period in PERIODS else "30d", "day")
    wanted = language if language in languages else None
    problem = None
    try:
        found, demand = await asyncio.gather(
            stats.information_gaps(token, city, span.start, span.end, language=wanted, limit=GAPS),
            stats.language_demand(token, city, span.start, span.end),
        )
    except (BackendUnavailable, BackendRefused) as error:
        if isinstance(error, BackendRefused) and error.status in (401, 403):
            raise
        found, demand, problem = [], [], "unavailable"
    searches = cells_figure(
        t, [{"value": g["query"], "count": g["searches"]} for g in found],
        chart_id="chart-gaps", title=t("insights.gaps.searches"), colour=charts.PALETTE[5],
    )  # fmt: skip
    in_demand = cells_figure(
        t, [{"value": d["language"], "count": d["total"]} for d in demand],
        chart_id="chart-demand", title=t("insights.gaps.demand"), colour=charts.PALETTE[0],
        label=lambda code: f"{native_name(code)} ({code})",
    )  # fmt: skip
    return {
        "span": span, "found": found, "demand": demand, "searches": searches, "languages": in_demand,
        "language": wanted, "problem": problem,
    }  # fmt: skip
