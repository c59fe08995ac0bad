"""Events' texts translated as content is: what needs translating per language (most asked-for first, as
the events API counts it), the side-by-side editor with what changed in the source since, and XLIFF 2.0
files out and in. The pages are content's (`office.translating` describes an event to them); translators
prepare and review, an organiser of the event publishes.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.organiser import EditorEvent
from witaj.web.deps import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.diff import Change, compare
from witaj.web.office.problems import Problems, explain
from witaj.web.office.translating import Translatable, Work, WorkRow, posted_translation, wanted_steps
from witaj.web.routes.office.events import events_desk, load_event
from witaj.web.routes.office.translation import (
    city_language,
    language_rows,
    language_work_page,
    translation_editor,
)
from witaj.web.routes.office.xliff import upload_report, xliff_file

router = APIRouter(prefix=PREFIX + "/{city}/events")
DONE = ("saved",)


def label(desk: Desk) -> Any:
    return lambda path: desk.t(f"office.events.field.texts.{path}")


@router.get("/translations")
async def dashboard(desk: CityDesk) -> HTMLResponse:
    events_desk(desk)
    work = await desk.organiser.dashboard(desk.token, desk.city_id)
    return desk.render("office/events/translations.html", work=work)


@router.get("/translations/{language}")
async def language_work(language: str, desk: CityDesk) -> HTMLResponse:
    return await language_page(desk, language)


async def language_page(
    desk: Desk, language: str, *, report: dict[str, Any] | None = None, problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:  # fmt: skip
    events_desk(desk)
    city_language(desk, language)
    work = await desk.organiser.dashboard(desk.token, desk.city_id)
    listing = Work(
        language_rows(desk, work, language, _row), xliff=desk.here("events", "translations", language, "xliff"),
        crumbs=[(desk.here("events", "translations"), desk.t("office.events.translations.title"))],
        heading=desk.t("office.events.translations.language_title", language=desk.t.language_name(language)),
        intro=desk.t("office.events.translations.language_intro"),
    )  # fmt: skip
    return language_work_page(desk, language, listing, report=report, problem=problem, status=status)


def _row(desk: Desk, row: dict[str, Any], language: str) -> WorkRow:
    what = desk.t(f"office.events.kind.{row['kind']}")
    if row["status"] != "published":
        what += " · " + desk.t(f"office.events.status.{row['status']}")
    if row.get("next_start"):
        what += " · " + desk.when(row["next_start"])
    link = desk.here("events", row["id"], "translations", language)
    return WorkRow(title=row["title"], what=what, reason=row["reason"], demand=row["demand"], link=link)


# ---------------------------------------------------------------------------------------------- XLIFF


@router.get("/translations/{language}/xliff")
async def download(language: str, desk: CityDesk) -> Response:
    events_desk(desk)
    city_language(desk, language)
    body, disposition = await desk.organiser.export_xliff(desk.token, desk.city_id, language)
    return xliff_file(body, disposition, f"witaj-events-{desk.city_id}-{language}.xlf")


@router.post("/translations/{language}/xliff")
async def upload(language: str, desk: CityDesk, request: Request) -> HTMLResponse:
    """A document naming events the person may not translate is refused whole: said on the page."""
    events_desk(desk)
    city_language(desk, language)

    def send(document: bytes) -> Awaitable[dict[str, Any]]:
        return desk.organiser.import_xliff(desk.token, desk.city_id, language, document)

    return await upload_report(desk, request, send, language_page, pages_for=(401,))


# ------------------------------------------------------------------------------- side by side


def as_fields(refused: BackendRefused) -> BackendRefused:
    """The events API names a translation's texts `texts.<field>`; the editor's inputs are by field."""
    if not isinstance(refused.details, list):
        return refused
    details = [
        {**d, "field": str(d.get("field", "")).replace("body.texts.", "body.fields.", 1)}
        if isinstance(d, dict)
        else d
        for d in refused.details
    ]
    return BackendRefused(refused.service, refused.status, refused.code, details)


async def _changes_since(desk: Desk, event: EditorEvent, revision: int) -> list[Change] | None:
    """What changed in the source since the revision the translation was made from (None: unchanged)."""
    if not revision or revision >= event.source_revision:
        return None
    versions = {v.revision: v for v in await desk.organiser.versions(desk.token, desk.city_id, event.id)}
    before = versions.get(revision)
    return compare(before.texts, event.texts) if before else []


async def _translatable(desk: Desk, event_id: str, language: str) -> EditorEvent:
    city_language(desk, language)
    event = await load_event(desk, event_id)
    if not desk.staff.may_translate_event(event.facts()):
        raise NotYours(event.id)
    if language == event.source_language:
        raise PageNotFound("page", city=desk.city)
    return event


async def editor_page(
    desk: Desk, event: EditorEvent, language: str, *, fields: dict[str, str] | None = None,
    problems: Problems | None = None, done: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    state = event.translations.get(language)
    changes = await _changes_since(desk, event, state.source_revision if state else 0)
    translatable = Translatable(
        title=event.title, source_language=event.source_language, revision=event.source_revision,
        texts=event.texts, label=label(desk), page=desk.here("events", event.id),
        action=desk.here("events", event.id, "translations", language),
        may_publish=desk.staff.may_edit_event(event.facts()),
    )  # fmt: skip
    return translation_editor(
        desk, translatable, language, state, changes, fields=fields, problems=problems, done=done,
        status=status, work=desk.here("events", "translations", language),
    )  # fmt: skip


@router.get("/{event_id}/translations/{language}")
async def translate_page(
    event_id: str, language: str, desk: CityDesk, done: Annotated[str, Query(max_length=10)] = ""
) -> HTMLResponse:
    event = await _translatable(desk, event_id, language)
    return await editor_page(desk, event, language, done=done if done in DONE else None)


@router.post("/{event_id}/translations/{language}")
async def save_translation(event_id: str, language: str, desk: CityDesk, request: Request) -> Response:
    event = await _translatable(desk, event_id, language)
    form = await request.form()
    fields, revision = posted_translation(form, event.texts)
    state = event.translations.get(language)
    steps = wanted_steps(state.state if state else "missing", str(form.get("state", "draft")))
    try:
        for number, step in enumerate(steps):  # the text goes with the first step, which checks the revision
            await desk.organiser.translate(
                desk.token, desk.city_id, event.id, language, state=step.value,
                texts=(fields or None) if number == 0 else None, source_revision=revision if number == 0 else None,
            )  # fmt: skip
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        problems = explain(desk.t, as_fields(refused), set(event.texts), label(desk))
        return await editor_page(
            desk, event, language, fields=fields, problems=problems, status=refused.status
        )
    return RedirectResponse(
        desk.here("events", event.id, "translations", language, done="saved"), status_code=303
    )
