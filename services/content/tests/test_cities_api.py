"""City configuration: who may change it, optimistic concurrency, and the copy other services keep."""

from __future__ import annotations

import pytest
from witaj.content.main import create_app as content_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve, wait_until
from witaj.events.main import create_app as events_app
from witaj.events.settings import EventsSettings

KRAKOW = {
    "id": "krakow",
    "name": "Kraków",
    "country": "PL",
    "timezone": "Europe/Warsaw",
    "default_language": "pl",
    "languages": ["pl", "en", "uk"],
    "fallbacks": {"uk": ["pl", "en"]},
}


@pytest.fixture
def settings(make_settings) -> ContentSettings:
    return make_settings(ContentSettings, count_demand=False)


@pytest.mark.parametrize(
    ("roles", "city", "status"),
    [
        ((), None, 401),
        (("migrant",), None, 403),
        (("pa_editor",), "krakow", 403),
        (("city_admin",), "lublin", 403),
        (("city_admin",), "krakow", 201),
        (("platform_admin",), None, 201),
    ],
)
async def test_only_admins_of_the_city_may_create_it(settings, auth_header, roles, city, status) -> None:
    headers = auth_header(*roles, city=city) if roles else {}
    async with serve(content_app(settings)) as client:
        response = await client.post("/cities", json=KRAKOW, headers=headers)
        assert response.status_code == status, response.text
        if status >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
            assert (await client.get("/cities/krakow")).status_code == 404


async def test_update_needs_the_current_revision_and_publishes_a_snapshot(settings, auth_header) -> None:
    admin = auth_header("platform_admin")
    async with serve(content_app(settings)) as client:
        assert (await client.post("/cities", json=KRAKOW, headers=admin)).status_code == 201
        assert (await client.post("/cities", json=KRAKOW, headers=admin)).json()["error"][
            "code"
        ] == "city_exists"
        current = await client.get("/cities/krakow")
        etag = current.headers["ETag"]

        changed = {**KRAKOW, "languages": ["pl", "en", "uk", "ar"]}
        ok = await client.put("/cities/krakow", json=changed, headers={**admin, "If-Match": etag})
        assert ok.status_code == 200 and ok.headers["ETag"] != etag
        stale = await client.put("/cities/krakow", json=changed, headers={**admin, "If-Match": etag})
        assert stale.status_code == 412 and stale.json()["error"]["code"] == "revision_mismatch"
        wrong = await client.put("/cities/lublin", json=changed, headers=admin)
        assert wrong.status_code == 422

        # The replica that wrote answers with the change at once (its copy of the cities is updated by
        # the write itself, not only when the event comes back from the broker).
        runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
        city = runtime.cities.get("krakow")
        assert city is not None and "ar" in city.languages
        topics = await client.get("/cities/krakow/topics", params={"lang": "ar"})
        assert topics.status_code == 200 and topics.json()["language"] == "ar"


@pytest.mark.parametrize(
    "body",
    [
        {**KRAKOW, "languages": ["pl", "xx"]},
        {**KRAKOW, "default_language": "de"},
        {**KRAKOW, "timezone": "Mars/Olympus"},
        {**KRAKOW, "id": "Kraków!"},
        {**KRAKOW, "fallbacks": {"uk": ["tlh"]}},
    ],
)
async def test_invalid_city_configuration_is_refused_clearly(settings, auth_header, body) -> None:
    async with serve(content_app(settings)) as client:
        response = await client.post("/cities", json=body, headers=auth_header("platform_admin"))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "validation_failed" and error["message"] and error["details"]


async def test_other_services_keep_their_own_copy_of_the_city(make_settings, auth_header) -> None:
    content = make_settings(ContentSettings, count_demand=False)
    events = make_settings(EventsSettings)
    assert events.mongo.database != content.mongo.database
    async with serve(content_app(content)) as writer, serve(events_app(events)) as reader:
        assert (
            await writer.post("/cities", json=KRAKOW, headers=auth_header("platform_admin"))
        ).status_code == 201
        runtime = reader._transport.app.state.runtime  # type: ignore[attr-defined]
        city = await wait_until(
            lambda: runtime.cities.get("krakow"), message="events service copy of the city"
        )
        assert city.name == "Kraków"
        # The copy is persisted in the events service's own database, so it survives a restart.
        stored = await runtime.db["city_configs"].find_one({"_id": "krakow"})
        assert stored is not None
