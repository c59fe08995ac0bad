"""An unsaved text shown exactly as migrants will see it, inside the back office's editing page.

The content API renders the body (its preview route: the same Markdown, sanitising, glossary marks and
totals as a published read); here it goes through the migrant app's own item templates, with the
interface in the text's language, the city's glossary in that language (terms open in place) and a
procedure's offices from the directory. `_item.html` takes its layout from `item_layout`, so the
preview gets the item's article without the migrant app's header, footer and feedback form.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused, BackendUnavailable
from witaj.web.clients.content import PAGE_SIZE, Item, Row
from witaj.web.i18n import Translator, has_texts
from witaj.web.markup import Terms
from witaj.web.office.desk import Desk
from witaj.web.office.forms import FORMS, path_label
from witaj.web.office.problems import Problems, explain
from witaj.web.pages import Reader
from witaj.web.views import office_ids

LAYOUT = "office/preview_frame.html"


async def render(
    desk: Desk, kind_path: str, content: dict[str, Any], language: str
) -> tuple[Markup | None, Problems]:
    """The item's article as readers would see it, or why it cannot be shown yet."""
    assert desk.city is not None
    try:
        item = await desk.workbench.preview(desk.token, desk.city_id, kind_path, content, language)
    except BackendRefused as refused:
        if refused.status == 401:
            raise
        return None, explain(desk.t, refused, known_paths(kind_path, content), labeller(desk, kind_path))
    except BackendUnavailable:
        problems = Problems()
        problems.add(None, desk.t("office.preview.unavailable"))
        return None, problems
    return await article(desk, item), Problems()


async def article(desk: Desk, item: Item) -> Markup:
    assert desk.city is not None
    city, language = desk.city, item.language
    reader = Reader(
        desk.request, desk.web, Translator(language if has_texts(language) else "en"), language, city=city
    )
    glossary: dict[str, Row] = {}
    offices: dict[str, Row] = {}
    wanted = office_ids(item)
    asks: dict[str, Any] = {}
    if city.has(Feature.GLOSSARY):
        asks["glossary"] = desk.web.content.glossary(city.id, language)
    if wanted and city.has(Feature.DIRECTORY):
        asks["offices"] = desk.web.content.items(
            city.id, "organisations", language, ids=wanted, limit=PAGE_SIZE
        )
    try:
        answers = dict(zip(asks, await asyncio.gather(*asks.values()), strict=True))
    except (BackendUnavailable, BackendRefused):
        answers = {}  # the preview shows the text without glossary buttons or office details
    if "glossary" in answers:
        glossary = answers["glossary"].data
    if "offices" in answers:
        offices = {row.id: row for row in answers["offices"].data.items}
    template = desk.web.templates.env.get_template(f"items/{item.kind}.html")
    html = template.render(
        reader=reader, t=reader.t, city=city, item=item, terms=Terms(glossary), offices=offices,
        feedback=None, item_layout=LAYOUT, preview=True,
    )  # fmt: skip
    return Markup(html)  # noqa: S704 - rendered by the autoescaping templates of the migrant app


def labeller(desk: Desk, kind_path: str) -> Callable[[str], str]:
    return lambda path: path_label(desk.t, kind_path, path)


def known_paths(kind_path: str, content: dict[str, Any]) -> set[str]:
    """Every input path the form shows for this body (so a problem finds its input)."""
    paths: set[str] = set()
    for entry in FORMS[kind_path].fields:
        if hasattr(entry, "fields"):
            for i in range(max(len(content.get(entry.name) or []), 1)):
                paths.update(f"{entry.name}.{i}.{sub.name}" for sub in entry.fields)
            paths.add(entry.name)
        else:
            paths.add(entry.name)
    return paths
