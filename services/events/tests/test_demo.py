"""The demo agenda appears once Lublin is configured, and seeding twice changes nothing."""

from __future__ import annotations

from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app
from witaj.events.settings import EventsSettings
from witaj.shared.settings import Environment, ServiceSettings


async def test_demo_agenda_is_seeded_once_the_city_is_known(make_settings, announce) -> None:
    settings = make_settings(
        EventsSettings, service=ServiceSettings(environment=Environment.TEST, seed_demo=True)
    )
    async with serve(create_app(settings)) as client:
        state = client._transport.app.state
        assert await state.event_store.collection.count_documents({}) == 0
        await announce(settings.kafka)
        await wait_until(lambda: _count(state, 4), message="the four demo events")
        listed = (await client.get("/cities/lublin/events", params={"lang": "en", "limit": 100})).json()
        titles = {o["title"] for o in listed["items"]}
        assert {"Polish language course A1", "Counselling hour", "Residence permit: how to apply"} <= titles
    async with serve(create_app(settings)) as client:  # a restart seeds nothing new
        state = client._transport.app.state
        assert await state.event_store.collection.count_documents({}) == 4
        assert await state.runtime.outbox.collection.count_documents({}) == 4


async def _count(state, expected: int) -> bool:
    return await state.event_store.collection.count_documents({}) == expected
