"""What an event document holds and the facts its events carry, kept apart from how it is stored.

An event document keeps its source text, its translations (the shared `ItemTranslations` model), the
schedule in local time and, for queries, the series' first start and last end in UTC. Occurrence
changes live in `overrides`, keyed by the occurrence's original start.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from witaj.events import schedule as sched
from witaj.events.schemas import AgendaItemCreate, Schedule
from witaj.shared.languages import LanguageChoice
from witaj.shared.mongo import Document
from witaj.shared.runtime import Runtime
from witaj.shared.translations import ItemTranslations, translations_of

SOURCE = "witaj/events"
PUBLISHED, DRAFT, CANCELLED, UNPUBLISHED = "published", "draft", "cancelled", "unpublished"
NEEDS_TRANSLATING = [DRAFT, PUBLISHED]
"""Events a translator works on: not cancelled, not over."""


def path(city: str, event_id: str) -> str:
    return f"/cities/{city}/events/{event_id}"


def overrides_of(doc: Document) -> dict[str, Any]:
    return dict(doc.get("overrides") or {})


def schedule_of(doc: Document) -> Schedule:
    return Schedule.model_validate(doc["schedule"])


def public_place(doc: Document) -> dict[str, Any]:
    """The stored place as the API shows it: its GeoJSON point as `lat`/`lng`."""
    place = dict(doc["place"])
    if "location" in place:
        lng, lat = place["location"]["coordinates"]
        place["location"] = {"lat": lat, "lng": lng}
    return place


EDITABLE = (
    "kind", "organisation", "source_language", "texts", "topics", "target_groups", "languages_of_instruction",
    "cost", "capacity", "registration", "schedule",
)  # fmt: skip


def body_of(doc: Document) -> dict[str, Any]:
    """The stored event as `AgendaItemCreate` takes it back: an editing form starts from it, and a draft is
    published by sending it back with `publish`."""
    body = {name: doc.get(name) for name in EDITABLE}
    return {**body, "place": public_place(doc), "publish": doc["status"] != DRAFT}


def source_texts(doc: Document) -> dict[str, str]:
    """The texts a translator translates, by field, leaving out empty ones (nothing to translate)."""
    return {name: text for name, text in doc["texts"].items() if isinstance(text, str) and text.strip()}


def titles(doc: Document) -> dict[str, str]:
    found = {doc["source_language"]: doc["texts"]["title"]}
    for language in translations_of(doc).published_languages():
        title = translations_of(doc).get(language).fields.get("title")
        if title:
            found.setdefault(language, title)
    return found


def next_start(doc: Document, now: datetime | None = None) -> datetime | None:
    now = now or datetime.now(UTC)
    upcoming = sched.expand(schedule_of(doc), overrides_of(doc), now, now + sched.LOOK_AHEAD, limit=50)
    return next((o.start for o in upcoming if not o.cancelled), None)


def facts(doc: Document) -> dict[str, Any]:
    """The fields AgendaItemPublished and AgendaItemUpdated share."""
    return {
        "event_id": doc["_id"],
        "revision": doc["revision"],
        "event_kind": doc["kind"],
        "organisation": doc["organisation"],
        "topics": doc["topics"],
        "target_groups": doc["target_groups"],
        "languages_of_instruction": doc["languages_of_instruction"],
        "languages": translations_of(doc).published_languages(),
        "titles": titles(doc),
        "next_start": next_start(doc),
        "capacity": doc.get("capacity"),
        "free": doc["cost"]["free"],
        "online": bool(doc["place"].get("online_url")),
        "path": path(doc["city"], doc["_id"]),
    }


def build_event(
    city: str,
    body: AgendaItemCreate,
    organisation: str,
    timezone: str,
    by: str,
    *,
    imported: Document | None = None,
) -> Document:
    """A new event document, validated (schedule included) before anything is written."""
    schedule = sched.normalise(body.schedule, timezone)
    bounds = sched.bounds(schedule)
    place = body.place.model_dump(mode="json", exclude={"location"})
    if body.place.location is not None:
        place["location"] = {
            "type": "Point",
            "coordinates": [body.place.location.lng, body.place.location.lat],
        }
    now = datetime.now(UTC)
    doc: Document = {
        "_id": uuid.uuid4().hex,
        "city": city,
        "organisation": organisation,
        "kind": body.kind.value,
        "status": PUBLISHED if body.publish else DRAFT,
        "revision": 1,
        "source_language": body.source_language,
        "texts": body.texts.model_dump(),
        "translations": ItemTranslations(source_language=body.source_language).model_dump(mode="json"),
        "topics": sorted(set(body.topics)),
        "target_groups": sorted(set(body.target_groups)),
        "languages_of_instruction": list(dict.fromkeys(body.languages_of_instruction)),
        "cost": body.cost.model_dump(),
        "place": place,
        "capacity": body.capacity,
        "registration": body.registration.model_dump(),
        "schedule": schedule.model_dump(mode="json"),
        "overrides": {},
        "first_start": bounds.first_start,
        "last_end": bounds.last_end,
        "created_at": now,
        "updated_at": now,
        "updated_by": by,
    }
    if imported is not None:
        doc["import"] = imported
    return doc


def localise(
    runtime: Runtime, doc: Document, lang: str | None, accept: str | None
) -> tuple[LanguageChoice, dict[str, str]]:
    """The language to show `doc` in, by the reader's wishes and the city's fallback chain, and its text."""
    translations = translations_of(doc)
    choice = runtime.cities.choose_language(
        doc["city"], translations.published_languages(), lang=lang, accept_language=accept
    )
    assert choice is not None  # the source language is always available
    if choice.language == doc["source_language"]:
        return choice, dict(doc["texts"])
    return choice, {**doc["texts"], **translations.get(choice.language).fields}
