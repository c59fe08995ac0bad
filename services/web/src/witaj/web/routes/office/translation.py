"""Translation in the back office: what needs translating, and the side-by-side editor.

The dashboard and a language's list are the content API's, in its order (most asked-for first: readers
who wanted the language and got another). The editor puts each source text beside its translation
(`dir=rtl` where the language is written right to left), and, when the source changed since the text
was translated, shows what changed, word by word. Translators save drafts and move the text through
the workflow up to "reviewed"; an editor of the item publishes. Machine drafts are offered where the
city has switched them on, and marked as machine-made until a person saves the text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from witaj.shared.events import Feature
from witaj.shared.languages import is_rtl
from witaj.shared.translations import ALLOWED, TranslationState
from witaj.web.clients.base import BackendRefused
from witaj.web.clients.content import KIND_PATHS
from witaj.web.clients.workbench import EditorItem
from witaj.web.deps import PageNotFound
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.diff import Change, compare
from witaj.web.office.forms import field_id, path_label
from witaj.web.office.problems import Problems, describe, explain
from witaj.web.routes.office.content import load_item

router = APIRouter(prefix=PREFIX + "/{city}")
DONE = ("saved", "machine")
ORDER = list(TranslationState)


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
    entry = work.get("languages", {}).get(language)
    if entry is None:
        raise PageNotFound("page", city=desk.city)
    return desk.render(
        "office/translation_language.html", status=status, language=language, entry=entry, report=report,
        problem=problem, rtl=is_rtl(language), kind_paths=KIND_PATHS,
    )  # fmt: skip


def rows_for(text: str) -> int:
    """A translation box about as tall as its source: one line for a title, more for a paragraph."""
    if len(text) <= 80 and "\n" not in text:
        return 1
    return min(20, max(3, len(text) // 70 + text.count("\n") + 1))


def path_to(current: TranslationState, wanted: TranslationState) -> list[TranslationState] | None:
    """The workflow's steps from one state to another (none when it is the same state, None when it
    cannot be reached): a translator who finishes a text marks it "translated" from "missing", and the
    text passes through "draft" on the way, as the API's workflow wants."""
    if wanted is current:
        return []
    paths: dict[TranslationState, list[TranslationState]] = {current: []}
    frontier = [current]
    while frontier:
        state = frontier.pop(0)
        for following in sorted(ALLOWED[state], key=ORDER.index):
            if following not in paths:
                paths[following] = [*paths[state], following]
                frontier.append(following)
    return paths.get(wanted)


def states_for(desk: Desk, item: EditorItem, current: str) -> list[str]:
    """The states the person may save the text in from `current` (its own included, missing never)."""
    now = TranslationState(current)
    offered = [s for s in ORDER if s is not TranslationState.MISSING and path_to(now, s) is not None]
    if not desk.staff.may_publish_translation(item.facts()):
        offered = [s for s in offered if s is not TranslationState.PUBLISHED]
    return [s.value for s in offered]


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
    current = state.state if state else "missing"
    changes = await _changes_since(desk, item, state.source_revision if state else 0)
    machine = desk.city.has(Feature.MACHINE_TRANSLATION)
    return desk.render(
        "office/translate.html",
        status=status,
        item=item,
        language=language,
        rtl=is_rtl(language),
        source_rtl=is_rtl(item.source_language),
        state=state,
        current=current,
        fields=fields if fields is not None else (state.fields if state else {}),
        changed={c.path: c for c in changes or []},
        outdated=changes is not None,
        states=states_for(desk, item, current),
        chosen=current if current != "missing" else TranslationState.DRAFT.value,
        machine=machine,
        problems=problems or Problems(),
        done=done,
        offer_overwrite=offer_overwrite,
        field_id=field_id,
        path_label=path_label,
        rows_for=rows_for,
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
    fields = {
        path: text.replace("\r\n", "\n")
        for path in item.texts
        if isinstance(text := form.get(f"text.{path}"), str) and text.strip()
    }
    state = item.translations.get(language)
    current = TranslationState(state.state if state else "missing")
    chosen = str(form.get("state", "draft"))
    wanted = TranslationState(chosen) if chosen in {s.value for s in TranslationState} else current
    steps = path_to(current, wanted) or [wanted]
    revision_text = str(form.get("revision", ""))
    revision = int(revision_text) if revision_text.isdigit() else None
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
