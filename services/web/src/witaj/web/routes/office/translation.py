"""Translation in the back office: what needs translating, and the side-by-side editor.

The dashboard and a language's list are the content API's, in its order (most asked-for first: readers
who wanted the language and got another). The editor puts each source text beside its translation
(`dir=rtl` where the language is written right to left), and, when the source changed since the text
was translated, shows what changed, word by word. Translators save drafts and move the text through
the workflow up to "reviewed"; an editor of the item publishes. Machine drafts are offered where the
city has switched them on, and marked as machine-made until a person saves the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.shared.languages import is_rtl
from witaj.shared.translations import TranslationState
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.content import KIND_PATHS
from witaj.web.clients.workbench import EditorItem, LanguageState
from witaj.web.deps import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.diff import Change, compare
from witaj.web.office.forms import field_id, path_label
from witaj.web.office.problems import Problems, describe, explain
from witaj.web.office.translating import (
    Translatable,
    Work,
    WorkRow,
    posted_translation,
    rows_for,
    states_for,
    wanted_steps,
)
from witaj.web.routes.office.content import load_item

router = APIRouter(prefix=PREFIX + "/{city}")
DONE = ("saved", "machine")


def city_language(desk: Desk, language: str) -> str:
    assert desk.city is not None
    if language not in desk.city.languages:
        raise PageNotFound("page", city=desk.city)
    return language


def _may_see_work(desk: Desk) -> None:
    if not (desk.staff.sees_whole_city(desk.city_id) or desk.staff.ngo):
        raise NotYours(desk.city_id)


@router.get("/translations")
async def dashboard(desk: CityDesk) -> HTMLResponse:
    _may_see_work(desk)
    work = await desk.workbench.dashboard(desk.token, desk.city_id)
    return desk.render("office/translations.html", work=work)


@router.get("/translations/{language}")
async def language_work(language: str, desk: CityDesk) -> HTMLResponse:
    return await language_page(desk, language)


async def language_page(
    desk: Desk,
    language: str,
    *,
    report: dict[str, Any] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """A language's work, most asked-for first; after an XLIFF upload, its report too."""
    city_language(desk, language)
    _may_see_work(desk)
    work = await desk.workbench.dashboard(desk.token, desk.city_id)
    listing = Work(
        language_rows(desk, work, language, _work_row), xliff=desk.here("translations", language, "xliff")
    )
    return language_work_page(desk, language, listing, report=report, problem=problem, status=status)


def language_rows(
    desk: Desk, dashboard: dict[str, Any], language: str, row: Callable[[Desk, dict[str, Any], str], WorkRow]
) -> list[WorkRow]:
    """A dashboard's rows for one language (404 for a language it does not have)."""
    entry = dashboard.get("languages", {}).get(language)
    if entry is None:
        raise PageNotFound("page", city=desk.city)
    return [row(desk, found, language) for found in entry["items"]]


def language_work_page(
    desk: Desk,
    language: str,
    listing: Work,
    *,
    report: dict[str, Any] | None,
    problem: str | None,
    status: int,
) -> HTMLResponse:
    """A language's work (content's or events'), most asked-for first; after an XLIFF upload, its report."""
    return desk.render(
        "office/translation_language.html", status=status, language=language, work=listing, report=report,
        problem=problem, rtl=is_rtl(language),
    )  # fmt: skip


def _work_row(desk: Desk, row: dict[str, Any], language: str) -> WorkRow:
    what = desk.t(f"office.kind.{KIND_PATHS[row['kind']]}")
    if row["status"] != "published":
        what += " · " + desk.t(f"office.status.{row['status']}")
    link = desk.here("items", row["id"], "translations", language)
    return WorkRow(
        title=row["title"] or row["id"], what=what, reason=row["reason"], demand=row["demand"], link=link
    )


async def _changes_since(desk: Desk, item: EditorItem, revision: int) -> list[Change] | None:
    """What changed in the source since the revision the translation was made from (None: unchanged)."""
    if not revision or revision >= item.revision:
        return None
    versions = {v.revision: v for v in await desk.workbench.versions(desk.token, desk.city_id, item.id)}
    before = versions.get(revision)
    return compare(before.texts, item.texts) if before else []


