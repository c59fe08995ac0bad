"""The directory: the city's offices and organisations as a list, filtered by topic, language spoken and
"open now" (in the city's own time zone), with a map of the same list as an enhancement.

The list is the page: it works with JavaScript off, filters are an ordinary GET form, and every entry
says where it is, whether it is open and which languages are spoken there. With JavaScript the reader may
sort it by distance from where they are; their position is used in their browser only and never sent
(see `static/js/directory.js`). The map (`static/js/map.js`) is drawn from the entries in the page, so it
costs no second request for data, and only when the city's deployment names a tile server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from witaj.shared.events import Feature
from witaj.shared.languages import LANGUAGES
from witaj.web.clients.content import Row, TopicTree
from witaj.web.deps import CityReader, WebDep, require
from witaj.web.rendered import version_of
from witaj.web.views import OpenStatus, open_status

router = APIRouter()


@dataclass(frozen=True)
class Filters:
    topic: str
    speaks: str
    open_now: bool

    @property
    def any(self) -> bool:
        return bool(self.topic or self.speaks or self.open_now)


@dataclass(frozen=True)
class Entry:
    """One place in the list, with what the list shows about it."""

    row: Row
    status: OpenStatus | None
    location: tuple[float, float] | None

    @property
    def languages(self) -> list[str]:
        spoken = self.row.fact("languages_spoken") or []
        return [code for code in spoken if isinstance(code, str) and code in LANGUAGES]


def location_of(row: Row) -> tuple[float, float] | None:
    place = row.fact("location")
    if not isinstance(place, dict):
        return None
    lat, lon = place.get("lat"), place.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def topic_and_below(tree: TopicTree, topic: str) -> set[str]:
    """A topic and every topic under it: a filter on 'Residence' finds the office for residence cards."""
    found = tree.find(topic)
    if found is None:
        return {topic}
    return {node.id for node, _ in found[0].walk()}


def matches(entry: Entry, filters: Filters, topics: set[str]) -> bool:
    if filters.topic and not topics.intersection(entry.row.topics):
        return False
    if filters.speaks and filters.speaks not in entry.languages:
        return False
    return not filters.open_now or (entry.status is not None and entry.status.open)


@router.get("/{city}/{lang}/organisations")
async def directory(
    reader: CityReader,
    web: WebDep,
    topic: Annotated[str, Query(max_length=48)] = "",
    speaks: Annotated[str, Query(max_length=3)] = "",
    open_now: Annotated[str, Query(alias="open", max_length=3)] = "",
) -> HTMLResponse:
    assert reader.city is not None
    require(reader, Feature.DIRECTORY)
    city, language = reader.city.id, reader.language
    tree = reader.use(await web.content.topics(city, language))
    rows = reader.use(await web.content.directory(city, language))
    now = web.clock(ZoneInfo(reader.city.timezone))
    entries = [Entry(row, open_status(row.fact("opening_hours"), now), location_of(row)) for row in rows]
    entries.sort(key=lambda entry: entry.row.title.casefold())
    spoken = sorted({code for entry in entries for code in entry.languages}, key=_language_order(language))
    filters = Filters(
        topic=topic if tree.find(topic) else "",
        speaks=speaks if speaks in spoken else "",
        open_now=open_now == "now",
    )
    wanted = topic_and_below(tree, filters.topic) if filters.topic else set()
    shown = [entry for entry in entries if matches(entry, filters, wanted)]
    tiles = web.settings.map
    return reader.render(
        "pages/directory.html",
        same_for=(version_of(tree, rows), now.isoformat(timespec="minutes")),  # hours are by the minute
        entries=shown,
        total=len(entries),
        filters=filters,
        topics=_topic_choices(tree, filters.topic),
        spoken=spoken,
        now=now,
        map=tiles if tiles.tile_url and any(entry.location for entry in shown) else None,
    )


def _language_order(reader_language: str) -> Any:
    """The reader's own language first, then by code (each is shown in its own name)."""
    return lambda code: (code != reader_language, code)


def _topic_choices(tree: TopicTree, chosen: str) -> list[tuple[str, str, str]]:
    """(id, label, language) of each top topic, and of the chosen one when it lies deeper."""
    choices = [(node.id, node.label, node.language) for node in tree.topics]
    found = tree.find(chosen) if chosen else None
    if found is not None and all(chosen != choice[0] for choice in choices):
        choices.append((found[0].id, found[0].label, found[0].language))
    return choices
