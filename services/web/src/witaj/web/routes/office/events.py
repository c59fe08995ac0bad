"""Events and courses in the back office: the list, an event's page with its dates and workflow, moving
or cancelling one date, cancelling the whole event.

The workflow is the events API's: a draft is seen only here until it is published; a published event
can be edited (its registrants are told of important changes) or cancelled (they are told, and their
places released); an event whose last date is over leaves the listing by itself. One date can be moved,
cancelled or put back as planned. Each page shows a person only what the API will let them do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.organiser import LIST_SIZE, EditorEvent, Occurrence
from witaj.web.deps import PageNotFound
from witaj.web.office import recurrence
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.event_problems import REASONS, SCHEDULE_CODES, event_problems
from witaj.web.office.forms import field_id, posted_text
from witaj.web.office.problems import Problems, describe
from witaj.web.routes.items import ITEM_ID

router = APIRouter(prefix=PREFIX + "/{city}/events")
STATUSES = ("draft", "published", "cancelled", "unpublished")
DONE = ("created", "saved", "published", "cancelled", "occurrence", "translated")
UPCOMING = 20
T = TypeVar("T")


def events_desk(desk: Desk) -> Desk:
    """The city has events switched on and the person works with them (403 page otherwise)."""
    assert desk.city is not None
    if not desk.city.has(Feature.EVENTS):
        raise PageNotFound("page", city=desk.city)
    if not desk.staff.works_with_events(desk.city_id):
        raise NotYours(desk.city_id)
    return desk


def zone(desk: Desk) -> ZoneInfo:
    assert desk.city is not None
    return ZoneInfo(desk.city.timezone)


async def load_event(desk: Desk, event_id: str) -> EditorEvent:
    events_desk(desk)
    if not ITEM_ID.match(event_id):
        raise PageNotFound("page", city=desk.city)
    return await desk.organiser.event(desk.token, desk.city_id, event_id)


def may_edit(desk: Desk, event: EditorEvent) -> None:
    if not desk.staff.may_edit_event(event.facts()):
        raise NotYours(event.id)


def summary(desk: Desk, body: dict[str, object]) -> str:
    schedule = body.get("schedule")
    if not isinstance(schedule, dict) or not schedule.get("start"):
        return ""
    return recurrence.summary(desk.t, recurrence.Schedule.of(schedule))


@router.get("")
async def list_events(
    desk: CityDesk,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=400)] = 1,
) -> HTMLResponse:
    events_desk(desk)
    chosen = status if status in STATUSES else ""
    listing = await desk.organiser.listing(
        desk.token, desk.city_id, status=chosen or None, offset=(page - 1) * LIST_SIZE
    )
    pages = max(1, math.ceil(listing.total / LIST_SIZE))
    return desk.render(
        "office/events/list.html", listing=listing, chosen=chosen, statuses=STATUSES, page=min(page, pages),
        pages=pages, whole_city=desk.staff.organises(desk.city_id) is None,
    )  # fmt: skip


@router.get("/{event_id}")
async def event_page(
    event_id: str, desk: CityDesk, done: Annotated[str, Query(max_length=20)] = ""
) -> HTMLResponse:
    event = await load_event(desk, event_id)
    return show_event(desk, event, done=done if done in DONE else None)


def show_event(
    desk: Desk, event: EditorEvent, *, done: str | None = None, problem: str | None = None, status: int = 200
) -> HTMLResponse:
    now = datetime.now(UTC)
    upcoming = [o for o in event.occurrences if o.end >= now][:UPCOMING]
    return desk.render(
        "office/events/event.html", status=status, event=event, done=done, problem=problem,
        may_edit=desk.staff.may_edit_event(event.facts()), may_translate=desk.staff.may_translate_event(event.facts()),
        summary=summary(desk, event.body), upcoming=upcoming, zone=zone(desk),
    )  # fmt: skip


@router.post("/{event_id}/publish")
async def publish(event_id: str, desk: CityDesk) -> Response:
    """A draft goes to readers: the event is sent back as stored, now to be published."""
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    try:
        await desk.organiser.replace(desk.token, desk.city_id, event.id, {**event.body, "publish": True})
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        said = event_problems(desk.t, refused)
        return show_event(desk, event, problem=" ".join(m for _, m in said.summary()), status=refused.status)
    return RedirectResponse(desk.here("events", event.id, done="published"), status_code=303)


@router.get("/{event_id}/cancel")
async def cancel_page(event_id: str, desk: CityDesk) -> HTMLResponse:
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    if event.status == "cancelled":
        return show_event(desk, event)
    return desk.render("office/events/cancel.html", event=event, summary=summary(desk, event.body))


@router.post("/{event_id}/cancel")
async def cancel(event_id: str, desk: CityDesk) -> Response:
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    await desk.organiser.cancel(desk.token, desk.city_id, event.id)
    return RedirectResponse(desk.here("events", event.id, done="cancelled"), status_code=303)


# ------------------------------------------------------------------------------------- one date


def _occurrence(event: EditorEvent, key: str, desk: Desk) -> Occurrence:
    found = event.occurrence(key)
    if found is None:
        raise PageNotFound("page", city=desk.city)
    return found


def occurrence_values(occurrence: Occurrence, zone: ZoneInfo) -> dict[str, str]:
    start, end = occurrence.start.astimezone(zone), occurrence.end.astimezone(zone)
    return {
        "change": "cancelled" if occurrence.cancelled else "moved" if occurrence.moved else "planned",
        "date": start.date().isoformat(), "start_time": start.strftime("%H:%M"), "end_time": end.strftime("%H:%M"),
        "note": occurrence.note or "",
    }  # fmt: skip


async def _occurrence_page(
    desk: Desk, event: EditorEvent, occurrence: Occurrence, *, values: dict[str, str] | None = None,
    problems: Problems | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    return desk.render(
        "office/events/occurrence.html", status=status, event=event, occurrence=occurrence,
        values=values or occurrence_values(occurrence, zone(desk)), problems=problems or Problems(), zone=zone(desk),
    )  # fmt: skip


@router.get("/{event_id}/dates/{key}")
async def occurrence_page(event_id: str, key: str, desk: CityDesk) -> HTMLResponse:
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    return await _occurrence_page(desk, event, _occurrence(event, key, desk))


def _read_move(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The change to send for one date, and what could not be read (input path -> problem word)."""
    body: dict[str, Any] = {"cancelled": values["change"] == "cancelled", "note": values["note"] or None}
    if values["change"] != "moved":
        return body, {}
    found = {"date": _parsed(date.fromisoformat, values["date"])}
    found |= {name: _parsed(time.fromisoformat, values[name]) for name in ("start_time", "end_time")}
    local = {
        f"occurrence.{name}": ("required" if not values[name] else "date" if name == "date" else "time")
        for name, value in found.items()
        if value is None
    }
    if not local:
        day, begins, ends = found["date"], found["start_time"], found["end_time"]
        assert isinstance(day, date) and isinstance(begins, time) and isinstance(ends, time)
        body |= {
            "start": datetime.combine(day, begins).isoformat(),
            "end": datetime.combine(day, ends).isoformat(),
        }
    return body, local


