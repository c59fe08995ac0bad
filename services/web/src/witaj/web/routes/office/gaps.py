"""What the city's readers looked for and did not find, and the languages they want, for the people who
write and translate: the same figures and page as the analysts' insights (`witaj.web.insights.gaps`),
in the back office, so an editor sees what to write next and a translator what to translate."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.web.clients.stats import StatsClient
from witaj.web.insights.gaps import read_gaps
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, NotYours

router = APIRouter(prefix=PREFIX + "/{city}")


@router.get("/gaps")
async def gaps(
    desk: CityDesk,
    period: Annotated[str | None, Query(max_length=8)] = "30d",
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    if not desk.staff.edits_in(desk.city_id):  # counsellors who edit nothing have no gaps to fill
        raise NotYours(desk.city_id)
    stats = cast(StatsClient, desk.web.backends["stats"])
    languages = desk.city.languages if desk.city else []
    context = await read_gaps(stats, desk.token, desk.city_id, languages, desk.t, period, language)
    return desk.render("office/gaps.html", **context)
