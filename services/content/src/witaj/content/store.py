"""Content items in MongoDB: every change is written with its events through the outbox, in one transaction.

One collection (`items`) holds all five kinds: the body in its source language, the translations, the
publishing state and the owning organisation. Every source edit also keeps a full copy in
`item_versions`, which is the version history editors see. `version` counts every change (the ETag for
If-Match); `revision` counts source edits only (what translations are measured against).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from witaj.content.events import announce_state_change, announce_translation, announce_update
from witaj.content.kinds import MODELS, Body, texts_of
from witaj.shared.errors import ApiError, BadRequest, Conflict, NotFound
from witaj.shared.events import ContentKind
from witaj.shared.mongo import Document, Session
from witaj.shared.outbox import Outbox
from witaj.shared.translations import ItemTranslations, TranslationState, translations_of

if TYPE_CHECKING:
    from witaj.content.topic_tree import TopicTreeStore

MAX_TRANSLATED_CHARS = 50_000


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


NOT_ARCHIVED = {"$in": [s.value for s in Status if s is not Status.ARCHIVED]}
"""Status filter for editors' lists; spelled as `$in` (not `$ne`) so it narrows an index."""

STATUS_FLOW: dict[Status, set[Status]] = {
    Status.DRAFT: {Status.IN_REVIEW, Status.ARCHIVED},
    Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.DRAFT, Status.ARCHIVED},
    Status.ARCHIVED: {Status.DRAFT, Status.PUBLISHED},
}


class TranslationStep(NamedTuple):
    """One move of one language's translation in the workflow (new text with it, or None)."""

    language: str
    state: TranslationState
    fields: dict[str, str] | None = None
    machine_translated: bool = False


