"""The events a content change announces, staged in the outbox inside the change's own transaction.

`content.items` is also what every replica's read cache listens to, so anything that changes what a
reader sees (including a translation being published or withdrawn) must put an event there.
"""

from __future__ import annotations

from typing import Any

from witaj.content.kinds import PATH_OF, overlay
from witaj.shared.envelope import wrap
from witaj.shared.events import (
    ContentKind,
    ContentPublished,
    ContentUnpublished,
    ContentUpdated,
    TranslationStateChanged,
)
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.topics import CONTENT_ITEMS, CONTENT_TRANSLATIONS
from witaj.shared.translations import ItemTranslations, Translation, TranslationState

SOURCE = "witaj/content"
PUBLISHED = "published"


def item_path(doc: Document) -> str:
    return f"/cities/{doc['city']}/{PATH_OF[ContentKind(doc['kind'])]}/{doc['_id']}"


def item_facts(doc: Document) -> dict[str, Any]:
    """What subscribers need to know about an item, without its full text."""
    translations = ItemTranslations.model_validate(doc["translations"])
    languages = translations.published_languages()
    titles: dict[str, str] = {}
    for language in languages:
        fields = {} if language == translations.source_language else translations.get(language).fields
        titles[language] = str(overlay(doc["content"], fields).get("title", ""))
    return {
        "kind": ContentKind(doc["kind"]),
        "item_id": doc["_id"],
        "revision": doc["revision"],
        "organisation": doc.get("organisation"),
        "topics": list(doc["content"].get("topics", [])),
        "user_types": list(doc["content"].get("user_types", [])),
        "languages": languages,
        "titles": titles,
        "path": item_path(doc),
    }


async def _stage(outbox: Outbox, session: Session, topic: str, doc: Document, data: Any) -> None:
    envelope = wrap(data, source=SOURCE, city=doc["city"], subject=doc["_id"])
    await outbox.add(session, topic, envelope, key=doc["_id"].encode())


async def announce_update(
    outbox: Outbox, session: Session, doc: Document, *, minor: bool = False, important: bool = False
) -> None:
    await _stage(
        outbox,
        session,
        CONTENT_ITEMS,
        doc,
        ContentUpdated(**item_facts(doc), minor=minor, important=important),
    )


async def announce_state_change(outbox: Outbox, session: Session, doc: Document, *, previous: str) -> None:
    if doc["status"] == PUBLISHED:
        await _stage(outbox, session, CONTENT_ITEMS, doc, ContentPublished(**item_facts(doc)))
    elif previous == PUBLISHED:
        unpublished = ContentUnpublished(
            kind=ContentKind(doc["kind"]), item_id=doc["_id"], revision=doc["revision"]
        )
        await _stage(outbox, session, CONTENT_ITEMS, doc, unpublished)


async def announce_translation(
    outbox: Outbox, session: Session, doc: Document, language: str, previous: Translation
) -> None:
    translations = ItemTranslations.model_validate(doc["translations"])
    now = translations.get(language)
    changed = TranslationStateChanged(
        kind=ContentKind(doc["kind"]),
        item_id=doc["_id"],
        language=language,
        state=now.state.value,
        previous_state=previous.state.value,
        source_revision=now.source_revision,
        outdated=now.outdated(translations.source_revision),
        machine_translated=now.machine_translated,
    )
    await _stage(outbox, session, CONTENT_TRANSLATIONS, doc, changed)
    reader_visible = TranslationState.PUBLISHED in (now.state, previous.state)
    if doc["status"] == PUBLISHED and reader_visible:
        await announce_update(outbox, session, doc, minor=True)
