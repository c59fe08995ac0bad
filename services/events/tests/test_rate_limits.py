"""Registering and cancelling need no account, so each caller may only do it at a person's pace."""

from __future__ import annotations

from witaj.devkit.cities import announce_city
from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app
from witaj.events.registration_api import CANCELLING, REGISTERING
from witaj.events.settings import EventsSettings

from .conftest import LUBLIN, app_state, event_body


async def test_a_burst_of_registrations_from_one_caller_is_refused_and_stores_nothing(
    make_settings, editor
) -> None:
    settings = make_settings(EventsSettings)
    assert settings.service.rate_limits, "limits are on unless an operator turns them off"
    async with serve(create_app(settings)) as client:
        await announce_city(settings.kafka, LUBLIN)
        runtime = app_state(client).runtime
        await wait_until(lambda: runtime.cities.get("lublin"), message="the events service to learn Lublin")
        event = (
            await client.post("/cities/lublin/events", json=event_body(capacity=100), headers=editor)
        ).json()
        url = f"/cities/lublin/events/{event['id']}/registrations"
        body = {"occurrence": event["occurrences"][0]["occurrence"]}

        answers = [await client.post(url, json=body) for _ in range(REGISTERING.burst + 3)]
        statuses = [a.status_code for a in answers]
        assert statuses == [201] * REGISTERING.burst + [429] * 3
        refused = answers[-1]
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) >= 1
        assert "try again" in refused.json()["error"]["message"]

        stored = await app_state(client).events.registrations.collection.count_documents(
            {"event_id": event["id"]}
        )
        assert stored == REGISTERING.burst


async def test_cancelling_is_limited_so_tokens_cannot_be_guessed_quickly(make_settings) -> None:
    settings = make_settings(EventsSettings)
    async with serve(create_app(settings)) as client:
        await announce_city(settings.kafka, LUBLIN)
        runtime = app_state(client).runtime
        await wait_until(lambda: runtime.cities.get("lublin"), message="the events service to learn Lublin")
        guesses = [
            await client.delete(
                "/cities/lublin/registrations/r-unknown", headers={"X-Registration-Token": "x" * 32}
            )
            for _ in range(CANCELLING.burst + 1)
        ]
        assert guesses[-1].status_code == 429
        assert all(g.status_code != 429 for g in guesses[:-1])
