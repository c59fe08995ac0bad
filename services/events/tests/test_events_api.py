"""Events and courses over HTTP: creation through the outbox, who may edit, bad input, listing."""

from __future__ import annotations

import json

from witaj.devkit.testing import read_topic
from witaj.shared.topics import AGENDA_EVENTS


async def test_created_event_is_readable_and_announced(client, editor, settings, make_event) -> None:
    response = await client.post("/cities/lublin/events", json=make_event(), headers=editor)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["organisation"] == "org-1" and created["status"] == "published"
    assert len(created["occurrences"]) == 1

    read = (await client.get(f"/cities/lublin/events/{created['id']}")).json()
    assert read["texts"]["title"] == "Warsztaty CV" and read["place"]["location"] == {
        "lat": 51.2465,
        "lng": 22.5684,
    }

    [record] = await read_topic(settings.kafka, AGENDA_EVENTS, count=1)
    event = json.loads(record.value)
    assert event["type"] == "agenda.event_published" and event["data"]["event_id"] == created["id"]
    assert event["city"] == "lublin" and record.key == created["id"].encode()
