"""The required contention test: 500 people register at once for 50 places, then 10 cancel."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.events.main import create_app
from witaj.events.registrations import slot_key, waiting_in
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS

from .conftest import device


def app_state(client):
    return client._transport.app.state


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

    store = state.registrations
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


async def test_two_replicas_never_overbook(client, editor, settings, state, make_event) -> None:
    """In-process queues only spare write conflicts; the database transaction is what keeps the count."""
    created = (
        await client.post("/cities/lublin/events", json=make_event(capacity=20), headers=editor)
    ).json()
    url = f"/cities/lublin/events/{created['id']}/registrations"
    body = {"occurrence": created["occurrences"][0]["occurrence"]}
    async with serve(create_app(settings)) as other:
        await wait_until(
            lambda: app_state(other).runtime.cities.get("lublin"), message="second replica knows Lublin"
        )
        responses = await asyncio.gather(
            *(replica.post(url, json=body) for _ in range(60) for replica in (client, other))
        )
    assert all(r.status_code == 201 for r in responses), {r.text for r in responses if r.status_code != 201}
    assert Counter(r.json()["status"] for r in responses) == {"confirmed": 20, "waitlisted": 100}
    slot = await state.registrations.slots.find_one({})
    assert (slot["confirmed"], slot["remaining"], slot["seq"]) == (20, 0, 120)
    seqs = [d["seq"] async for d in state.registrations.collection.find({})]
    assert sorted(seqs) == list(range(1, 121))  # one waitlist order, no gaps or repeats


async def test_cancelling_one_occurrence_cancels_only_its_registrations(
    client, editor, settings, state, make_event
) -> None:
    start = (datetime.now(UTC) + timedelta(days=10)).replace(
        tzinfo=None, hour=10, minute=0, second=0, microsecond=0
    )
    schedule = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "rrule": "FREQ=WEEKLY;COUNT=3",
    }
    weekly = make_event(capacity=5, schedule=schedule)
    event = (await client.post("/cities/lublin/events", json=weekly, headers=editor)).json()
    url = f"/cities/lublin/events/{event['id']}"
    first, second = event["occurrences"][0]["occurrence"], event["occurrences"][1]["occurrence"]
    registrations = f"{url}/registrations"
    keep = (
        await client.post(registrations, json={"occurrence": first, "subscriber": "s1"}, headers=device("s1"))
    ).json()
    lose = (
        await client.post(
            registrations, json={"occurrence": second, "subscriber": "s2"}, headers=device("s2")
        )
    ).json()
    assert (
        await client.patch(f"{url}/occurrences/{second}", json={"cancelled": True}, headers=editor)
    ).status_code == 200
    statuses = {d["_id"]: d["status"] async for d in state.registrations.collection.find({})}
    assert statuses == {keep["id"]: "confirmed", lose["id"]: "cancelled"}
    again = await client.post(f"{url}/registrations", json={"occurrence": second})
    assert again.json()["error"]["code"] == "occurrence_cancelled"
    await wait_until(lambda: _pending_is_zero(state), message="outbox drained")
    agenda = [json.loads(r.value) for r in await read_topic(settings.kafka, AGENDA_EVENTS, count=2)]
    cancelled = next(e for e in agenda if e["type"] == "agenda.event_cancelled")
    assert cancelled["data"]["occurrence"].startswith(second[:16])


async def test_a_registration_that_read_the_event_before_it_was_cancelled_is_refused(
    client, editor, state, make_event
) -> None:
    """The registration reads the event (published), the organiser cancels it, then the registration
    goes on to store its place: it must see the cancellation and take no place."""
    event = (await client.post("/cities/lublin/events", json=make_event(capacity=5), headers=editor)).json()
    url = f"/cities/lublin/events/{event['id']}"
    store = state.registrations
    checked, go_on = asyncio.Event(), asyncio.Event()
    ensure_slot = store._ensure_slot

    async def slot_after_cancellation(*args):
        checked.set()  # the event was read and found open
        await go_on.wait()
        await ensure_slot(*args)

    store._ensure_slot = slot_after_cancellation
    body = {"occurrence": event["occurrences"][0]["occurrence"]}
    registering = asyncio.create_task(client.post(f"{url}/registrations", json=body))
    await asyncio.wait_for(checked.wait(), 10)
    assert (await client.post(f"{url}/cancel", headers=editor)).status_code == 204
    go_on.set()
    answer = await registering
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "event_not_open"
    live = await store.collection.count_documents({"event_id": event["id"], "status": {"$ne": "cancelled"}})
    assert live == 0


async def test_cancelling_while_people_register_leaves_nobody_registered(
    client, editor, state, make_event
) -> None:
    """Registrations and the cancellation race for real: whatever order the database commits them in,
    no place is held on the cancelled event, and everyone told 201 was cancelled afterwards."""
    for _ in range(3):
        event = (
            await client.post("/cities/lublin/events", json=make_event(capacity=100), headers=editor)
        ).json()
        url = f"/cities/lublin/events/{event['id']}"
        body = {"occurrence": event["occurrences"][0]["occurrence"]}
        registering = [client.post(f"{url}/registrations", json=body) for _ in range(40)]
        answers = await asyncio.gather(
            *registering[:20], client.post(f"{url}/cancel", headers=editor), *registering[20:]
        )
        cancel = answers.pop(20)
        assert cancel.status_code == 204
        assert {a.status_code for a in answers} <= {201, 409}
        stored = {
            d["_id"]: d["status"]
            async for d in state.registrations.collection.find({"event_id": event["id"]})
        }
        accepted = {a.json()["id"] for a in answers if a.status_code == 201}
        assert set(stored) == accepted and set(stored.values()) <= {"cancelled"}


async def test_one_index_serves_an_events_registrations_and_a_slots_waitlist(state) -> None:
    """Every index is a write per registration: a database indexed as before is brought to the one
    `by_slot` index (by two replicas starting at once, neither failing on what the other dropped), and
    the waitlist's query names the event so that index finds it."""
    registrations = state.registrations
    await registrations.collection.drop_index("by_key")
    await registrations.collection.create_index(
        [("idempotency", 1)],
        name="idempotency",
        unique=True,
        partialFilterExpression={"idempotency": {"$exists": True}},
    )
    await registrations.collection.create_index([("slot", 1), ("status", 1), ("seq", 1)], name="waitlist")
    await registrations.collection.create_index([("event_id", 1), ("status", 1)], name="by_event")
    await asyncio.gather(registrations.ensure_indexes(), registrations.ensure_indexes())  # two replicas
    indexes = await registrations.collection.index_information()
    assert "waitlist" not in indexes and "by_event" not in indexes and "idempotency" not in indexes
    assert indexes["by_slot"]["key"] == [("event_id", 1), ("slot", 1), ("status", 1), ("seq", 1)]
    assert set(indexes) == {"_id_", "by_slot", "mine", "retention", "by_key"}
    slot = slot_key("0b1c2d", datetime(2030, 5, 4, 10, tzinfo=UTC))
    assert waiting_in(slot) == {"event_id": "0b1c2d", "slot": slot, "status": "waitlisted"}


