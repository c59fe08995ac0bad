"""Demo agenda for Lublin (`seed_demo`): language courses, a residence-permit session, a festival and a
weekly counselling hour. Seeded once the city arrives on `city.config`; fixed ids make it idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError
from witaj.events.schemas import EventIn
from witaj.events.store import EventStore
from witaj.shared.envelope import Envelope
from witaj.shared.logging import get_logger
from witaj.shared.runtime import Runtime
from witaj.shared.translations import ItemTranslations, TranslationState

log = get_logger(__name__)
CITY = "lublin"
CITY_OFFICE, NGO = "lublin-city-office", "welcome-centre"
CENTRE = {"address": "Rynek 1, 20-111 Lublin", "location": {"lat": 51.2478, "lng": 22.5681}}


def _next(weekday: int, hour: int, weeks: int = 0) -> str:
    """Local time of the next given weekday (0 = Monday) at `hour`, at least two days from now."""
    day = datetime.now(UTC).date() + timedelta(days=2)
    day += timedelta(days=(weekday - day.weekday()) % 7, weeks=weeks)
    return datetime(day.year, day.month, day.day, hour).isoformat()


def _plus(start: str, **delta: float) -> str:
    return (datetime.fromisoformat(start) + timedelta(**delta)).isoformat()


def demo_events() -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    """(id, organisation, event body, English texts)."""
    course, session, festival, counselling = _next(1, 17), _next(3, 12, 1), _next(5, 12, 3), _next(2, 10)
    return [
        ("demo-polish-a1", NGO, {
            "kind": "language_course", "source_language": "pl",
            "texts": {"title": "Kurs języka polskiego A1", "description": "Dwa razy w tygodniu, dla początkujących.",
                      "accessibility_notes": "Sala na parterze, winda."},
            "topics": ["education", "language"], "target_groups": ["refugee", "worker"],
            "languages_of_instruction": ["pl", "uk", "en"], "place": {"name": "Centrum Wielokulturowe", **CENTRE},
            "capacity": 15, "registration": {"required": True, "per": "series"},
            "schedule": {"start": course, "end": _plus(course, minutes=90), "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=20"},
        }, {"title": "Polish language course A1", "description": "Twice a week, for beginners."}),
        ("demo-residence-permits", CITY_OFFICE, {
            "kind": "information_session", "source_language": "pl",
            "texts": {"title": "Karta pobytu: jak złożyć wniosek", "description": "Spotkanie z urzędnikami wydziału cudzoziemców."},
            "topics": ["residence"], "target_groups": ["worker", "student", "family_reunification"],
            "languages_of_instruction": ["pl", "uk", "en"],
            "place": {"address": "ul. Spokojna 4, 20-914 Lublin", "location": {"lat": 51.2493, "lng": 22.5547}},
            "capacity": 40, "registration": {"required": True},
            "schedule": {"start": session, "end": _plus(session, minutes=90)},
        }, {"title": "Residence permit: how to apply", "description": "Meet the foreigners' office staff."}),
        ("demo-festival", CITY_OFFICE, {
            "kind": "cultural_event", "source_language": "pl",
            "texts": {"title": "Festiwal Wielu Kultur", "description": "Muzyka, jedzenie i warsztaty z całego świata."},
            "topics": ["culture"], "target_groups": [], "languages_of_instruction": ["pl", "en"],
            "place": {"address": "Plac Zamkowy, Lublin", "location": {"lat": 51.2506, "lng": 22.5722}},
            "schedule": {"start": festival, "end": _plus(festival, hours=8)},
        }, {"title": "Festival of Many Cultures", "description": "Music, food and workshops from around the world."}),
        ("demo-counselling-hour", NGO, {
            "kind": "counselling_hours", "source_language": "pl",
            "texts": {"title": "Dyżur doradczy", "description": "Pomoc w sprawach pracy, mieszkania i dokumentów."},
            "topics": ["work", "housing", "residence"], "target_groups": [],
            "languages_of_instruction": ["pl", "uk", "ru"],
            "place": {**CENTRE, "online_url": "https://meet.witaj.example/lublin-counselling"},
            "schedule": {"start": counselling, "end": _plus(counselling, hours=1), "rrule": "FREQ=WEEKLY;BYDAY=WE"},
        }, {"title": "Counselling hour", "description": "Help with work, housing and documents."}),
    ]  # fmt: skip


def _published_english(source_language: str, texts: dict[str, str]) -> ItemTranslations:
    translations = ItemTranslations(source_language=source_language)
    for state in (TranslationState.DRAFT, TranslationState.TRANSLATED, TranslationState.REVIEWED):
        translations = translations.with_translation("en", state=state, fields=texts, by="seed")
    return translations.with_translation("en", state=TranslationState.PUBLISHED, by="seed")


async def seed_demo_agenda(runtime: Runtime, store: EventStore) -> int:
    """Create the demo events that are missing; the number created."""
    config = runtime.cities.get(CITY)
    if config is None:
        return 0
    created = 0
    for event_id, organisation, body, english in demo_events():
        if await store.collection.find_one({"_id": event_id}, projection=["_id"]):
            continue
        doc = EventStore.build(CITY, EventIn.model_validate(body), organisation, config.timezone, "seed")
        doc["_id"] = event_id
        doc["translations"] = _published_english(doc["source_language"], english).model_dump(mode="json")
        try:
            await store.create(doc)
            created += 1
        except DuplicateKeyError:
            pass  # another replica seeded it meanwhile
    if created:
        log.info("demo.agenda_seeded", city=CITY, events=created)
    return created


def install(runtime: Runtime, store: EventStore) -> None:
    """Seed as soon as Lublin's configuration arrives (and at start if it is already known)."""

    async def on_city(envelope: Envelope[Any]) -> None:
        if envelope.city == CITY:
            await seed_demo_agenda(runtime, store)

    runtime.city_listeners.append(on_city)
