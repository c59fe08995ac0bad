"""Registering for an event (or its waiting list) and cancelling, without an account.

Only the events service makes registration tokens, and it refuses one it did not make. A reader without
one gets it from the service before their first registration; the web app keeps it in an HttpOnly cookie
for the city (`browser_keys`) and sends it back with every later registration, so a family's
registrations stay together and one page lists them. No token is ever made here.

The form is checked here first (formats only), then by the service (dates, places, its rate limits per
reader); every problem comes back as the same page with the message beside the field. A form sent twice
books once: each rendering carries a key, sent with the token as the service's `Idempotency-Key` (which
it scopes to the token and the event), and the token is in the browser from the moment the service gave
it, whatever the page then says (a registration whose answer was lost is recognised when the reader
sends the form again). The same form sent twice at once from a browser without a token gets one token
(`once.py`). Success redirects to the event (303), so reloading sends nothing again.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.browser_keys import (
    REGISTRATIONS_COOKIE,
    forget,
    hand_over,
    keep,
    private,
    registration_token,
    subscribed,
)
from witaj.web.clients.base import BackendNotFound, BackendRefused, BackendSwitchedOff
from witaj.web.clients.events import Contact, EventFilters, Occurrence, Registration
from witaj.web.deps import CityReader, PageNotFound, WebDep, require
from witaj.web.forms import EMAIL, FORM_KEY, PHONE, Problems, clean_line
from witaj.web.pages import Reader
from witaj.web.routes.events import (
    REGISTERED_STATES,
    RegistrationForm,
    dates_for,
    my_registrations,
    read_event,
    render_event,
)
from witaj.web.routes.items import ITEM_ID

router = APIRouter()
REGISTRATION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SHOWN_EVENTS = 50
OCCURRENCE_FIELD = "reg-occurrence"
REFUSALS = {
    "rate_limited": (None, "registration.limited"),
    "registration_closed": (None, "registration.closed"),
    "event_not_open": (None, "registration.not_open"),
    "occurrence_cancelled": (OCCURRENCE_FIELD, "registration.occurrence_cancelled"),
    "occurrence_started": (OCCURRENCE_FIELD, "registration.occurrence_started"),
    "occurrence_required": (OCCURRENCE_FIELD, "registration.choose_date"),
    "series_registration": (OCCURRENCE_FIELD, "registration.choose_date"),
    "not_found": (OCCURRENCE_FIELD, "registration.choose_date"),
}
"""What the events service may refuse, and where the reader is told: beside a field, or above the form."""
CONTACT_FIELDS = {"name": "reg-name", "email": "reg-email", "phone": "reg-phone"}


def check(form: RegistrationForm, *, per_series: bool) -> tuple[datetime | None, Contact, Problems]:
    """The form's values as the service takes them, and what is wrong with them."""
    problems = Problems()
    occurrence = None
    if not per_series:
        try:
            occurrence = datetime.fromisoformat(form.occurrence)
        except ValueError:
            problems.add(OCCURRENCE_FIELD, "registration.choose_date")
    if form.email and not EMAIL.match(form.email):
        problems.add("reg-email", "registration.bad_email")
    if form.phone and not PHONE.match(form.phone):
        problems.add("reg-phone", "registration.bad_phone")
    contact = Contact(name=form.name or None, email=form.email or None, phone=form.phone or None)
    return occurrence, contact, problems


def once_key(reader: Reader, event_id: str, key: str) -> str:
    """The form's key, bound to the reader's browser (their form cookie) and the event: only the same
    form sent again from the same browser is taken for a repeat."""
    browser = reader.request.cookies.get("witaj_csrf", "")
    return hashlib.sha256(f"{browser}\n{event_id}\n{key}".encode()).hexdigest()