async def test_a_resent_registration_is_found_through_an_index(state) -> None:
    """Each registration sent with an Idempotency-Key first looks for the key among the stored ones;
    the development database never plans a query on a partial index, so the key's index is a sparse
    one, which it uses (a partial one made every registration scan all of them)."""
    await state.registrations.ensure_indexes()
    explained = await state.registrations.collection.database.command(
        "explain",
        {"find": "registrations", "filter": {"idempotency": {"$in": ["a", "b"]}}},
        verbosity="queryPlanner",
    )
    plan = str(explained["queryPlanner"]["winningPlan"])
    assert "IXSCAN" in plan and "COLLSCAN" not in plan


async def test_registering_for_many_occurrences_of_one_event_at_once_never_runs_a_transaction_twice(
    client, editor, state, make_event
) -> None:
    """Each registering transaction writes its event's document, so two for different occurrences of
    one event conflict in the database, which then makes one start over; the service lets one at a
    time through per event instead."""
    start = (datetime.now(UTC) + timedelta(days=10)).replace(tzinfo=None, hour=10, minute=0, second=0)
    schedule = {
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "rrule": "FREQ=DAILY;COUNT=8",
    }
    event = (
        await client.post(
            "/cities/lublin/events", json=make_event(capacity=10, schedule=schedule), headers=editor
        )
    ).json()
    occurrences = [o["occurrence"] for o in event["occurrences"]]
    assert len(occurrences) == 8

    store = state.registrations
    transaction, runs, transactions = store.outbox.transaction, [], []

    async def counted(work):
        async def run(session):
            runs.append(1)
            return await work(session)

        transactions.append(1)
        return await transaction(run)

    store.outbox.transaction = counted
    try:
        url = f"/cities/lublin/events/{event['id']}/registrations"
        responses = await asyncio.gather(
            *(
                client.post(url, json={"occurrence": occurrences[i % 8], "contact": {"name": f"p{i}"}})
                for i in range(80)
            )
        )
    finally:
        store.outbox.transaction = transaction
    assert [r.status_code for r in responses] == [201] * 80
    assert len(runs) == len(transactions), f"{len(runs) - len(transactions)} transactions ran again"
    counters = await store.slots.find({"event_id": event["id"]}).to_list()
    assert sorted((c["confirmed"], c["remaining"]) for c in counters) == [(10, 0)] * 8
