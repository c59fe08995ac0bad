"""One published item as a reader sees it in one language: text, sanitised HTML, glossary marks, totals.

The result is memoised per item, served language and glossary generation (see `cache.py`), so a read
is a dictionary look-up and a few header values, not a rendering.
"""

from __future__ import annotations

from typing import Any

from witaj.content.cache import CachedItem, CityContent
from witaj.content.events import item_path
from witaj.content.kinds import MODELS, markdown_paths, texts_of
from witaj.content.rendering import glossary_occurrences, render_markdown
from witaj.content.schemas import ItemPublic, SummaryPublic
from witaj.shared.events import ContentKind
from witaj.shared.languages import LanguageChoice, is_rtl


def localized(item: CachedItem, city: CityContent, language: str) -> dict[str, Any]:
    """The language-dependent part of the response (without who asked for what)."""
    key = ("localized", language, city.glossary_generation)
    if key in item.memo:
        return item.memo[key]  # type: ignore[no-any-return]
    content = item.texts(language)
    glossary = city.glossary(language)
    body = MODELS[item.kind].model_validate(content)
    texts = texts_of(body)
    html = {
        path: render_markdown(texts[path], glossary)
        for path in markdown_paths(item.kind, content)
        if path in texts
    }
    skip = item.id if item.kind is ContentKind.GLOSSARY_TERM else None
    status = item.translations.status([language])[language]
    result = {
        "id": item.id,
        "kind": item.kind.value,
        "city": item.doc["city"],
        "organisation": item.doc.get("organisation"),
        "revision": item.doc["revision"],
        "updated_at": item.doc["updated_at"].isoformat(),
        "path": item_path(item.doc),
        "available_languages": item.languages,
        "machine_translated": status.machine_translated,
        "outdated": status.outdated,
        "content": content,
        "html": html,
        "glossary": glossary_occurrences(texts, glossary, skip_term=skip),
        **_extras(item.kind, content),
    }
    item.memo[key] = result
    return result


def item_public(item: CachedItem, city: CityContent, choice: LanguageChoice) -> ItemPublic:
    """The answer to a read of the item in the chosen language (what a preview answers too)."""
    return ItemPublic.model_validate(
        {
            **localized(item, city, choice.language),
            "language": choice.language,
            "requested_language": choice.requested,
            "fallback": choice.fallback,
            "rtl": choice.rtl,
        }
    )


def response_bytes(item: CachedItem, city: CityContent, choice: LanguageChoice) -> tuple[bytes, str]:
    """The whole JSON body and its ETag, memoised for this language choice: the model is built and
    validated once, and each read sends the bytes."""
    key = ("bytes", choice, city.glossary_generation)
    if key not in item.memo:
        body = item_public(item, city, choice).model_dump_json(exclude_unset=True).encode()
        etag = f'"{item.id}.{item.doc["version"]}.{choice.language}.{city.glossary_generation}"'
        item.memo[key] = (body, etag)
    return item.memo[key]  # type: ignore[no-any-return]


DIRECTORY_FACTS = ("type", "address", "location", "opening_hours", "languages_spoken", "contact")
"""What an organisation's row adds: a directory list, its map and a procedure's office need no item read."""


def summary(item: CachedItem, language: str) -> SummaryPublic:
    """A listing or search row: enough to show a link and decide to open it (and which way to set it).
    Memoised with the item per language; callers add to it with `model_copy` or `schemas.extend`."""
    key = ("summary", language)
    if key in item.memo:
        return item.memo[key]  # type: ignore[no-any-return]
    content = item.texts(language)
    row = {
        "id": item.id,
        "kind": item.kind.value,
        "city": item.doc["city"],
        "title": content.get("title", ""),
        "summary": content.get("summary") or content.get("definition") or "",
        "language": language,
        "rtl": is_rtl(language),
        "topics": content.get("topics", []),
        "path": item_path(item.doc),
    }
    if item.kind is ContentKind.ORGANISATION:
        row.update({name: content.get(name) for name in DIRECTORY_FACTS})
    item.memo[key] = model = SummaryPublic.model_validate(row)
    return model


def _extras(kind: ContentKind, content: dict[str, Any]) -> dict[str, Any]:
    """A process's total cost (per currency) and duration, so readers see the whole effort up front."""
    if kind is not ContentKind.PROCESS:
        return {}
    costs: dict[str, float] = {}
    days = 0
    for step in content.get("steps", []):
        if step.get("cost"):
            currency = step["cost"]["currency"]
            costs[currency] = round(costs.get(currency, 0.0) + float(step["cost"]["amount"]), 2)
        days += int(step.get("duration_days") or 0)
    return {"total_cost": costs, "total_duration_days": days}