@router.post("/{event_id}/dates/{key}")
async def change_occurrence(
    event_id: str, key: str, desk: CityDesk, request: Request,
    change: Annotated[str, Form(max_length=20)] = "planned",
) -> Response:  # fmt: skip
    """Move one date (its registrants are told), cancel it (their places are released), or put it
    back as planned; a note says why."""
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    occurrence = _occurrence(event, key, desk)
    form = await request.form()
    values = {name: posted_text(form, name).strip() for name in ("date", "start_time", "end_time", "note")}
    values["change"] = change if change in ("planned", "moved", "cancelled") else "planned"
    body, local = _read_move(values)
    problems = event_problems(desk.t, None, local)
    if not local:
        try:
            await desk.organiser.change_occurrence(desk.token, desk.city_id, event.id, key, body)
        except BackendRefused as refused:
            if refused.status in (401, 403, 404):
                raise
            reason = refused.details.get("reason") if isinstance(refused.details, dict) else None
            if refused.code in SCHEDULE_CODES and reason in REASONS:
                label = desk.t("office.events.field.occurrence.end_time")
                problems.add(
                    field_id("occurrence.end_time"), desk.t(f"office.events.schedule.{reason}"), label
                )
            else:
                problems.add(None, describe(desk.t, refused))
            return await _occurrence_page(
                desk, event, occurrence, values=values, problems=problems, status=refused.status
            )
        return RedirectResponse(desk.here("events", event.id, done="occurrence"), status_code=303)
    return await _occurrence_page(desk, event, occurrence, values=values, problems=problems, status=422)


def _parsed(parse: Callable[[str], T], text: str) -> T | None:
    try:
        return parse(text) if text else None
    except ValueError:
        return None