@router.post("/{city}/{lang}/events/{event_id}/register")
async def register(
    event_id: str,
    reader: CityReader,
    web: WebDep,
    occurrence: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    email: Annotated[str, Form(max_length=300)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    notify: Annotated[str, Form(max_length=5)] = "",
    key: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    require(reader, Feature.REGISTRATION)
    if not ITEM_ID.match(event_id):
        raise PageNotFound("page", city=reader.city)
    form = RegistrationForm(
        occurrence=occurrence.strip(),
        name=clean_line(name, 100),
        email=email.strip(),
        phone=clean_line(phone, 40),
        notify=notify == "yes",
    )
    event = await read_event(reader, web, event_id)
    when, contact, problems = check(form, per_series=event.per_series)
    if problems:
        form.problems = problems
        return await render_event(reader, web, event, form, status=422)
    held = subscribed(reader.request) if form.notify and reader.has(Feature.NOTIFICATIONS) else None
    city = reader.city.id
    repeat = once_key(reader, event_id, key) if FORM_KEY.match(key) else None
    identity = reader.identity_headers()

    async def new_token() -> str:
        """A token from the service, in the browser with whatever this request answers."""
        issue = partial(web.events.registration_token, city, reader=identity)
        token = await (web.once.run(repeat, issue) if repeat else issue())
        hand_over(reader, REGISTRATIONS_COOKIE, token)
        return token

    async def send(token: str) -> Registration:
        return await web.events.register(
            city, event_id, occurrence=when, contact=contact, token=token, idempotency_key=key if repeat else None,
            subscriber=(held.id, held.token) if held else None, reader=identity,
        )  # fmt: skip

    try:
        token = registration_token(reader.request)
        try:
            done = await send(token or await new_token())
        except BackendRefused as refused:
            if token is None or refused.code != "unknown_registration_token":
                raise
            done = await send(await new_token())  # one the service no longer knows: start a new one
    except BackendRefused as refused:
        if isinstance(refused, BackendSwitchedOff):
            raise  # switched off since the page was shown: the page that says so
        # The event was just read, so a 404 names the date (gone since the page was shown).
        place = REFUSALS.get("not_found" if isinstance(refused, BackendNotFound) else refused.code)
        if place is None and refused.code == "validation_failed":
            place = (contact_field(refused.details), "registration.check")
        if place is None:
            raise
        form.problems.add(*place)
        return await render_event(reader, web, event, form, status=429 if refused.status == 429 else 422)
    if done.token:
        hand_over(reader, REGISTRATIONS_COOKIE, done.token)
    target = reader.path("events", event_id) + f"?registered={done.status}#registration"
    return reader.carry(RedirectResponse(target, status_code=303))


def contact_field(details: object) -> str | None:
    """The form field a service's validation error names (its `loc` ends with the contact field)."""
    text = str(details or "")
    for name, field_id in CONTACT_FIELDS.items():
        if f"'{name}'" in text:
            return field_id
    return None


@router.post("/{city}/{lang}/registrations/{registration_id}/cancel")
async def cancel(
    registration_id: str,
    reader: CityReader,
    web: WebDep,
    event: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Cancel one of the reader's registrations; a waiting person then gets the place. Back to the
    event's page (or the reader's list) with the outcome."""
    assert reader.city is not None
    require(reader, Feature.EVENTS)
    token = registration_token(reader.request)
    if token is None or not REGISTRATION_ID.match(registration_id):
        raise PageNotFound("page", city=reader.city)
    try:
        await web.events.cancel(
            reader.city.id, registration_id, token=token, reader=reader.identity_headers()
        )
    except BackendRefused as refused:
        if refused.code == "rate_limited":
            return await show_registrations(reader, web, outcome="limited", status=429)
        if refused.code != "already_cancelled":
            raise PageNotFound("page", city=reader.city) from None  # not the reader's to cancel
    if ITEM_ID.match(event):
        target = reader.path("events", event) + "?cancelled=1#registration"
    else:
        target = reader.path("registrations") + "?cancelled=1"
    return RedirectResponse(target, status_code=303)


@router.get("/{city}/{lang}/registrations")
async def registrations_page(
    reader: CityReader, web: WebDep, cancelled: Annotated[str | None, Query(max_length=5)] = None
) -> Response:
    """Every registration this browser holds in the city, with the events' names and dates."""
    require(reader, Feature.EVENTS)
    return await show_registrations(reader, web, outcome="cancelled" if cancelled == "1" else None)


async def show_registrations(
    reader: Reader, web: WebDep, *, outcome: str | None, status: int = 200
) -> Response:
    private(reader)
    mine, readable = await my_registrations(reader, web)
    if not readable and status < 400:
        status = 503  # what the page is for cannot be shown; it says so, and the reader may try again
        reader.extra_headers["Retry-After"] = "30"
    active = [r for r in mine if r.status in REGISTERED_STATES]
    token = registration_token(reader.request)
    titles, dated = await event_titles(reader, web, [r.event_id for r in active])
    response: Response = reader.render(
        "pages/registrations.html",
        status=status,
        registrations=active,
        titles=titles,
        dated=dated,
        readable=readable,
        held=token is not None,
        dates=dates_for(reader),
        outcome=outcome,
    )
    if token and readable and not mine:
        forget(response, reader, REGISTRATIONS_COOKIE)  # nothing is held under it any more
    elif token:
        keep(response, reader, REGISTRATIONS_COOKIE, token)
    return response


async def event_titles(
    reader: Reader, web: WebDep, event_ids: list[str]
) -> tuple[dict[str, tuple[str, str]], dict[tuple[str, datetime], Occurrence]]:
    """Each event's title and its language, and its dates as they are now (moved, cancelled), read from
    the listing (which counts no views) for the coming year; an event with no date left there is read
    on its own."""
    assert reader.city is not None
    wanted = list(dict.fromkeys(event_ids))[:SHOWN_EVENTS]
    if not wanted:
        return {}, {}
    now = datetime.now(UTC)
    listed = reader.use(
        await web.events.occurrences(
            reader.city.id, reader.language, EventFilters(), limit=100, offset=0,
            window=(now - timedelta(days=1), now + timedelta(days=399)), ids=wanted,
        )
    )  # fmt: skip
    titles = {o.event_id: (o.title, o.language) for o in listed.items}
    dated = {(o.event_id, o.occurrence): o for o in listed.items}
    missing = [event_id for event_id in wanted if event_id not in titles]
    found = await asyncio.gather(
        *(web.events.event(reader.city.id, event_id, reader.language, session=None) for event_id in missing),
        return_exceptions=True,
    )
    for answer in found:
        if not isinstance(answer, BaseException):
            event = reader.use(answer)
            titles[event.id] = (event.texts.title, event.language)
    return titles, dated
