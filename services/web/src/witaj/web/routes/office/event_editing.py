"""Writing and editing an event or course: what, where, for whom, at what cost, registration, and when.

One form (`office/event_form.py`) for new events and changes. Its buttons: "Publish" or "Save as draft"
for a new event or a draft, "Save changes" for a published one, and "Check the dates", which shows the
form again with the schedule in words ("every Tuesday and Thursday from 4 March until 30 March") without
saving. With JavaScript the same words follow the typing (htmx posts the form to `/events/schedule`). The
API's complaints come back next to their inputs, nothing typed lost.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.languages import LANGUAGES
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.organiser import EditorEvent
from witaj.web.office import event_form, recurrence
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.event_problems import event_problems
from witaj.web.office.problems import Problems
from witaj.web.routes.office.editing import city_topics
from witaj.web.routes.office.events import events_desk, load_event, may_edit, zone

router = APIRouter(prefix=PREFIX + "/{city}/events")
SPOKEN = sorted(LANGUAGES, key=lambda code: LANGUAGES[code][0])


async def form_page(
    desk: Desk,
    values: dict[str, Any],
    *,
    event: EditorEvent | None = None,
    problems: Problems | None = None,
    schedule: recurrence.Schedule | None = None,
    checked: bool = False,
    status: int = 200,
) -> HTMLResponse:
    assert desk.city is not None
    topics = await city_topics(desk)
    return desk.render(
        "office/events/edit.html", status=status, event=event, values=values, problems=problems or Problems(),
        summary=recurrence.summary(desk.t, schedule) if schedule else "", checked=checked,
        kinds=event_form.KINDS, target_groups=event_form.TARGET_GROUPS, repeats=event_form.REPEATS,
        endings=event_form.ENDINGS, spoken_languages=SPOKEN, topics=topics, field_id=event_form.input_id,
        administers=desk.staff.administers(desk.city_id),
    )  # fmt: skip


@router.get("/new")
async def new_event(desk: CityDesk) -> HTMLResponse:
    events_desk(desk)
    if not desk.staff.may_create_event(desk.city_id):
        raise NotYours(desk.city_id)
    assert desk.city is not None
    return await form_page(desk, event_form.values(event_form.blank(desk.city.default_language), zone(desk)))


@router.post("/new")
async def create_event(desk: CityDesk, request: Request) -> Response:
    events_desk(desk)
    if not desk.staff.may_create_event(desk.city_id):
        raise NotYours(desk.city_id)
    form = await request.form()
    reading = event_form.read(form, zone(desk))
    intent = str(form.get("intent", "publish"))
    values = event_form.posted(form)
    if intent == "check":
        return await _checked(desk, values, reading)
    body = _sendable({**reading.body, "publish": intent != "draft"}, reading)
    body.pop("minor_edit", None)
    try:
        event_id = await desk.organiser.create(desk.token, desk.city_id, body)
    except BackendRefused as exc:
        return await _again(desk, values, reading, _refusal(exc))
    return RedirectResponse(desk.here("events", event_id, done="created"), status_code=303)


@router.get("/{event_id}/edit")
async def edit_event(event_id: str, desk: CityDesk) -> HTMLResponse:
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    values = event_form.values(event.body, zone(desk))
    schedule = recurrence.Schedule.of(event.schedule) if event.schedule else None
    return await form_page(desk, values, event=event, schedule=schedule)


@router.post("/{event_id}/edit")
async def save_event(event_id: str, desk: CityDesk, request: Request) -> Response:
    event = await load_event(desk, event_id)
    may_edit(desk, event)
    form = await request.form()
    reading = event_form.read(form, zone(desk))
    intent = str(form.get("intent", "save"))
    values = event_form.posted(form)
    if intent == "check":
        return await _checked(desk, values, reading, event=event)
    body = {**reading.body, "source_language": event.source_language, "publish": intent != "draft"}
    if not desk.staff.administers(desk.city_id):
        body.pop("organisation", None)
    try:
        await desk.organiser.replace(desk.token, desk.city_id, event.id, _sendable(body, reading))
    except BackendRefused as exc:
        return await _again(desk, values, reading, _refusal(exc), event=event)
    done = "published" if event.status == "draft" and intent != "draft" else "saved"
    return RedirectResponse(desk.here("events", event.id, done=done), status_code=303)


async def _checked(
    desk: Desk, values: dict[str, Any], reading: event_form.Reading, *, event: EditorEvent | None = None
) -> HTMLResponse:
    """ "Check the dates": the form again, nothing saved, with the schedule in words (or why not)."""
    problems = event_problems(desk.t, None, reading.problems)
    return await form_page(
        desk, values, event=event, problems=problems, schedule=reading.schedule, checked=True
    )


def _sendable(body: dict[str, Any], reading: event_form.Reading) -> dict[str, Any]:
    """The body to send. When part of the form could not be read, it goes without its schedule, which
    the API requires: it is refused for certain, and names every other problem of the form at once."""
    if reading.problems:
        return {key: value for key, value in body.items() if key != "schedule"}
    return body


def _refusal(refused: BackendRefused) -> BackendRefused:
    """Refusals a form can explain; the others (the token, a 403, a vanished event) are pages."""
    if refused.status in (401, 403, 404):
        raise refused
    return refused


async def _again(
    desk: Desk, values: dict[str, Any], reading: event_form.Reading, refused: BackendRefused | None,
    *, event: EditorEvent | None = None,
) -> HTMLResponse:  # fmt: skip
    """The form once more, with what could not be read and what the API refused next to the inputs."""
    problems = event_problems(
        desk.t, refused, reading.problems, custom_rule=values.get("repeat.freq") == "custom",
        all_day=bool(values.get("schedule.all_day")),
    )  # fmt: skip
    status = refused.status if refused is not None else 422
    return await form_page(
        desk, values, event=event, problems=problems, schedule=reading.schedule, status=status
    )


@router.post("/schedule")
async def schedule_words(desk: CityDesk, request: Request) -> HTMLResponse:
    """The schedule box alone, in words, for htmx as the person changes the dates."""
    events_desk(desk)
    reading = event_form.read(await request.form(), zone(desk))
    words = recurrence.summary(desk.t, reading.schedule) if reading.schedule and not reading.problems else ""
    return desk.render("office/events/partials/schedule.html", summary=words, checked=True)
