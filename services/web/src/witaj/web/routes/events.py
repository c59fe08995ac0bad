"""Events and courses: the list by date with its filters, an event with its dates, calendars to keep.

The list asks the events API for the next weeks' occurrences, narrowed by what the reader chose (free,
topic, language of instruction, kind, near a point); the form is a plain GET, so every filter is an
address that can be shared and works without JavaScript. "Near me" needs the reader's location, which
only the browser can give (a script asks for it, and it goes rounded to about a kilometre); without
JavaScript the page says so. Each list has a calendar feed of its own (without the location, as
calendar apps keep and fetch the address), and each event an .ics file to add it to a calendar.
"""

from __future__ import annotations

import asyncio
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response
from witaj.shared.events import Feature, UserType
from witaj.web.agenda import Dates, zone
from witaj.web.browser_keys import private, registration_token, subscribed
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import TopicTree
from witaj.web.clients.events import EVENT_KINDS, Event, EventFilters, Occurrence, Registration
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.forms import Problems, form_key
from witaj.web.pages import Reader
from witaj.web.routes.items import ITEM_ID

router = APIRouter()
LIST_PAGE = 20
RADII = (2, 5, 10, 25)
DEFAULT_RADIUS = 5
FEED_DAYS = 365
TOPIC = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
YES = ("1", "true", "on", "yes")
REGISTERED_STATES = ("confirmed", "waitlisted")


async def event_filters(
    reader: CityReader,
    free: Annotated[str, Query(max_length=5)] = "",
    topic: Annotated[str, Query(max_length=60)] = "",
    language: Annotated[str, Query(max_length=12)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
    radius: Annotated[int, Query(ge=1, le=100)] = DEFAULT_RADIUS,
) -> EventFilters:
    """The reader's filters; anything the list does not offer is left out rather than refused."""
    assert reader.city is not None
    near = None
    if lat is not None and lng is not None:
        near = (round(lat, 2), round(lng, 2), float(radius if radius in RADII else DEFAULT_RADIUS))
    return EventFilters(
        free=free.lower() in YES,
        topic=topic if TOPIC.match(topic) else None,
        language=language if language in reader.city.languages else None,
        kind=kind if kind in EVENT_KINDS else None,
        near=near,
    )


Filters = Annotated[EventFilters, Depends(event_filters)]


def filter_query(filters: EventFilters, *, with_location: bool = True, **more: Any) -> str:
    params = {
        ("radius" if name == "radius_km" else name): value
        for name, value in filters.params(with_location=with_location).items()
    }
    query = urlencode({**params, **{k: v for k, v in more.items() if v is not None}})
    return "?" + query if query else ""


async def topic_tree(reader: Reader, web: WebDep) -> TopicTree | None:
    """The city's topics, for the filter's names; the list does without them if content is away."""
    assert reader.city is not None
    try:
        return reader.use(await web.content.topics(reader.city.id, reader.language))
    except BackendUnavailable:
        return None


def topic_choices(tree: TopicTree | None) -> list[tuple[str, str, str, int]]:
    """(id, label, label's language, depth) of every topic, parents before their children."""
    if tree is None:
        return []
    choices = []
    for top in tree.topics:
        for node, parent in top.walk():
            depth = 0 if parent is None else 1
            choices.append((node.id, node.label, node.language, depth))
    return choices


def dates_for(reader: Reader, timezone: str | None = None) -> Dates:
    assert reader.city is not None
    return Dates(reader.t, zone(timezone, reader.city.timezone))


@router.get("/{city}/{lang}/events")
async def events_page(
    reader: CityReader,
    web: WebDep,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
) -> HTMLResponse:
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    offset = (page - 1) * LIST_PAGE
    listing, tree = await asyncio.gather(
        web.events.occurrences(reader.city.id, reader.language, filters, limit=LIST_PAGE, offset=offset),
        topic_tree(reader, web),
    )
    found = reader.use(listing)
    pages = max(1, math.ceil(found.total / LIST_PAGE))
    if page > pages:
        raise PageNotFound("page", city=reader.city)
    dates = dates_for(reader)
    return reader.render(
        "pages/events.html",
        filters=filters,
        days=dates.by_day(found.items),
        dates=dates,
        total=found.total,
        page=page,
        pages=pages,
        topics=topic_choices(tree),
        kinds=EVENT_KINDS,
        radii=RADII,
        base=reader.path("events") + filter_query(filters),
        feed=reader.path("events.ics") + filter_query(filters, with_location=False),
        everywhere=reader.path("events") + filter_query(filters, with_location=False),
    )


@router.get("/{city}/{lang}/events.ics")
async def events_feed(reader: CityReader, web: WebDep, filters: Filters) -> Response:
    """The list's events as a calendar feed (a year ahead), in the reader's language."""
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    now = datetime.now(UTC)
    params = {
        **filters.params(with_location=False),
        "lang": reader.language,
        "from": (now - timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=FEED_DAYS)).isoformat(),
    }
    body = await web.events.calendar(reader.city.id, params)
    return calendar_answer(body, f"{reader.city.id}-events.ics")


