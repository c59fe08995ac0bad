"""An event's registrations for its organisers: who holds a place and who waits, attendance marked on the
day (one form for the whole list, so a class is marked in one go), and a CSV file for a spreadsheet.

Registrants' contact data is personal: these pages are never stored by anyone (`no-store`, as every
back-office page), the file is made on request and kept nowhere, and only the event's organisers see
either (the events API decides). A course taken as a whole has one list; otherwise each date has its own,
the nearest date first.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.organiser import REGISTRATIONS_PAGE, EditorEvent, Occurrence
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk
from witaj.web.office.problems import describe
from witaj.web.office.spreadsheet import csv_bytes
from witaj.web.routes.office.events import load_event, may_edit, zone

router = APIRouter(prefix=PREFIX + "/{city}/events/{event_id}")
STATUSES = ("confirmed", "waitlisted", "cancelled")
ALL = "all"
MARK = "attended."
"""The attendance form's inputs: `attended.<registration id>`, with `was.<id>` as it was shown."""


def nearest(event: EditorEvent) -> Occurrence | None:
    """The date an organiser most likely wants: the one happening now or next, else the last one."""
    if not event.occurrences:
        return None
    now = datetime.now(UTC)
    coming = [o for o in event.occurrences if o.end >= now and not o.cancelled]
    return coming[0] if coming else event.occurrences[-1]


def chosen_date(event: EditorEvent, wanted: str) -> Occurrence | None:
    """The date whose list is shown (None: all of them, or a course taken as a whole)."""
    if event.per_series or wanted == ALL:
        return None
    return event.occurrence(wanted) if wanted else nearest(event)


@router.get("/registrations")
async def registrations(
    event_id: str, desk: CityDesk,
    date: Annotated[str, Query(max_length=40)] = "",
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    done: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> HTMLResponse:  # fmt: skip
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    return await registrations_page(desk, event, date, page=page, done=done)


async def registrations_page(
    desk: Desk, event: EditorEvent, wanted: str, *, page: int = 1, done: int | None = None,
    problem: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    occurrence = chosen_date(event, wanted)
    key = occurrence.key if occurrence else None
    found = await desk.organiser.registrations(
        desk.token, desk.city_id, event.id, occurrence=key, offset=(page - 1) * REGISTRATIONS_PAGE
    )
    counts = {
        state: (await desk.organiser.registrations(desk.token, desk.city_id, event.id, occurrence=key, status=state, limit=1)).total
        for state in STATUSES
    }  # fmt: skip
    pages = max(1, math.ceil(found.total / REGISTRATIONS_PAGE))
    return desk.render(
        "office/events/registrations.html", status=status, event=event, registrations=found,
        occurrence=occurrence, date=key or (ALL if wanted == ALL else ""), counts=counts, page=min(page, pages),
        pages=pages, done=done, problem=problem, zone=zone(desk),
    )  # fmt: skip


@router.post("/registrations/attendance")
async def attendance(event_id: str, desk: CityDesk, request: Request) -> Response:
    """Each confirmed registration's "present" or "absent", as ticked; only what changed is sent."""
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    form = await request.form()
    wanted = str(form.get("date", ""))[:40]
    ticked = ((name.removeprefix(MARK), value) for name, value in form.multi_items() if name.startswith(MARK))
    changed = [
        (registration_id, value) for registration_id, value in ticked
        if value in ("yes", "no") and len(registration_id) <= 64 and form.get(f"was.{registration_id}") != value
    ]  # fmt: skip
    if len(changed) > REGISTRATIONS_PAGE:  # one page's list at most: a form never holds more
        problem = desk.t("office.problem.bad_request")
        return await registrations_page(desk, event, wanted, problem=problem, status=400)
    marked = 0
    for registration_id, value in changed:
        try:
            await desk.organiser.attendance(
                desk.token, desk.city_id, event.id, registration_id, value == "yes"
            )
        except BackendRefused as refused:
            if refused.status in (401, 403):
                raise
            problem = describe(desk.t, refused)
            return await registrations_page(desk, event, wanted, problem=problem, status=refused.status)
        marked += 1
    target = desk.here("events", event.id, "registrations", date=wanted or None, done=marked)
    return RedirectResponse(target, status_code=303)


@router.get("/registrations.csv")
async def export(event_id: str, desk: CityDesk, date: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Every registration of the date shown (or of all dates), for a spreadsheet."""
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    occurrence = chosen_date(event, date)
    rows = await desk.organiser.every_registration(
        desk.token, desk.city_id, event.id, occurrence=occurrence.key if occurrence else None
    )
    t, here = desk.t, zone(desk)
    header = [
        t(f"office.events.csv.{column}")
        for column in ("date", "name", "email", "phone", "status", "registered", "attended")
    ]

    def local(moment: datetime | None) -> str:
        return moment.astimezone(here).strftime("%Y-%m-%d %H:%M") if moment else ""

    def start_of(key: datetime | None) -> datetime | None:
        found = event.occurrence(key.strftime("%Y-%m-%dT%H:%M:%SZ")) if key else None
        return found.start if found else key

    body = csv_bytes(
        header,
        (
            [
                local(start_of(r.occurrence)) if r.occurrence else t("office.events.csv.whole_course"),
                (r.contact or {}).get("name", ""), (r.contact or {}).get("email", ""), (r.contact or {}).get("phone", ""),
                t(f"office.events.registration.{r.status}"), local(r.created_at),
                "" if r.attended is None else t("office.events.csv.yes" if r.attended else "office.events.csv.no"),
            ]
            for r in rows
        ),
    )  # fmt: skip
    name = (
        f"witaj-{event.id}-{occurrence.start.astimezone(here):%Y-%m-%d}"
        if occurrence
        else f"witaj-{event.id}"
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )
