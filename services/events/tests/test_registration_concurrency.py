"""The required contention test: 500 people register at once for 50 places, then 10 cancel."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.topics import AGENDA_REGISTRATIONS


async def test_500_registrations_for_50_places_then_10_cancellations(
    client, editor, settings, state, make_event
) -> None:
    created = await client.post("/cities/lublin/events", json=make_event(capacity=50), headers=editor)
    event = created.json()
    occurrence = event["occurrences"][0]["occurrence"]
    url = f"/cities/lublin/events/{event['id']}/registrations"

    responses = await asyncio.gather(
        *(client.post(url, json={"occurrence": occurrence, "contact": {"name": f"p{i}"}}) for i in range(500))
    )
    assert all(r.status_code == 201 for r in responses), {r.status_code for r in responses}
    statuses = Counter(r.json()["status"] for r in responses)
    assert statuses == {"confirmed": 50, "waitlisted": 450}

    confirmed = [r.json() for r in responses if r.json()["status"] == "confirmed"]
    cancels = await asyncio.gather(
        *(
            client.delete(
                f"/cities/lublin/registrations/{r['id']}", headers={"X-Registration-Token": r["token"]}
            )
            for r in confirmed[:10]
        )
    )
    assert all(r.status_code == 204 for r in cancels)

    store = state.registration_store
    stored = Counter([doc["status"] async for doc in store.collection.find({"event_id": event["id"]})])
    assert stored == {"confirmed": 50, "waitlisted": 440, "cancelled": 10}
    # The ten promoted are the first ten on the waitlist, in the order they registered.
    waitlisted = sorted(
        (r.json() for r in responses if r.json()["status"] == "waitlisted"), key=lambda r: r["id"]
    )
    promoted_docs = await store.collection.find({"promoted_at": {"$exists": True}}).to_list()
    first_ten = await store.collection.find(
        {"event_id": event["id"], "_id": {"$in": [w["id"] for w in waitlisted]}}, sort=[("seq", 1)], limit=10
    ).to_list()
    assert {d["_id"] for d in promoted_docs} == {d["_id"] for d in first_ten}

    # On the topic: 500 created, 10 cancelled, 10 promoted, each promotion once.
    await wait_until(lambda: _pending_is_zero(state), timeout=20, message="outbox drained")
    records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=520, timeout=20)
    types = Counter(json.loads(r.value)["type"] for r in records)
    assert types == {
        "agenda.registration_created": 500,
        "agenda.registration_cancelled": 10,
        "agenda.registration_promoted": 10,
    }
    promoted_ids = [
        json.loads(r.value)["data"]["registration_id"] for r in records if b"registration_promoted" in r.value
    ]
    assert sorted(promoted_ids) == sorted(d["_id"] for d in promoted_docs)
    for record in records:  # pseudonymous only: no contact data travels
        data = json.loads(record.value)["data"]
        assert "contact" not in data and "name" not in data and len(data["registrant"]) == 32


async def _pending_is_zero(state) -> bool:
    return await state.runtime.outbox.pending_count() == 0