class ItemStore:
    def __init__(self, db: AsyncDatabase[Document], outbox: Outbox, trees: TopicTreeStore) -> None:
        self.items = db["items"]
        self.versions = db["item_versions"]
        self.outbox = outbox
        self.trees = trees

    async def ensure_indexes(self) -> None:
        await self.items.create_index(
            [("city", ASCENDING), ("kind", ASCENDING), ("status", ASCENDING), ("updated_at", DESCENDING)],
            name="items_listing",
        )
        await self.items.create_index([("city", ASCENDING), ("status", ASCENDING)], name="items_published")
        await self.items.create_index(  # XLIFF export: a city's items written in one source language
            [("city", ASCENDING), ("translations.source_language", ASCENDING), ("status", ASCENDING)],
            name="items_by_source_language",
        )
        # The version is spelled out: the embedded database refuses an identical re-creation without it.
        await self.items.create_index([("geo", "2dsphere")], name="items_geo", **{"2dsphereIndexVersion": 3})
        await self.versions.create_index(
            [("item_id", ASCENDING), ("revision", ASCENDING)], unique=True, name="versions_by_item"
        )

    # ------------------------------------------------------------------------------------------ reads

    async def get(self, city: str, item_id: str, session: Session | None = None) -> Document:
        doc = await self.items.find_one({"_id": item_id, "city": city}, session=session)
        if doc is None:
            raise NotFound(f"The item '{item_id}' in '{city}'")
        return doc

    async def published(self, city: str) -> list[Document]:
        return await self.items.find({"city": city, "status": Status.PUBLISHED.value}).to_list()

    async def listing(
        self,
        city: str,
        kind: ContentKind,
        *,
        status: Status | None,
        organisation: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[Document], int]:
        query: dict[str, Any] = {"city": city, "kind": kind.value}
        if status is not None:
            query["status"] = status.value
        if organisation is not None:
            query["organisation"] = organisation
        total = await self.items.count_documents(query)
        docs = await self.items.find(
            query, sort=[("updated_at", DESCENDING)], skip=offset, limit=limit
        ).to_list()
        return docs, total

    async def history(self, item_id: str) -> list[Document]:
        return await self.versions.find({"item_id": item_id}, sort=[("revision", DESCENDING)]).to_list()

    # ------------------------------------------------------------------------------------------ writes

    async def create(
        self,
        city: str,
        kind: ContentKind,
        body: Body,
        *,
        source_language: str,
        organisation: str | None,
        by: str,
        item_id: str | None = None,
    ) -> Document:
        """A new draft; `item_id` fixes the id (seeded content), otherwise a random one is made."""
        now = datetime.now(UTC)
        doc: Document = {
            "_id": item_id or uuid.uuid4().hex[:16],
            "city": city,
            "kind": kind.value,
            "organisation": organisation,
            "status": Status.DRAFT.value,
            "content": body.model_dump(mode="json"),
            "translations": ItemTranslations(source_language=source_language).model_dump(mode="json"),
            "revision": 1,
            "version": 1,
            "created_by": by,
            "created_at": now,
            "updated_by": by,
            "updated_at": now,
            **_geo(body),
        }

        async def work(session: Session) -> None:
            await self.trees.check_tags(city, _topics(body), session)
            await self.items.insert_one(doc, session=session)
            await self._keep_version(session, doc)

        await self.outbox.transaction(work)
        return doc

    async def update(
        self,
        city: str,
        item_id: str,
        body: Body,
        *,
        by: str,
        minor: bool,
        important: bool,
        expected_version: int | None,
    ) -> Document:
        async def work(session: Session) -> Document:
            current = await self._current(session, city, item_id, expected_version)
            if current["kind"] != _kind_of(body).value:
                raise BadRequest("The body is for another kind of item", code="kind_mismatch")
            await self.trees.check_tags(city, _topics(body), session)
            translations = translations_of(current).after_source_edit(minor=minor)
            doc = {
                **{k: v for k, v in current.items() if k != "geo"},
                "content": body.model_dump(mode="json"),
                "translations": translations.model_dump(mode="json"),
                "revision": translations.source_revision,
                **_geo(body),
            }
            doc = await self._save(session, current, doc, by)
            await self._keep_version(session, doc)
            if doc["status"] == Status.PUBLISHED.value:
                await announce_update(self.outbox, session, doc, minor=minor, important=important)
            return doc

        return await self.outbox.transaction(work)

    async def transition(
        self, city: str, item_id: str, wanted: Status, *, by: str, expected_version: int | None
    ) -> Document:
        async def work(session: Session) -> Document:
            current = await self._current(session, city, item_id, expected_version)
            now = Status(current["status"])
            if wanted is now:
                return current
            if wanted not in STATUS_FLOW[now]:
                allowed = ", ".join(sorted(s.value for s in STATUS_FLOW[now]))
                raise Conflict(
                    f"A {now.value} item cannot become {wanted.value} (allowed: {allowed})",
                    code="invalid_status_transition",
                    details={"status": now.value, "wanted": wanted.value},
                )
            doc = await self._save(session, current, {**current, "status": wanted.value}, by)
            await announce_state_change(self.outbox, session, doc, previous=now.value)
            return doc

        return await self.outbox.transaction(work)

    async def translate(
        self,
        city: str,
        item_id: str,
        language: str,
        *,
        state: TranslationState,
        fields: dict[str, str] | None,
        by: str,
        machine_translated: bool = False,
        expected_revision: int | None = None,
    ) -> Document:
        async def work(session: Session) -> Document:
            current = await self.get(city, item_id, session)
            return await self.translate_in(
                session, current, language, state=state, fields=fields, by=by,
                machine_translated=machine_translated, expected_revision=expected_revision,
            )  # fmt: skip

        return await self.outbox.transaction(work)

    async def translate_in(
        self,
        session: Session,
        current: Document,
        language: str,
        *,
        state: TranslationState,
        fields: dict[str, str] | None,
        by: str,
        machine_translated: bool = False,
        expected_revision: int | None = None,
    ) -> Document:
        """One language's step in the workflow, inside the caller's transaction (XLIFF imports many)."""
        if expected_revision is not None and expected_revision != current["revision"]:
            raise Conflict(
                f"The text was translated from source revision {expected_revision}, "
                f"but the source is now at revision {current['revision']}",
                code="source_changed",
            )
        step = TranslationStep(language, state, fields, machine_translated)
        return await self.translate_steps_in(session, current, [step], by=by)

    async def translate_steps_in(
        self, session: Session, current: Document, steps: Sequence[TranslationStep], *, by: str
    ) -> Document:
        """Workflow steps of any languages, each checked as it would be on its own, saved in one write
        and announced once per language (from its state before to its state after), so finished
        translations can arrive together (seeded content) without rewriting the item once per step."""
        before = translations = translations_of(current)
        for step in steps:
            if step.fields is not None:
                check_fields(current, step.fields)
            translations = translations.with_translation(
                step.language, state=step.state, fields=step.fields, by=by,
                machine_translated=step.machine_translated,
            )  # fmt: skip
        doc = await self._save(
            session, current, {**current, "translations": translations.model_dump(mode="json")}, by
        )
        for language in dict.fromkeys(step.language for step in steps):
            await announce_translation(self.outbox, session, doc, language, before.get(language))
        return doc

    # ------------------------------------------------------------------------------------------ helpers

    async def _current(
        self, session: Session, city: str, item_id: str, expected_version: int | None
    ) -> Document:
        current = await self.get(city, item_id, session)
        if expected_version is not None and current["version"] != expected_version:
            raise ApiError(
                412,
                "version_mismatch",
                f"The item was changed meanwhile (now version {current['version']}); reload and retry",
            )
        return current

    async def _save(self, session: Session, current: Document, doc: Document, by: str) -> Document:
        doc = {**doc, "version": current["version"] + 1, "updated_by": by, "updated_at": datetime.now(UTC)}
        result = await self.items.replace_one(
            {"_id": current["_id"], "version": current["version"]}, doc, session=session
        )
        if result.modified_count != 1:
            raise ApiError(412, "version_mismatch", "The item was changed meanwhile; reload and retry")
        return doc

    async def _keep_version(self, session: Session, doc: Document) -> None:
        await self.versions.update_one(
            {"item_id": doc["_id"], "revision": doc["revision"]},
            {
                "$set": {
                    "content": doc["content"],
                    "organisation": doc["organisation"],
                    "by": doc["updated_by"],
                    "at": doc["updated_at"],
                }
            },
            upsert=True,
            session=session,
        )


