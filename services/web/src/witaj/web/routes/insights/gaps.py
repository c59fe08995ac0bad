"""Information gaps and language demand for the city's analysts (`witaj.web.insights.gaps`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.web.insights.desk import PREFIX, CityAnalyst
from witaj.web.insights.gaps import read_gaps

router = APIRouter(prefix=PREFIX)


@router.get("/{city}/gaps")
async def gaps(
    desk: CityAnalyst,
    period: Annotated[str | None, Query(max_length=8)] = "30d",
    language: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    languages = desk.city.languages if desk.city else []
    context = await read_gaps(desk.stats, desk.token, desk.city_id, languages, desk.t, period, language)
    return desk.render("insights/gaps.html", **context)
