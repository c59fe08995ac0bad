"""Search in the reader's language, with the reader's words marked; and, when nothing is found, a way to
tell the city's editors what was missing (the content service keeps it as an information gap)."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import Listing
from witaj.web.deps import CityReader, WebDep
from witaj.web.routes.feedback import is_htmx

router = APIRouter()
RESULTS_PAGE = 10
MAX_QUERY = 200


@router.get("/{city}/{lang}/search")
async def search_page(
    reader: CityReader,
    web: WebDep,
    q: Annotated[str, Query(max_length=MAX_QUERY)] = "",
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    gap: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """`gap` carries the outcome of a report sent without JavaScript that did not go through."""
    assert reader.city is not None
    query = " ".join(q.split())
    results: Listing | None = None
    problem = None
    if query:
        try:
            results = reader.use(
                await web.content.search(
                    reader.city.id, reader.language, query,
                    limit=RESULTS_PAGE, offset=(page - 1) * RESULTS_PAGE, session=reader.session,
                )
            )  # fmt: skip
        except BackendRefused as refused:
            if refused.code != "empty_query":
                raise
            problem = "no_words"
    pages = max(1, math.ceil(results.total / RESULTS_PAGE)) if results else 1
    return reader.render(
        "pages/search.html",
        query=query,
        results=results,
        problem=problem,
        page=page,
        pages=pages,
        gap=gap if gap in ("limited",) else None,
    )


@router.post("/{city}/{lang}/search/gap")
async def report_gap(
    reader: CityReader,
    web: WebDep,
    q: Annotated[str, Form(max_length=MAX_QUERY)] = "",
    comment: Annotated[str, Form(max_length=1_000)] = "",
) -> Response:
    """One tap tells the editors what the reader searched for; a comment may say more."""
    assert reader.city is not None
    query = " ".join(q.split())
    outcome = "sent"
    try:
        await web.content.report_gap(
            reader.city.id, language=reader.language, query=query, comment=comment.strip() or None,
            reader=reader.identity_headers(),
        )  # fmt: skip
    except BackendRefused as refused:
        if refused.code == "rate_limited":
            outcome = "limited"
        elif refused.code in ("empty_query", "validation_failed"):
            outcome = "no_words"
        else:
            raise
    except BackendUnavailable:
        if not is_htmx(reader.request):
            raise
        outcome = "unavailable"
    if is_htmx(reader.request):
        return reader.render("partials/gap.html", query=query, gap=outcome)
    if outcome == "sent":
        return RedirectResponse(reader.path("search", "reported"), status_code=303)
    target = reader.path("search") + "?" + urlencode({"q": query, "gap": outcome}) + "#gap"
    return RedirectResponse(target, status_code=303)


@router.get("/{city}/{lang}/search/reported")
async def reported(reader: CityReader) -> HTMLResponse:
    return reader.render("pages/reported.html")
