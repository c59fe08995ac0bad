"""Anonymous writes are limited per caller, and usage signals never hold up a reader's response."""

from __future__ import annotations

import asyncio

import pytest
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import read_topic
from witaj.shared.envelope import registry
from witaj.shared.ratelimit import PUBLIC_WRITE
from witaj.shared.settings import LimitSettings
from witaj.shared.topics import USAGE

from .conftest import CITY, PAGE

BASE = f"/cities/{CITY['id']}"
BURST = 3


@pytest.fixture
def settings(make_settings) -> ContentSettings:
    return make_settings(
        ContentSettings, count_demand=False, feedback_limit=LimitSettings(per_minute=1, burst=BURST)
    )


async def test_a_burst_of_feedback_beyond_the_limit_gets_429_and_stores_nothing(client, api) -> None:
    item = await api.published("pages", PAGE)
    url = f"{BASE}/pages/{item}/feedback"
    answers = [await client.post(url, json={"language": "pl", "helpful": True}) for _ in range(BURST + 2)]
    assert [a.status_code for a in answers] == [202] * BURST + [429, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["error"]["code"] == "rate_limited"
    # One token a minute: the next one is about a minute away, and the header says so.
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["details"]["retry_after_seconds"] == int(refused.headers["Retry-After"])

    state = client._transport.app.state.content
    assert await state.feedback.count_documents({"item_id": item}) == BURST
    staged = await state.runtime.outbox.collection.count_documents({"type": "content.feedback_submitted"})
    assert staged == BURST
    scores = (await client.get(f"{BASE}/workbench/feedback", headers=api.headers)).json()
    assert [row["helpful"] for row in scores] == [BURST]


async def test_the_feedback_route_is_marked_as_a_public_write(client) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    route = paths["/cities/{city}/{kind_path}/{item_id}/feedback"]["post"]
    assert route[PUBLIC_WRITE] is True and "429" in route["responses"]


async def test_usage_events_are_queued_not_awaited(client, api, settings) -> None:
    item = await api.published("pages", PAGE)
    publisher = client._transport.app.state.runtime.publisher
    producer = publisher.producer
    acknowledge = asyncio.Event()
    send = producer.send

    async def unacknowledged(*args, **kwargs):
        await acknowledge.wait()  # a broker that does not answer until told to
        return await send(*args, **kwargs)

    producer.send = unacknowledged
    try:
        read = await asyncio.wait_for(client.get(f"{BASE}/pages/{item}"), timeout=5)
        found = await asyncio.wait_for(client.get(f"{BASE}/search", params={"q": "mieszkanie"}), timeout=5)
        assert read.status_code == 200 and found.status_code == 200
        assert found.json()["items"][0]["id"] == item
        assert publisher.usage_pending == 2  # both signals wait in the background
    finally:
        acknowledge.set()
        producer.send = send
    sent = [registry.decode(r.value).data for r in await read_topic(settings.kafka, USAGE, count=2)]
    assert {type(e).__name__ for e in sent} == {"PageViewed", "SearchPerformed"}
