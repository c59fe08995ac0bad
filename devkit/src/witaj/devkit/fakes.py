"""Small in-memory stand-ins for the database, the outbox and the publisher: the unit tier's only fakes.

Unit tests (`pytest -m unit`, `make unit`) run handlers and domain rules on these in a fraction of a
second, with no broker and no database; the service and system tests run the same code on the real
embedded ones. The fakes take the same calls the real parts take (`AsyncCollection`, `Outbox`,
`EventPublisher`), for the part of their interface the stores use:

- `FakeDatabase` holds `FakeCollection`s, which keep documents as the database would (copies, so a
  caller never changes a stored document by accident) and understand the query and update operators
  the stores use. An operator they do not know raises `NotImplementedError` rather than answer wrongly.
- `FakeOutbox` runs a unit of work as a transaction: if it raises, the database and the staged events
  are as they were before (`FakeDatabase.snapshot`), as a MongoDB transaction would leave them.
- `FakeInbox` is the real inbox with its transaction on the fake database.
- `FakePublisher` keeps what was published, decoded, in order.
- `FakeRuntime` holds them with a real `CityCatalog` on the fake database, for the stores and workers
  that are built from a service's runtime.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError
from witaj.shared.cities import CityCatalog
from witaj.shared.envelope import Envelope, EventData, registry
from witaj.shared.inbox import Inbox
from witaj.shared.settings import WitajSettings

T = TypeVar("T")
Doc = dict[str, Any]

_MISSING = object()
DUPLICATE_KEY = 11000


# ---------------------------------------------------------------------------------------- documents


def _get(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = copy.deepcopy(value)


def _unset(doc: dict[str, Any], path: str) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.get(part, {})
    if isinstance(doc, dict):
        doc.pop(last, None)


def _compare(value: Any, op: str, operand: Any) -> bool:
    """An ordering comparison; values of different kinds (None against a number) never match."""
    if value is _MISSING or value is None or operand is None:
        return False
    try:
        return {
            "$lt": value < operand,
            "$lte": value <= operand,
            "$gt": value > operand,
            "$gte": value >= operand,
        }[op]
    except TypeError:
        return False


def _equal(value: Any, operand: Any) -> bool:
    """MongoDB's equality: a missing field equals null, and an array matches any element equal to it."""
    if value is _MISSING:
        return operand is None
    if isinstance(value, list) and not isinstance(operand, list):
        return any(_equal(item, operand) for item in value)
    return bool(value == operand)


def _matches_field(value: Any, condition: Any) -> bool:
    if not (isinstance(condition, Mapping) and condition and all(k.startswith("$") for k in condition)):
        return _equal(value, condition)
    for op, operand in condition.items():
        if op == "$eq":
            ok = _equal(value, operand)
        elif op == "$ne":
            ok = not _equal(value, operand)
        elif op in ("$lt", "$lte", "$gt", "$gte"):
            ok = (
                any(_compare(v, op, operand) for v in value)
                if isinstance(value, list)
                else _compare(value, op, operand)
            )
        elif op == "$in":
            ok = any(_equal(value, candidate) for candidate in operand)
        elif op == "$nin":
            ok = not any(_equal(value, candidate) for candidate in operand)
        elif op == "$exists":
            ok = (value is not _MISSING) == bool(operand)
        else:
            raise NotImplementedError(f"the fake database does not know the query operator {op}")
        if not ok:
            return False
    return True


def matches(doc: Mapping[str, Any], query: Mapping[str, Any] | None) -> bool:
    """Whether `doc` matches a MongoDB query (the operators the stores use)."""
    for key, condition in (query or {}).items():
        if key == "$and":
            ok = all(matches(doc, part) for part in condition)
        elif key == "$or":
            ok = any(matches(doc, part) for part in condition)
        elif key.startswith("$"):
            raise NotImplementedError(f"the fake database does not know the query operator {key}")
        else:
            ok = _matches_field(_get(doc, key), condition)
        if not ok:
            return False
    return True


