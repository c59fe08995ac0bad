"""The demo city `make run` seeds: Lublin, with real-looking content in Polish, English, Ukrainian and Arabic.

Content is written through the normal store (so events, the outbox, the cache and search all see it)
under fixed ids, and each item goes the editors' way: a draft, its translations through the workflow to
published, then review and publication. Seeding is safe on every start: finished items are skipped, an
item a crash left half-way is finished, and an item an editor has changed since is left to the editors.
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError
from witaj.content.cities import CityStore
from witaj.content.demo_content import (
    GLOSSARY,
    HEALTH_INSURANCE,
    LANGUAGES,
    ORGANISATIONS,
    RENTING,
    RESIDENCE_PERMIT,
    WORK,
    DemoItem,
)
from witaj.content.demo_practices import PRACTICES
from witaj.content.kinds import MODELS, texts_of
from witaj.content.store import ItemStore, Status, translations_of
from witaj.shared.errors import ApiError
from witaj.shared.events import CityConfig
from witaj.shared.logging import get_logger
from witaj.shared.mongo import Document, Session
from witaj.shared.translations import TranslationState

log = get_logger(__name__)

LUBLIN = CityConfig(
    id="lublin",
    name="Lublin",
    country="PL",
    timezone="Europe/Warsaw",
    default_language="pl",
    languages=["pl", "en", "uk", "ru", "ar"],
    # Ukrainian readers are not sent to Russian by default: many would rather read English or Polish.
    fallbacks={"uk": ["pl", "en"], "ru": ["en", "pl"], "ar": ["en", "pl"], "*": ["en", "pl"]},
)
SEED = "seed"
# Organisations first: the procedure's steps point at them.
DEMO_ITEMS: list[DemoItem] = [
    *ORGANISATIONS, RESIDENCE_PERMIT, HEALTH_INSURANCE, RENTING, WORK, *GLOSSARY, *PRACTICES,
]  # fmt: skip
TRANSLATION_STEPS = (
    TranslationState.DRAFT,
    TranslationState.TRANSLATED,
    TranslationState.REVIEWED,
    TranslationState.PUBLISHED,
)


async def seed_demo_city(cities: CityStore) -> None:
    """Create Lublin unless it exists; safe to run on every start."""
    if await cities.get(LUBLIN.id) is None:
        await cities.create(LUBLIN, by=SEED)
        log.info("demo.city_seeded", city=LUBLIN.id)


async def seed_demo_content(store: ItemStore) -> int:
    """Write the demo items that are missing or unfinished; the number written."""
    written = 0
    for item in DEMO_ITEMS:
        try:
            written += await _seed(store, item)
        except (ApiError, DuplicateKeyError) as exc:  # another replica is seeding it right now
            log.warning("demo.item_skipped", item=item.id, error=type(exc).__name__)
    if written:
        log.info("demo.content_seeded", city=LUBLIN.id, items=written)
    return written


async def _seed(store: ItemStore, item: DemoItem) -> bool:
    model = MODELS[item.kind]
    source, *others = LANGUAGES
    doc = await store.items.find_one({"_id": item.id})
    if doc is None:
        doc = await store.create(
            LUBLIN.id, item.kind, model.model_validate(item.body(source)), source_language=source,
            organisation=item.organisation, by=SEED, item_id=item.id,
        )  # fmt: skip
    elif doc["updated_by"] != SEED:
        return False
    translations = translations_of(doc)
    missing = [lang for lang in others if translations.get(lang).state is not TranslationState.PUBLISHED]
    if not missing and doc["status"] == Status.PUBLISHED.value:
        return False

    async def translate(session: Session) -> Document:
        current = await store.get(LUBLIN.id, item.id, session)
        for language in missing:
            fields = texts_of(model.model_validate(item.body(language)))
            for step, state in enumerate(TRANSLATION_STEPS):
                current = await store.translate_in(
                    session, current, language, state=state, fields=None if step else fields, by=SEED
                )
        return current

    if missing:
        doc = await store.outbox.transaction(translate)
    for status in (Status.IN_REVIEW, Status.PUBLISHED):
        if doc["status"] != Status.PUBLISHED.value:
            doc = await store.transition(LUBLIN.id, item.id, status, by=SEED, expected_version=None)
    return True
