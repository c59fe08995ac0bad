"""Calendars into Witaj: an iCalendar file uploaded, or a calendar URL the organisation keeps (the events
API also re-imports those by itself), with what each import did: events created, updated, unchanged,
cancelled (gone from the calendar), and each event of the file it could not take, and why.

Imports belong to an organisation: editors import for their own; city admins say for which. Each
calendar is kept under a name (an uploaded file may be given one), and importing it again cancels only
the events gone from it: an organisation that uploads its courses and its workshops as two files under
two names keeps both. The API
fetches URLs itself, never inside the city's network, and a URL that fails is said to have failed in
the office's words (its code), never with what the URL answered.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.organiser import ImportResult
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.forms import field_id
from witaj.web.office.problems import Problems, describe
from witaj.web.routes.office.events import events_desk

router = APIRouter(prefix=PREFIX + "/{city}/events/import")
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
ICS_TYPES = ".ics,text/calendar"


def _importer(desk: Desk) -> Desk:
    events_desk(desk)
    if not desk.staff.may_create_event(desk.city_id):
        raise NotYours(desk.city_id)
    return desk


def _organisation(desk: Desk, typed: str) -> str | None:
    """Whose calendar: an admin's choice, an editor's own organisation (the API decides either way)."""
    if desk.staff.administers(desk.city_id):
        return typed.strip()[:100] or None
    return desk.staff.organises(desk.city_id)


async def import_page(
    desk: Desk, *, result: ImportResult | None = None, imported_from: str | None = None,
    imported_as: str = "", problems: Problems | None = None, values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    sources = await desk.organiser.sources(desk.token, desk.city_id)
    return desk.render(
        "office/events/import.html", status=status, result=result, imported_from=imported_from,
        imported_as=imported_as,
        sources=sources, problems=problems or Problems(), values=values or {},
        administers=desk.staff.administers(desk.city_id), accept=ICS_TYPES, field_id=field_id,
        problem_of=lambda code: describe(desk.t, BackendRefused("events", 502, code)),
    )  # fmt: skip


@router.get("")
async def import_form(desk: CityDesk) -> HTMLResponse:
    return await import_page(_importer(desk))


def _refused(desk: Desk, refused: BackendRefused, where: str) -> Problems:
    if refused.status in (401, 403):
        raise refused
    problems = Problems()
    target = "organisation" if refused.code == "organisation_required" else where
    problems.add(field_id(target), describe(desk.t, refused), desk.t(f"office.events.import.field.{target}"))
    return problems


def _file_problems(desk: Desk, refused: BackendRefused) -> tuple[Problems, ImportResult | None]:
    """A calendar none of whose events could be read: said once, and each event's problem listed. A file
    over the API's limit is a calendar too large, as one fetched from a URL would be."""
    if refused.code == "payload_too_large":
        refused = BackendRefused(refused.service, refused.status, "calendar_too_large")
    problems = _refused(desk, refused, "file")
    errors = refused.details.get("errors") if isinstance(refused.details, dict) else None
    return problems, ImportResult(errors=errors) if errors else None


@router.post("")
async def upload(desk: CityDesk, request: Request) -> Response:
    _importer(desk)
    form = await request.form()
    file = form.get("file")
    data = await file.read() if isinstance(file, UploadFile) else b""
    typed = str(form.get("organisation", ""))[:100]
    named = str(form.get("calendar", ""))[:100]
    values = {"organisation": typed, "calendar": named}
    calendar = named.strip().lower()
    problems = Problems()
    if calendar and not SOURCE_NAME.match(calendar):
        problems.add(
            field_id("calendar"),
            desk.t("office.events.import.bad_name"),
            desk.t("office.events.import.field.calendar"),
        )
    if not data:
        problems.add(
            field_id("file"),
            desk.t("office.events.import.no_file"),
            desk.t("office.events.import.field.file"),
        )
    if problems:
        return await import_page(desk, problems=problems, values=values, status=400 if not data else 422)
    try:
        result = await desk.organiser.import_file(
            desk.token, desk.city_id, data, organisation=_organisation(desk, typed), source=calendar or None
        )
    except BackendRefused as refused:
        problems, partial = _file_problems(desk, refused)
        return await import_page(
            desk, problems=problems, result=partial, values=values, status=refused.status
        )
    name = file.filename if isinstance(file, UploadFile) and file.filename else None
    return await import_page(desk, result=result, imported_from=name, imported_as=calendar, values=values)


@router.post("/sources")
async def configure(
    desk: CityDesk,
    name: Annotated[str, Form(max_length=100)] = "",
    url: Annotated[str, Form(max_length=1000)] = "",
    organisation: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Keep a calendar URL; the events API checks it leads somewhere it may go, and imports it from then
    on by itself."""
    _importer(desk)
    values = {"name": name, "url": url, "organisation": organisation}
    problems = Problems()
    clean = name.strip().lower()
    if not SOURCE_NAME.match(clean):
        problems.add(
            field_id("name"),
            desk.t("office.events.import.bad_name"),
            desk.t("office.events.import.field.name"),
        )
    if not url.strip():
        problems.add(
            field_id("url"), desk.t("office.error.required"), desk.t("office.events.import.field.url")
        )
    if not problems:
        try:
            await desk.organiser.configure_source(
                desk.token, desk.city_id, clean, url.strip(), organisation=_organisation(desk, organisation)
            )
        except BackendRefused as refused:
            problems = _refused(desk, refused, "url")
    if problems:
        return await import_page(desk, problems=problems, values=values, status=422)
    return RedirectResponse(desk.here("events", "import") + "#sources", status_code=303)


@router.post("/sources/{name}")
async def import_source(
    name: str, desk: CityDesk, organisation: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    _importer(desk)
    if not SOURCE_NAME.match(name):
        return await import_page(desk, status=404)
    try:
        result = await desk.organiser.import_source(
            desk.token, desk.city_id, name, organisation=_organisation(desk, organisation)
        )
    except BackendRefused as refused:
        if refused.status == 404:
            raise
        problems, partial = _file_problems(desk, refused)
        return await import_page(
            desk, problems=problems, result=partial, imported_from=name, status=refused.status
        )
    return await import_page(desk, result=result, imported_from=name)