def _apply(doc: dict[str, Any], update: Mapping[str, Any], *, inserting: bool) -> None:
    if not update or not all(key.startswith("$") for key in update):
        raise NotImplementedError("the fake database takes update operators only, not replacements")
    for op, fields in update.items():
        for path, value in fields.items():
            if op == "$set":
                _set(doc, path, value)
            elif op == "$setOnInsert":
                if inserting:
                    _set(doc, path, value)
            elif op == "$unset":
                _unset(doc, path)
            elif op == "$inc":
                current = _get(doc, path)
                _set(doc, path, (0 if current is _MISSING else current) + value)
            elif op == "$push":
                current = _get(doc, path)
                _set(doc, path, [*([] if current is _MISSING else current), value])
            else:
                raise NotImplementedError(f"the fake database does not know the update operator {op}")


def _project(doc: Doc, projection: Any) -> Doc:
    if not projection:
        return copy.deepcopy(doc)
    fields = dict.fromkeys(projection, 1) if isinstance(projection, list | tuple) else dict(projection)
    keep_id = fields.pop("_id", 1)
    if fields and all(not flag for flag in fields.values()):  # an exclusion
        out = copy.deepcopy(doc)
        for path in fields:
            _unset(out, path)
    else:
        out = {}
        for path in fields:
            value = _get(doc, path)
            if value is not _MISSING:
                _set(out, path, value)
    if keep_id and "_id" in doc:
        out["_id"] = doc["_id"]
    elif not keep_id:
        out.pop("_id", None)
    return out


def _sorted(docs: list[Doc], sort: Any) -> list[Doc]:
    if not sort:
        return docs
    keys = list(sort.items()) if isinstance(sort, Mapping) else [tuple(part) for part in sort]

    def key(doc: Doc, path: str) -> tuple[int, Any]:
        value = _get(doc, path)
        return (0, 0) if value is None or value is _MISSING else (1, value)  # null sorts first

    for path, direction in reversed(keys):
        docs = sorted(docs, key=lambda d, path=path: key(d, path), reverse=direction < 0)
    return docs


# ---------------------------------------------------------------------------------------- collections


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

    def _check_unique(self, doc: Doc, replacing: Any = _MISSING) -> None:
        for other_id, other in self.docs.items():
            if other_id == replacing:
                continue
            if other_id == doc.get("_id"):
                raise DuplicateKeyError(f"E11000 duplicate key: _id {other_id!r}", DUPLICATE_KEY)
            for fields, partial in self._unique:
                if partial is not None and not (matches(doc, partial) and matches(other, partial)):
                    continue
                if all(_get(doc, f) == _get(other, f) for f in fields):
                    raise DuplicateKeyError(f"E11000 duplicate key: {fields}", DUPLICATE_KEY)

    # -- reads

    def _matching(self, query: Mapping[str, Any] | None, sort: Any = None) -> list[Doc]:
        return _sorted([d for d in self.docs.values() if matches(d, query)], sort)

    async def find_one(
        self, query: Mapping[str, Any] | None = None, projection: Any = None, **options: Any
    ) -> Doc | None:
        found = self._matching(query, options.get("sort"))
        return _project(found[0], projection) if found else None

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
        return FakeCursor([_project(d, projection) for d in found])

    async def count_documents(self, query: Mapping[str, Any], **_: Any) -> int:
        return len(self._matching(query))

    async def distinct(self, key: str, query: Mapping[str, Any] | None = None, **_: Any) -> list[Any]:
        out: list[Any] = []
        for doc in self._matching(query):
            value = _get(doc, key)
            for item in value if isinstance(value, list) else [value]:
                if item is not _MISSING and item not in out:
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
                _set(doc, key, condition)
        _apply(doc, update, inserting=True)
        doc.setdefault("_id", f"fake-{next(self._ids)}")
        self._check_unique(doc)
        self.docs[doc["_id"]] = doc
        return doc

    def _update(self, doc: Doc, update: Mapping[str, Any]) -> bool:
        changed = copy.deepcopy(doc)
        _apply(changed, update, inserting=False)
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
            return _project(doc, projection) if return_document == ReturnDocument.AFTER else None
        before = found[0]
        self._update(before, update)
        after = self.docs[before["_id"]]
        return _project(after if return_document == ReturnDocument.AFTER else before, projection)

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


