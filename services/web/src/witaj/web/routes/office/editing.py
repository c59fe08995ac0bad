"""Writing and editing an item of any kind, with a preview exactly as migrants will read it.

One form per kind (`office/forms.py`). The same page answers every button of its form: "Save" sends the
body to the content API; "Preview" (without JavaScript) shows the page again with the preview under
it; adding, removing or moving a step shows it again with the change; nothing typed is lost on the way.
With JavaScript, htmx posts the form to `/preview/<kind>` as the person types (after a pause) and
swaps in the preview alone. The API's complaints come back next to the inputs they concern.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from witaj.shared.events import Feature
from witaj.shared.languages import LANGUAGES
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import TopicNode
from witaj.web.clients.workbench import EditorItem
from witaj.web.i18n import DAYS
from witaj.web.office import forms, preview
from witaj.web.office.container import PREFIX
from witaj.web.office.desk import CityDesk, Desk, NotYours
from witaj.web.office.problems import Problems, explain
from witaj.web.routes.office.content import kind_path_of, load_item

router = APIRouter(prefix=PREFIX + "/{city}")
SPOKEN = sorted(LANGUAGES, key=lambda code: LANGUAGES[code][0])
"""Languages an office may say it speaks: every language Witaj knows, in English alphabetical order."""


async def city_topics(desk: Desk) -> list[tuple[str, str, int]]:
    """The city's topics as (id, label, depth), labelled in the office's language where the city has it."""
    assert desk.city is not None
    language = desk.t.language if desk.t.language in desk.city.languages else desk.city.default_language
    try:
        tree = desk.use(await desk.web.content.topics(desk.city_id, language))
    except BackendUnavailable:
        return []
    found: list[tuple[str, str, int]] = []

    def walk(node: TopicNode, depth: int) -> None:
        found.append((node.id, node.label, depth))
        for child in node.children:
            walk(child, depth + 1)

    for top in tree.topics:
        walk(top, 0)
    return found


async def _offices(desk: Desk, language: str) -> list[tuple[str, str]]:
    """Published directory entries a procedure's step can name as its office."""
    assert desk.city is not None
    if not desk.city.has(Feature.DIRECTORY):
        return []
    try:
        listing = desk.use(await desk.web.content.items(desk.city_id, "organisations", language, limit=100))
    except (BackendUnavailable, BackendRefused):
        return []
    return sorted(((row.id, row.title) for row in listing.items), key=lambda pair: pair[1].casefold())