def source_texts(doc: Document) -> dict[str, str]:
    """The stored item's translatable texts in its source language, by path."""
    return texts_of(MODELS[ContentKind(doc["kind"])].model_validate(doc["content"]))


def check_fields(doc: Document, fields: dict[str, str]) -> None:
    """A translation may only carry the source's text paths, each within the length limit."""
    source = source_texts(doc)
    unknown = sorted(set(fields) - set(source))
    if unknown:
        raise BadRequest(
            "The translation has fields the source does not have",
            code="unknown_fields",
            details={"unknown": unknown[:50], "expected": sorted(source)[:200]},
        )
    too_long = sorted(path for path, text in fields.items() if len(text) > MAX_TRANSLATED_CHARS)
    if too_long:
        raise BadRequest(
            f"Translated texts are limited to {MAX_TRANSLATED_CHARS} characters", details=too_long
        )


def _geo(body: Body) -> dict[str, Any]:
    location = getattr(body, "location", None)
    if location is None or not hasattr(location, "lat"):
        return {}
    return {"geo": {"type": "Point", "coordinates": [location.lon, location.lat]}}


def _topics(body: Body) -> list[str]:
    return list(getattr(body, "topics", []))


def _kind_of(body: Body) -> ContentKind:
    return next(kind for kind, model in MODELS.items() if isinstance(body, model))
