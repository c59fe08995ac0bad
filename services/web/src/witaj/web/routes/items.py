"""Reading: a list of one kind of content, and an item page for every kind the content API has.

Item pages are one template per kind (`templates/items/<kind>.html`) on a shared layout; glossary terms
in the text open in place, a procedure's offices come with their address and hours, and every item
page ends with what readers added (approved comments and accepted tips), the form to suggest a correction
or add a tip, and the feedback form (see `feedback.py`).
"""

from __future__ import annotations

import asyncio
import math
import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.shared.events import Feature
from witaj.web.clients.base import Answer, BackendRefused, BackendUnavailable
from witaj.web.clients.content import PAGE_SIZE, Comments, Row
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.markup import Terms
from witaj.web.pages import Reader
from witaj.web.rendered import version_of
from witaj.web.views import FEATURE_OF_PATH, office_ids

router = APIRouter()
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
LIST_PAGE = 20
FEEDBACK_STATES = ("sent", "missing", "limited")
SUGGESTION_STATES = ("sent", "missing", "limited", "too_long")
SHOWN_COMMENTS = 20


def kind_of(reader: Reader, kind_path: str) -> str:
    """The kind's path if it is one and the city has that part switched on; else the page is not there."""
    feature = FEATURE_OF_PATH.get(kind_path)
    if feature is None:
        raise PageNotFound("page", city=reader.city)
    require(reader, feature)
    return kind_path


async def glossary_of(reader: Reader, web: WebDep) -> Answer[dict[str, Row]]:
    """The city's terms in the reader's language, or none when the city has no glossary."""
    assert reader.city is not None
    if not reader.has(Feature.GLOSSARY):
        return Answer({})
    return await web.content.glossary(reader.city.id, reader.language)


async def comments_of(reader: Reader, web: WebDep, kind_path: str, item_id: str) -> Comments:
    """What readers added under the item; none shown when the city has no feedback or the content
    service cannot say now (the item is worth reading without them)."""
    assert reader.city is not None
    if not reader.has(Feature.FEEDBACK):
        return Comments(items=[], total=0)
    try:
        found = await web.content.comments(reader.city.id, kind_path, item_id, limit=SHOWN_COMMENTS)
    except (BackendUnavailable, BackendRefused):
        return Comments(items=[], total=0)
    return found.data


@router.get("/{city}/{lang}/{kind_path}")
async def list_page(
    kind_path: str,
    reader: CityReader,
    web: WebDep,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    assert reader.city is not None
    kind_of(reader, kind_path)
    if kind_path == "glossary":
        terms = reader.use(await glossary_of(reader, web))
        rows = sorted(terms.values(), key=lambda row: row.title.casefold())
        return reader.render("pages/glossary.html", same_for=version_of(rows), terms=rows)
    offset = (page - 1) * LIST_PAGE
    listing = reader.use(
        await web.content.items(reader.city.id, kind_path, reader.language, limit=LIST_PAGE, offset=offset)
    )
    pages = max(1, math.ceil(listing.total / LIST_PAGE))
    if page > pages:
        raise PageNotFound("page", city=reader.city)
    return reader.render(
        "pages/list.html",
        same_for=version_of(listing),
        kind_path=kind_path,
        listing=listing,
        page=page,
        pages=pages,
    )


@router.get("/{city}/{lang}/{kind_path}/{item_id}")
async def item_page(
    kind_path: str,
    item_id: str,
    reader: CityReader,
    web: WebDep,
    feedback: Annotated[str | None, Query(max_length=20)] = None,
    suggested: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    assert reader.city is not None
    kind_of(reader, kind_path)
    if not ITEM_ID.match(item_id):
        raise PageNotFound("page", city=reader.city)
    city, language = reader.city.id, reader.language
    read, glossary, comments = await asyncio.gather(
        web.content.item(city, kind_path, item_id, language, session=reader.session),
        glossary_of(reader, web),
        comments_of(reader, web, kind_path, item_id),
    )
    item = reader.use(read)
    offices: dict[str, Row] = {}
    wanted = office_ids(item)
    if wanted and reader.has(Feature.DIRECTORY):
        found = reader.use(
            await web.content.items(
                city,
                "organisations",
                language,
                ids=wanted,
                limit=PAGE_SIZE,
                fresh_for=web.settings.backend.fresh_seconds,
            )
        )
        offices = {row.id: row for row in found.items}
    return reader.render(
        f"items/{item.kind}.html",
        same_for=version_of(item, comments),
        item=item,
        comments=comments,
        suggested=suggested if suggested in SUGGESTION_STATES else None,
        terms=Terms(reader.use(glossary)),
        offices=offices,
        feedback=feedback if feedback in FEEDBACK_STATES else None,
    )
