"""The fake database: collections in memory, with unique keys and transactions' all-or-nothing."""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError
from witaj.devkit.fakes.documents import (
    DUPLICATE_KEY,
    MISSING,
    Doc,
    apply_update,
    get_path,
    matches,
    project,
    set_path,
    sort_docs,
)


@dataclass
class UpdateResult:
    matched_count: int
    modified_count: int
    upserted_id: Any = None


@dataclass
class InsertOneResult:
    inserted_id: Any


@dataclass
class DeleteResult:
    deleted_count: int


class FakeCursor:
    """What `find` returns: iterate it asynchronously or take `to_list()`."""

    def __init__(self, docs: list[Doc]) -> None:
        self._docs = docs

    def __aiter__(self) -> AsyncIterator[Doc]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Doc]:
        for doc in self._docs:
            yield doc

    async def to_list(self, length: int | None = None) -> list[Doc]:
        return self._docs[:length] if length else list(self._docs)


class FakeCollection:
    """One collection in memory, in insertion order; `_id` is unique, and so are the keys of indexes
    created with `unique=True` (partial ones only where their filter matches)."""

    _ids = itertools.count(1)

    def __init__(self, name: str) -> None:
        self.name = name
        self.docs: dict[Any, Doc] = {}
        self._unique: list[tuple[list[str], Mapping[str, Any] | None]] = []

    # -- indexes

    async def create_index(
        self, keys: Any, *, unique: bool = False, name: str | None = None, **options: Any
    ) -> str:
        fields = [keys] if isinstance(keys, str) else [key for key, _ in keys]
        if unique:
            self._unique.append((fields, options.get("partialFilterExpression")))
        return name or "_".join(fields)

    async def index_information(self) -> dict[str, Any]:
        return {}

    async def drop_index(self, name: str) -> None:
        return None

    def _check_unique(self, doc: Doc, replacing: Any = MISSING) -> None:
        for other_id, other in self.docs.items():
            if other_id == replacing:
                continue
            if other_id == doc.get("_id"):
                raise DuplicateKeyError(f"E11000 duplicate key: _id {other_id!r}", DUPLICATE_KEY)
            for fields, partial in self._unique:
                if partial is not None and not (matches(doc, partial) and matches(other, partial)):
                    continue
                if all(get_path(doc, f) == get_path(other, f) for f in fields):
                    raise DuplicateKeyError(f"E11000 duplicate key: {fields}", DUPLICATE_KEY)

    # -- reads

    def _matching(self, query: Mapping[str, Any] | None, sort: Any = None) -> list[Doc]:
        return sort_docs([d for d in self.docs.values() if matches(d, query)], sort)

    async def find_one(
        self, query: Mapping[str, Any] | None = None, projection: Any = None, **options: Any
    ) -> Doc | None:
        found = self._matching(query, options.get("sort"))
        return project(found[0], projection) if found else None

    def find(
        self,
        query: Mapping[str, Any] | None = None,
        projection: Any = None,
        *,
        sort: Any = None,
        limit: int = 0,
        skip: int = 0,
        **_: Any,
    ) -> FakeCursor:
        found = self._matching(query, sort)[skip:]
        if limit:
            found = found[:limit]
        return FakeCursor([project(d, projection) for d in found])

    async def count_documents(self, query: Mapping[str, Any], **_: Any) -> int:
        return len(self._matching(query))

    async def distinct(self, key: str, query: Mapping[str, Any] | None = None, **_: Any) -> list[Any]:
        out: list[Any] = []
        for doc in self._matching(query):
            value = get_path(doc, key)
            for item in value if isinstance(value, list) else [value]:
                if item is not MISSING and item not in out:
                    out.append(copy.deepcopy(item))
        return out

    # -- writes

    async def insert_one(self, doc: Doc, **_: Any) -> InsertOneResult:
        stored = copy.deepcopy(doc)
        stored.setdefault("_id", f"fake-{next(self._ids)}")
        self._check_unique(stored)
        self.docs[stored["_id"]] = stored
        doc.setdefault("_id", stored["_id"])
        return InsertOneResult(stored["_id"])

    async def insert_many(self, docs: Iterable[Doc], *, ordered: bool = True, **_: Any) -> None:
        errors = []
        for index, doc in enumerate(docs):
            try:
                await self.insert_one(doc)
            except DuplicateKeyError as exc:
                errors.append({"index": index, "code": DUPLICATE_KEY, "errmsg": str(exc)})
                if ordered:
                    break
        if errors:
            raise BulkWriteError({"writeErrors": errors, "nInserted": 0})

    def _upsert(self, query: Mapping[str, Any], update: Mapping[str, Any]) -> Doc:
        doc: Doc = {}
        for key, condition in query.items():
            if not key.startswith("$") and not (
                isinstance(condition, Mapping) and any(k.startswith("$") for k in condition)
            ):
                set_path(doc, key, condition)
        apply_update(doc, update, inserting=True)
        doc.setdefault("_id", f"fake-{next(self._ids)}")
        self._check_unique(doc)
        self.docs[doc["_id"]] = doc
        return doc

    def _update(self, doc: Doc, update: Mapping[str, Any]) -> bool:
        changed = copy.deepcopy(doc)
        apply_update(changed, update, inserting=False)
        if changed == doc:
            return False
        self._check_unique(changed, replacing=doc["_id"])
        self.docs[doc["_id"]] = changed
        return True

    async def update_one(
        self, query: Mapping[str, Any], update: Mapping[str, Any], *, upsert: bool = False, **options: Any
    ) -> UpdateResult:
        found = self._matching(query, options.get("sort"))
        if not found:
            if upsert:
                return UpdateResult(0, 0, self._upsert(query, update)["_id"])
            return UpdateResult(0, 0)
        return UpdateResult(1, int(self._update(found[0], update)))

    async def bulk_write(self, requests: Iterable[UpdateOne], **_: Any) -> None:
        """`UpdateOne` requests in order (the only kind the stores send in bulk to the fake's users)."""
        for request in requests:
            if not isinstance(request, UpdateOne):
                raise NotImplementedError(f"bulk {type(request).__name__}")
            spec = request._filter, request._doc  # pymongo keeps a request's parts private
            await self.update_one(*spec, upsert=bool(request._upsert))

    async def replace_one(
        self, query: Mapping[str, Any], replacement: Doc, *, upsert: bool = False, **_: Any
    ) -> UpdateResult:
        if any(key.startswith("$") for key in replacement):
            raise NotImplementedError("replace_one takes a document, not update operators")
        found = self._matching(query)
        if not found:
            if upsert:
                return UpdateResult(0, 0, self._upsert(query, {"$set": replacement})["_id"])
            return UpdateResult(0, 0)
        current = found[0]
        stored = {**copy.deepcopy(replacement), "_id": current["_id"]}
        self._check_unique(stored, replacing=current["_id"])
        self.docs[current["_id"]] = stored
        return UpdateResult(1, int(stored != current))

    async def update_many(
        self, query: Mapping[str, Any], update: Mapping[str, Any], **_: Any
    ) -> UpdateResult:
        found = self._matching(query)
        return UpdateResult(len(found), sum(self._update(doc, update) for doc in found))

    async def find_one_and_update(
        self,
        query: Mapping[str, Any],
        update: Mapping[str, Any],
        projection: Any = None,
        *,
        sort: Any = None,
        upsert: bool = False,
        return_document: bool = ReturnDocument.BEFORE,
        **_: Any,
    ) -> Doc | None:
        found = self._matching(query, sort)
        if not found:
            if not upsert:
                return None
            doc = self._upsert(query, update)
            return project(doc, projection) if return_document == ReturnDocument.AFTER else None
        before = found[0]
        self._update(before, update)
        after = self.docs[before["_id"]]
        return project(after if return_document == ReturnDocument.AFTER else before, projection)

    async def delete_one(self, query: Mapping[str, Any], **_: Any) -> DeleteResult:
        found = self._matching(query)
        if found:
            del self.docs[found[0]["_id"]]
        return DeleteResult(len(found[:1]))

    async def delete_many(self, query: Mapping[str, Any], **_: Any) -> DeleteResult:
        found = self._matching(query)
        for doc in found:
            del self.docs[doc["_id"]]
        return DeleteResult(len(found))


class FakeDatabase:
    """Collections by name, made on first use, as `AsyncDatabase` makes them."""

    def __init__(self, name: str = "witaj_unit") -> None:
        self.name = name
        self.collections: dict[str, FakeCollection] = {}

    def __getitem__(self, name: str) -> FakeCollection:
        return self.collections.setdefault(name, FakeCollection(name))

    def get_collection(self, name: str) -> FakeCollection:
        return self[name]

    def snapshot(self) -> Callable[[], None]:
        """Remember every collection's documents; calling the result puts them back."""
        saved = {name: copy.deepcopy(c.docs) for name, c in self.collections.items()}

        def restore() -> None:
            for name, collection in self.collections.items():
                collection.docs = saved.get(name, {})

        return restore
