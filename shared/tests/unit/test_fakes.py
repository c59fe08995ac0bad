"""The unit tier's fake database keeps the MongoDB rules the stores rely on (the service tests run the
stores on the real one); where it does not know an operator it says so instead of guessing."""

from __future__ import annotations

import pytest
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError
from witaj.devkit.fakes import FakeDatabase, FakeOutbox

pytestmark = pytest.mark.unit


async def test_queries_treat_a_missing_field_as_null_and_match_array_elements() -> None:
    items = FakeDatabase()["items"]
    await items.insert_many(
        [{"_id": 1, "tags": ["a", "b"]}, {"_id": 2, "tags": [], "erased_at": None}, {"_id": 3, "n": 5}]
    )
    assert [d["_id"] for d in await items.find({"tags": "b"}).to_list()] == [1]
    assert [d["_id"] for d in await items.find({"erased_at": None}).to_list()] == [1, 2, 3]
    assert [d["_id"] for d in await items.find({"n": {"$ne": None}}).to_list()] == [3]
    assert [d["_id"] for d in await items.find({"n": {"$lte": 9}}).to_list()] == [3]  # null never compares
    with pytest.raises(NotImplementedError, match=r"\$regex"):
        await items.find_one({"tags": {"$regex": "a"}})


async def test_an_upsert_that_finds_a_newer_document_is_refused_as_a_duplicate() -> None:
    configs = FakeDatabase()["configs"]
    await configs.update_one(
        {"_id": "lublin", "revision": {"$lt": 3}}, {"$set": {"revision": 3}}, upsert=True
    )
    with pytest.raises(DuplicateKeyError):
        await configs.update_one(
            {"_id": "lublin", "revision": {"$lt": 2}}, {"$set": {"revision": 2}}, upsert=True
        )
    assert configs.docs["lublin"] == {"_id": "lublin", "revision": 3}


async def test_unordered_inserts_store_the_new_documents_and_name_the_duplicates() -> None:
    deliveries = FakeDatabase()["deliveries"]
    await deliveries.insert_one({"_id": "d2"})
    with pytest.raises(BulkWriteError) as refused:
        await deliveries.insert_many([{"_id": "d1"}, {"_id": "d2"}, {"_id": "d3"}], ordered=False)
    assert [e["index"] for e in refused.value.details["writeErrors"]] == [1]
    assert sorted(deliveries.docs) == ["d1", "d2", "d3"]


async def test_a_failed_unit_of_work_leaves_neither_its_writes_nor_its_events() -> None:
    outbox = FakeOutbox(FakeDatabase())
    slots = outbox.db["slots"]
    await slots.insert_one({"_id": "s", "remaining": 1, "seq": 0})

    async def overbook(session: object) -> None:
        after = await slots.find_one_and_update(
            {"_id": "s"},
            {"$inc": {"remaining": -2, "seq": 1}},
            session=session,
            return_document=ReturnDocument.AFTER,
        )
        assert after is not None and after["remaining"] == -1
        await outbox.db["registrations"].insert_one({"_id": "r"}, session=session)
        raise RuntimeError("overbooked")

    with pytest.raises(RuntimeError):
        await outbox.transaction(overbook)
    assert slots.docs["s"] == {"_id": "s", "remaining": 1, "seq": 0}
    assert outbox.db["registrations"].docs == {} and outbox.staged == []