async def editor_page(
    desk: Desk,
    item: EditorItem,
    language: str,
    *,
    fields: dict[str, str] | None = None,
    problems: Problems | None = None,
    done: str | None = None,
    offer_overwrite: bool = False,
    status: int = 200,
) -> HTMLResponse:
    assert desk.city is not None
    state = item.translations.get(language)
    changes = await _changes_since(desk, item, state.source_revision if state else 0)
    may_publish = desk.staff.may_publish_translation(item.facts())
    translatable = Translatable(
        title=item.title, source_language=item.source_language, revision=item.revision, texts=item.texts,
        label=lambda path: path_label(desk.t, item.kind_path, path), page=desk.here("items", item.id),
        action=desk.here("items", item.id, "translations", language), may_publish=may_publish,
        machine=desk.here("items", item.id, "translations", language, "machine-draft")
        if desk.city.has(Feature.MACHINE_TRANSLATION) else None,
    )  # fmt: skip
    return translation_editor(
        desk, translatable, language, state, changes, fields=fields, problems=problems, done=done,
        offer_overwrite=offer_overwrite, status=status,
        work=desk.here("translations", language),
    )  # fmt: skip


def translation_editor(
    desk: Desk, translatable: Translatable, language: str, state: LanguageState | None,
    changes: list[Change] | None, *, fields: dict[str, str] | None, problems: Problems | None,
    done: str | None, work: str, offer_overwrite: bool = False, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The side-by-side editor of an item or an event (see `office.translating`)."""
    current = state.state if state else "missing"
    return desk.render(
        "office/translate.html",
        status=status,
        source=translatable,
        language=language,
        rtl=is_rtl(language),
        source_rtl=is_rtl(translatable.source_language),
        state=state,
        current=current,
        fields=fields if fields is not None else (state.fields if state else {}),
        changed={c.path: c for c in changes or []},
        outdated=changes is not None,
        states=states_for(current, may_publish=translatable.may_publish),
        chosen=current if current != "missing" else TranslationState.DRAFT.value,
        problems=problems or Problems(),
        done=done,
        offer_overwrite=offer_overwrite,
        field_id=field_id,
        rows_for=rows_for,
        work=work,
    )


def _translatable(desk: Desk, item: EditorItem, language: str) -> None:
    if not desk.staff.may_translate(item.facts()):
        raise NotYours(item.id)
    if language == item.source_language:
        raise PageNotFound("page", city=desk.city)


@router.get("/items/{item_id}/translations/{language}")
async def translate_page(
    item_id: str, language: str, desk: CityDesk, done: Annotated[str, Query(max_length=10)] = ""
) -> HTMLResponse:
    city_language(desk, language)
    item = await load_item(desk, item_id)
    _translatable(desk, item, language)
    return await editor_page(desk, item, language, done=done if done in DONE else None)


@router.post("/items/{item_id}/translations/{language}")
async def save_translation(item_id: str, language: str, desk: CityDesk, request: Request) -> Response:
    city_language(desk, language)
    item = await load_item(desk, item_id)
    _translatable(desk, item, language)
    form = await request.form()
    fields, revision = posted_translation(form, item.texts)
    state = item.translations.get(language)
    steps = wanted_steps(state.state if state else "missing", str(form.get("state", "draft")))
    try:
        for number, step in enumerate(steps):  # the text goes with the first step, which checks the revision
            await desk.workbench.translate(
                desk.token, desk.city_id, item_id, language, state=step.value,
                fields=fields if number == 0 else None, source_revision=revision if number == 0 else None,
            )  # fmt: skip
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        problems = explain(
            desk.t, refused, set(item.texts), lambda path: path_label(desk.t, item.kind_path, path)
        )
        return await editor_page(
            desk, item, language, fields=fields, problems=problems, status=refused.status
        )
    return RedirectResponse(
        desk.here("items", item_id, "translations", language, done="saved"), status_code=303
    )


@router.post("/items/{item_id}/translations/{language}/machine-draft")
async def machine_draft(item_id: str, language: str, desk: CityDesk, request: Request) -> Response:
    city_language(desk, language)
    item = await load_item(desk, item_id)
    _translatable(desk, item, language)
    form = await request.form()
    try:
        await desk.workbench.machine_draft(
            desk.token, desk.city_id, item_id, language, overwrite=form.get("overwrite") == "yes"
        )
    except BackendRefused as refused:
        if refused.status in (401, 403, 404):
            raise
        problems = Problems()
        problems.add(None, describe(desk.t, refused))
        overwrite = refused.code == "translation_exists"
        return await editor_page(
            desk, item, language, problems=problems, offer_overwrite=overwrite, status=refused.status
        )
    return RedirectResponse(
        desk.here("items", item_id, "translations", language, done="machine"), status_code=303
    )
