"""A surge of registrations on one replica held to a few places: every answer is either a registration
taken (201) or a polite refusal (503 with Retry-After, nothing written); every one taken is stored and
announced on Kafka exactly once, and the replica answers as usual as soon as the surge is over."""

from __future__ import annotations

import asyncio
import json

from witaj.devkit.cities import announce_city
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.events.main import create_app
from witaj.shared.topics import AGENDA_REGISTRATIONS

from .conftest import LUBLIN, app_state

SURGE = 200


async def test_a_surge_is_shed_politely_and_every_registration_taken_is_kept(
    settings, editor, make_event
) -> None:
    small = settings.service.model_copy(
        update={"max_in_flight": 4, "max_queued": 4, "queue_wait_seconds": 0.2}
    )
    async with serve(create_app(settings.model_copy(update={"service": small}))) as client:
        await announce_city(settings.kafka, LUBLIN)
        state = app_state(client).events
        await wait_until(lambda: state.runtime.cities.get("lublin"), message="the service to learn Lublin")
        created = await client.post("/cities/lublin/events", json=make_event(capacity=1000), headers=editor)
        assert created.status_code == 201, created.text
        event = created.json()
        url = f"/cities/lublin/events/{event['id']}/registrations"
        body = {"occurrence": event["occurrences"][0]["occurrence"]}

        answers = await asyncio.gather(*(client.post(url, json=body) for _ in range(SURGE)))

        taken = {a.json()["id"] for a in answers if a.status_code == 201}
        shed = [a for a in answers if a.status_code == 503]
        assert len(taken) + len(shed) == SURGE, {a.status_code for a in answers}
        assert taken and shed  # four places and four waiting cannot take two hundred at once
        for refusal in shed:
            assert refusal.headers["Retry-After"].isdigit()
            assert refusal.json()["error"]["code"] == "overloaded"

        # right after the surge the replica answers as usual
        after = await client.post(url, json=body)
        assert after.status_code == 201, after.text
        taken.add(after.json()["id"])
        assert (await client.get(f"/cities/lublin/events/{event['id']}")).status_code == 200

        stored = state.registrations.collection.find({"event_id": event["id"]}, {"_id": 1})
        assert {doc["_id"] async for doc in stored} == taken  # nothing taken is lost, nothing shed is kept
        await wait_until(
            lambda: _outbox_empty(state), timeout=30, message="every registration's event to be sent"
        )
        records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=len(taken), timeout=30)
        announced = [
            json.loads(r.value)["data"]["registration_id"]
            for r in records
            if b"registration_created" in r.value
        ]
        assert sorted(announced) == sorted(taken)


async def _outbox_empty(state) -> bool:
    return await state.runtime.outbox.pending_count() == 0
