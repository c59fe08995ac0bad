"""What the routes that change things share: conditional writes (ETags and If-Match), the editors' view
of an item, and read-your-writes in the replica that wrote."""

from __future__ import annotations

from fastapi import Response
from witaj.content.deps import Services
from witaj.content.schemas import WorkbenchItemPublic
from witaj.content.store import source_texts, translations_of
from witaj.shared.errors import BadRequest
from witaj.shared.events import CityConfig
from witaj.shared.languages import is_known
from witaj.shared.mongo import Document


def etag(revision: int) -> str:
    return f'"{revision}"'


def expected_revision(if_match: str | None) -> int | None:
    """The revision an If-Match header names (an ETag this service gave), None for none or "*"."""
    if not if_match or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise BadRequest(
            'If-Match must be the ETag of the current revision, e.g. "3"', code="bad_if_match"
        ) from None


async def after_write(services: Services, doc: Document) -> None:
    """Read-your-writes in this replica; the others follow from the `content.items` event."""
    await services.published.refresh(doc["city"], doc["_id"])


def city_language(services: Services, city: str, language: str) -> CityConfig:
    """The city's configuration, once `language` is known to be one of its languages."""
    config = services.runtime.cities.require(city)
    if not is_known(language) or language not in config.languages:
        raise BadRequest(
            f"'{language}' is not one of {city}'s languages",
            code="unknown_language",
            details=config.languages,
        )
    return config


def editor_view(doc: Document, languages: list[str]) -> WorkbenchItemPublic:
    translations = translations_of(doc)
    return WorkbenchItemPublic.model_validate(
        {
            "id": doc["_id"],
            "kind": doc["kind"],
            "city": doc["city"],
            "organisation": doc.get("organisation"),
            "status": doc["status"],
            "version": doc["version"],
            "revision": doc["revision"],
            "source_language": translations.source_language,
            "content": doc["content"],
            "texts": source_texts(doc),
            "translations": {
                lang: {**status.model_dump(mode="json"), "fields": translations.get(lang).fields}
                for lang, status in translations.status(languages).items()
            },
            "updated_at": doc["updated_at"].isoformat(),
        }
    )


def respond(response: Response, doc: Document, services: Services) -> WorkbenchItemPublic:
    """The item as editors see it, with its version as the ETag for their next write."""
    response.headers["ETag"] = etag(doc["version"])
    languages = services.runtime.cities.require(doc["city"]).languages
    return editor_view(doc, languages)
