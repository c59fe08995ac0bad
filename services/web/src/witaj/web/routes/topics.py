"""A city's home (its topic tree) and each topic's page, listing what is written on it."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from witaj.web.deps import CityReader, PageNotFound, WebDep
from witaj.web.rendered import version_of
from witaj.web.views import FEATURE_OF_PATH, LISTED_ON_TOPICS

router = APIRouter()


@router.get("/{city}/{lang}")
async def home(reader: CityReader, web: WebDep) -> HTMLResponse:
    assert reader.city is not None
    tree = reader.use(await web.content.topics(reader.city.id, reader.language))
    return reader.render("pages/home.html", same_for=version_of(tree), tree=tree)


@router.get("/{city}/{lang}/topics/{topic}")
async def topic_page(topic: str, reader: CityReader, web: WebDep) -> HTMLResponse:
    assert reader.city is not None
    city, language = reader.city.id, reader.language
    tree = reader.use(await web.content.topics(city, language))
    found = tree.find(topic)
    if found is None:
        raise PageNotFound("page", city=reader.city)
    node, parent = found
    kinds = [kind for kind in LISTED_ON_TOPICS if reader.has(FEATURE_OF_PATH[kind])]
    listings = await asyncio.gather(*(web.content.items(city, kind, language, topic=topic) for kind in kinds))
    groups = [(kind, reader.use(listing).items) for kind, listing in zip(kinds, listings, strict=True)]
    return reader.render(
        "pages/topic.html",
        same_for=version_of(tree, *(rows for _, rows in groups)),
        topic=node,
        parent=parent,
        groups=[(k, rows) for k, rows in groups if rows],
    )
