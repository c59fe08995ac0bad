"""The insights' pages: analysts' dashboards under /insights, the public open-data pages under /open-data.

    usage.py        /insights (where to go), a city's live usage dashboard, its panels, live updates,
                    downloads, the insights' language
    indicators.py   the indicator catalogue with the city's periods, an indicator over time with its
                    definition and source, comparison of cities, downloads, dataset uploads
    districts.py    figures per district on a map of the city's boundaries (uploaded there as GeoJSON)
    events.py       fill rates per occurrence, waitlists and attendance per day, deliveries per channel
    reports.py      the monthly report: a printable page and the same page as PDF
    open_data.py    /open-data: what each city publishes, for anyone; the page where its admins choose it
    gaps.py         searches that found nothing and demand for missing translations, linked to the office

Besides its routes the insights bring: their own error pages (`errors.AREAS`), sign-in that comes back
to the page asked for (`office.container.RETURN_PREFIXES`), and refusals shown as such (a city that is
not the analyst's, the stats API refusing the token for it).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from witaj.web import errors, security
from witaj.web.deps import get_web
from witaj.web.insights.desk import OPEN_PREFIX, PREFIX, Analyst, NotAnalyst, StatsRefused, make_analyst
from witaj.web.office.container import RETURN_PREFIXES
from witaj.web.routes.insights import districts, events, gaps, indicators, open_data, reports, usage

UPLOAD_FORM = (20, 1)
"""Fields and files an insights form may have: a dataset upload is a few fields and one file."""


def _bare(request: Request) -> Analyst:
    return make_analyst(request, get_web(request), public=request.url.path.startswith(OPEN_PREFIX))


def install(app: FastAPI) -> None:
    security.LARGE_FORMS[PREFIX + "/"] = UPLOAD_FORM
    errors.AREAS[PREFIX] = _bare
    errors.AREAS[OPEN_PREFIX] = _bare
    if PREFIX not in RETURN_PREFIXES:
        RETURN_PREFIXES.append(PREFIX)

    async def not_theirs(request: Request, exc: Exception) -> Response:
        desk = getattr(request.state, "reader", None)
        desk = desk if isinstance(desk, Analyst) else _bare(request)
        return desk.render("insights/not_yours.html", status=403)

    app.add_exception_handler(NotAnalyst, not_theirs)
    app.add_exception_handler(StatsRefused, not_theirs)
    for module in (usage, gaps, indicators, districts, events, reports, open_data):
        app.include_router(module.router)