@router.get("/{city}/{lang}/events/{event_id}/calendar.ics")
async def event_calendar(event_id: str, reader: CityReader, web: WebDep) -> Response:
    """One event as a calendar file, every date of it, moved and cancelled ones as such."""
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    if not ITEM_ID.match(event_id):
        raise PageNotFound("page", city=reader.city)
    now = datetime.now(UTC)
    params = {
        "id": event_id,
        "lang": reader.language,
        "from": (now - timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=FEED_DAYS)).isoformat(),
    }
    body = await web.events.calendar(reader.city.id, params)
    if b"BEGIN:VEVENT" not in body:
        raise PageNotFound("page", city=reader.city)  # unknown, unpublished or over
    return calendar_answer(body, f"{event_id}.ics")


def calendar_answer(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "public, max-age=300",
        },
    )


@router.get("/{city}/{lang}/events/{event_id}")
async def event_page(
    event_id: str,
    reader: CityReader,
    web: WebDep,
    registered: Annotated[str | None, Query(max_length=20)] = None,
    cancelled: Annotated[str | None, Query(max_length=5)] = None,
) -> HTMLResponse:
    event = await read_event(reader, web, event_id)
    outcome = None
    if registered in REGISTERED_STATES:
        outcome = f"registered_{registered}"
    elif cancelled == "1":
        outcome = "cancelled"
    return await render_event(reader, web, event, RegistrationForm(), outcome=outcome)


async def read_event(reader: Reader, web: WebDep, event_id: str) -> Event:
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    if not ITEM_ID.match(event_id):
        raise PageNotFound("page", city=reader.city)
    return reader.use(
        await web.events.event(reader.city.id, event_id, reader.language, session=reader.session)
    )


class RegistrationForm:
    """The registration form as the reader filled it in (empty at first), and what was wrong with it."""

    def __init__(
        self,
        *,
        occurrence: str = "",
        name: str = "",
        email: str = "",
        phone: str = "",
        notify: bool = True,
        problems: Problems | None = None,
    ) -> None:
        self.key = form_key()
        self.occurrence = occurrence
        self.name = name
        self.email = email
        self.phone = phone
        self.notify = notify
        self.problems = problems or Problems()


async def my_registrations(reader: Reader, web: WebDep) -> tuple[list[Registration], bool]:
    """The reader's registrations in this city (by the token in their browser), and whether they could
    be read (the events service may be away; the page then says so instead of showing none)."""
    assert reader.city is not None
    token = registration_token(reader.request)
    if token is None:
        return [], True
    try:
        return await web.events.mine(reader.city.id, token), True
    except BackendUnavailable:
        return [], False
    except BackendRefused:
        return [], True  # a token the service no longer knows holds nothing


def upcoming(event: Event, now: datetime) -> list[Occurrence]:
    """Dates still to come and not cancelled: the ones a reader can register for."""
    return [o for o in event.occurrences if not o.cancelled and o.start > now]


def registration_state(event: Event, now: datetime) -> str:
    """Whether the form is offered: 'open', or why not ('not_needed', 'not_yet', 'closed', 'over')."""
    rules = event.registration
    if not rules.required:
        return "not_needed"
    if rules.opens_at and now < rules.opens_at:
        return "not_yet"
    if rules.closes_at and now >= rules.closes_at:
        return "closed"
    if not upcoming(event, now):
        return "over"
    return "open"


def send_label(full: list[bool | None]) -> str:
    """What the button says, by which of the dates offered are full: the reader gets a place, joins
    the waiting list, or either, by the date they choose. (The events service says only whether a date
    is full, never how many places are left: that would tell anyone how many people registered.)"""
    if not any(full):
        return "registration.send"
    if all(full):
        return "registration.join_waitlist"
    return "registration.send_or_wait"


async def render_event(
    reader: Reader,
    web: WebDep,
    event: Event,
    form: RegistrationForm,
    *,
    outcome: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    assert reader.city is not None
    now = datetime.now(UTC)
    mine, readable = await my_registrations(reader, web)
    ours = [r for r in mine if r.event_id == event.id]
    if ours:
        private(reader)  # the page now shows the reader's own registrations
    dates = dates_for(reader, event.schedule.timezone)
    choices = [] if event.per_series else upcoming(event, now)
    if len(choices) == 1:
        form.occurrence = choices[0].occurrence.isoformat()
    full = [event.full] if event.per_series else [o.full for o in choices]
    return reader.render(
        "pages/event.html",
        status=status,
        event=event,
        dates=dates,
        form=form,
        outcome=outcome,
        state=registration_state(event, now),
        choices=choices,
        registrations=[r for r in ours if r.status in REGISTERED_STATES],
        registrations_readable=readable,
        registering=reader.has(Feature.REGISTRATION),
        can_notify=reader.has(Feature.NOTIFICATIONS) and subscribed(reader.request) is not None,
        occurrence_of={o.occurrence: o for o in event.occurrences},
        full=bool(full) and all(full),
        send=send_label(full),
        groups={group.value for group in UserType},
    )