async def edit_page(
    desk: Desk,
    kind_path: str,
    content: dict[str, Any],
    *,
    language: str,
    item: EditorItem | None = None,
    version: int | None = None,
    problems: Problems | None = None,
    shown: Markup | None = None,
    preview_problems: Problems | None = None,
    focus: str | None = None,
    minor: bool = False,
    important: bool = False,
    faq: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """`faq`: a new page made from an answered question's anonymised draft (`routes/office/faq.py`)."""
    return desk.render(
        "office/edit.html",
        status=status,
        kind_path=kind_path,
        form=forms.FORMS[kind_path],
        content=content,
        values=forms.values(kind_path, content),
        item=item,
        version=version,
        language=language,
        problems=problems or Problems(),
        preview=shown,
        preview_problems=preview_problems or Problems(),
        focus=focus,
        minor=minor,
        important=important,
        faq=faq,
        field_id=forms.field_id,
        field_label=forms.field_label,
        days=DAYS,
        spoken_languages=SPOKEN,
        topics=await city_topics(desk),
        offices=await _offices(desk, language) if kind_path == "processes" else [],
    )


def _may_create(desk: Desk) -> None:
    if not desk.staff.may_create(desk.city_id):
        raise NotYours(desk.city_id)


def _may_edit(desk: Desk, item: EditorItem) -> None:
    if not desk.staff.may_edit(item.facts()):
        raise NotYours(item.id)


@router.get("/content/{kind_path}/new")
async def new_item(kind_path: str, desk: CityDesk) -> HTMLResponse:
    kind_path_of(desk, kind_path)
    _may_create(desk)
    assert desk.city is not None
    return await edit_page(desk, kind_path, forms.blank(kind_path), language=desk.city.default_language)


@router.post("/content/{kind_path}/new")
async def create_item(kind_path: str, desk: CityDesk, request: Request) -> Response:
    kind_path_of(desk, kind_path)
    _may_create(desk)
    assert desk.city is not None
    form = await request.form()
    content = forms.read(kind_path, form)
    chosen = form.get("language")
    language = (
        chosen if isinstance(chosen, str) and chosen in desk.city.languages else desk.city.default_language
    )
    intent = str(form.get("intent", "save"))
    if intent != "save":
        return await redisplay(desk, kind_path, content, intent, language=language)
    try:
        created = await desk.workbench.create(
            desk.token, desk.city_id, kind_path, content, source_language=language
        )
    except BackendRefused as refused:
        return await refused_edit(desk, kind_path, content, refused, language=language)
    return RedirectResponse(desk.here("items", created.id, done="created"), status_code=303)


@router.get("/items/{item_id}/edit")
async def edit_item(item_id: str, desk: CityDesk) -> HTMLResponse:
    item = await load_item(desk, item_id)
    _may_edit(desk, item)
    shown, problems = await preview.render(desk, item.kind_path, item.content, item.source_language)
    return await edit_page(
        desk, item.kind_path, item.content, language=item.source_language, item=item, version=item.version,
        shown=shown, preview_problems=problems,
    )  # fmt: skip


@router.post("/items/{item_id}/edit")
async def save_item(item_id: str, desk: CityDesk, request: Request) -> Response:
    item = await load_item(desk, item_id)
    _may_edit(desk, item)
    form = await request.form()
    content = forms.read(item.kind_path, form)
    version_text = str(form.get("version", ""))
    version = int(version_text) if version_text.isdigit() else item.version
    minor, important = form.get("minor") == "yes", form.get("important") == "yes"
    intent = str(form.get("intent", "save"))
    common: dict[str, Any] = {
        "language": item.source_language, "item": item, "version": version, "minor": minor, "important": important,
    }  # fmt: skip
    if intent != "save":
        return await redisplay(desk, item.kind_path, content, intent, **common)
    try:
        await desk.workbench.replace(
            desk.token, desk.city_id, item, content, version=version, minor=minor, important=important
        )
    except BackendRefused as refused:
        return await refused_edit(desk, item.kind_path, content, refused, **common)
    return RedirectResponse(desk.here("items", item_id, done="saved"), status_code=303)


async def redisplay(
    desk: Desk, kind_path: str, content: dict[str, Any], intent: str, **page: Any
) -> HTMLResponse:
    """A button that is not "Save": the preview, or a step added, removed or moved."""
    if intent == "preview":
        shown, problems = await preview.render(desk, kind_path, content, page["language"])
        focus = "preview" if shown is not None else None
        return await edit_page(
            desk, kind_path, content, shown=shown, preview_problems=problems, focus=focus, **page
        )
    changed, focus = forms.change(kind_path, content, intent)
    return await edit_page(desk, kind_path, changed, focus=focus, **page)


async def refused_edit(
    desk: Desk, kind_path: str, content: dict[str, Any], refused: BackendRefused, **page: Any
) -> HTMLResponse:
    if refused.status in (401, 403, 404):
        raise refused
    problems = explain(
        desk.t, refused, preview.known_paths(kind_path, content), preview.labeller(desk, kind_path)
    )
    return await edit_page(desk, kind_path, content, problems=problems, status=refused.status, **page)


@router.post("/preview/{kind_path}")
async def live_preview(kind_path: str, desk: CityDesk, request: Request) -> HTMLResponse:
    """The preview box alone, for htmx as the person types."""
    kind_path_of(desk, kind_path)
    assert desk.city is not None
    form = await request.form()
    chosen = form.get("language")
    language = (
        chosen if isinstance(chosen, str) and chosen in desk.city.languages else desk.city.default_language
    )
    shown, problems = await preview.render(desk, kind_path, forms.read(kind_path, form), language)
    return desk.render(
        "office/partials/preview.html", preview=shown, preview_problems=problems, language=language
    )