# ---------------------------------------------------------------------------------------- outbox, publisher


@dataclass(frozen=True)
class Staged:
    topic: str
    key: bytes
    envelope: Envelope[Any]


class FakeSession:
    """Passed as `session` to a unit of work; the fake collections ignore it."""


@dataclass
class FakeOutbox:
    """`witaj.shared.outbox.Outbox`'s write side: events staged in a unit of work, kept in order."""

    db: FakeDatabase = field(default_factory=FakeDatabase)
    staged: list[Staged] = field(default_factory=list)
    woken: int = 0

    async def add(
        self, session: Any, topic: str, *envelopes: Envelope[Any], key: bytes | None = None
    ) -> None:
        for envelope in envelopes:
            registry.encode(envelope)  # as the real outbox: an event too large fails the transaction
            self.staged.append(Staged(topic, key or envelope.key, envelope))

    async def transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run `work` once; if it raises, neither its writes nor its events remain."""
        restore, staged = self.db.snapshot(), len(self.staged)
        try:
            result = await work(FakeSession())
        except BaseException:
            restore()
            del self.staged[staged:]
            raise
        self.wake()
        return result

    def wake(self) -> None:
        self.woken += 1

    def events(self, *types: type[EventData], topic: str | None = None) -> list[Envelope[Any]]:
        """The staged events, oldest first, of these types (all without) and on `topic` if given."""
        return _select(self.staged, types, topic)


class FakeInbox(Inbox):
    """`witaj.shared.inbox.Inbox` on the fake database: a consumer's marker and the event's effect
    commit together or not at all, as in its real transaction."""

    def __init__(self, db: FakeDatabase, consumer: str) -> None:
        super().__init__(None, db, consumer)  # type: ignore[arg-type]
        self._outbox = FakeOutbox(db)

    async def transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        return await self._outbox.transaction(work)


@dataclass(frozen=True)
class Sent:
    topic: str
    envelope: Envelope[Any]
    key: bytes | None


@dataclass
class FakePublisher:
    """`witaj.shared.kafka.EventPublisher`: every event sent, encoded and decoded again as the broker
    would carry it, in order."""

    sent: list[Sent] = field(default_factory=list)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        await self.send_raw(topic, registry.encode(envelope), key=key or envelope.key)

    async def send_raw(self, topic: str, value: bytes, *, key: bytes | None = None, **_: Any) -> None:
        self.sent.append(Sent(topic, registry.decode(value), key))

    async def send_many(self, messages: Iterable[tuple[str, bytes, bytes | None]]) -> None:
        for topic, value, key in messages:
            await self.send_raw(topic, value, key=key)

    def fire_and_forget(self, topic: str, envelope: Envelope[Any], *, key: bytes | None = None) -> None:
        self.sent.append(Sent(topic, registry.decode(registry.encode(envelope)), key or envelope.key))

    async def ready(self, timeout: float = 2.0) -> bool:
        return True

    def events(self, *types: type[EventData], topic: str | None = None) -> list[Envelope[Any]]:
        """What was sent, oldest first, of these types (all without) and on `topic` if given."""
        return _select(self.sent, types, topic)


def _select(
    records: Sequence[Staged | Sent], types: tuple[type[EventData], ...], topic: str | None
) -> list[Envelope[Any]]:
    return [
        r.envelope
        for r in records
        if (topic is None or r.topic == topic) and (not types or isinstance(r.envelope.data, types))
    ]


@dataclass
class FakeRuntime:
    """The parts of `witaj.shared.runtime.Runtime` a service's stores, handlers and workers use, on the
    fakes above; cities become known as in a service, by applying their configuration events."""

    settings: WitajSettings = field(default_factory=WitajSettings)
    db: FakeDatabase = field(default_factory=FakeDatabase)
    publisher: FakePublisher = field(default_factory=FakePublisher)
    outbox: FakeOutbox = field(init=False)
    cities: CityCatalog = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = FakeOutbox(self.db)
        self.cities = CityCatalog(self.db, served=self.settings.service.cities)  # type: ignore[arg-type]
