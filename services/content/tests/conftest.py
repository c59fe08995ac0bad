"""Shared helpers for the content service tests: a city, an app, and item creation through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.devkit.testing import serve, wait_until

CITY = {
    "id": "gdansk",
    "name": "Gdańsk",
    "country": "PL",
    "timezone": "Europe/Warsaw",
    "default_language": "pl",
    "languages": ["pl", "en", "uk", "ru", "ar", "de", "es", "it", "nl", "zh", "fa", "ur"],
    "fallbacks": {"uk": ["pl", "en"], "*": ["en", "pl"]},
}

PAGE = {
    "title": "Mieszkanie na wynajem",
    "summary": "Jak wynająć mieszkanie w Gdańsku",
    "body": "Umowa najmu powinna być **na piśmie**. Zapytaj o kaucję.",
    "topics": ["housing"],
    "user_types": ["worker"],
}


@pytest.fixture
def settings(make_settings: Callable[..., ContentSettings]) -> ContentSettings:
    # Joining a consumer group takes seconds on the test broker; only the dashboard test needs demand.
    return make_settings(ContentSettings, count_demand=False)


@pytest.fixture
async def client(
    settings: ContentSettings, auth_header: Callable[..., dict[str, str]]
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(create_app(settings)) as http:
        created = await http.post("/cities", json=CITY, headers=auth_header("platform_admin"))
        assert created.status_code == 201, created.text
        runtime = http._transport.app.state.runtime  # type: ignore[attr-defined]
        await wait_until(lambda: runtime.cities.get(CITY["id"]), message="the city in the catalog")
        yield http


@pytest.fixture
def editor(auth_header: Callable[..., dict[str, str]]) -> dict[str, str]:
    return auth_header("pa_editor", city=CITY["id"], org="city-hall")


class ContentApi:
    """Drives the workbench the way an editor would; tests get it as the `api` fixture."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], city: str = CITY["id"]) -> None:
        self.client = client
        self.headers = headers
        self.city = city

    async def create(self, kind_path: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"/cities/{self.city}/workbench/{kind_path}",
            json={"content": content, **extra},
            headers=self.headers,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def publish(self, item_id: str) -> dict[str, Any]:
        base = f"/cities/{self.city}/workbench/items/{item_id}/status"
        for status in ("in_review", "published"):
            response = await self.client.post(base, json={"status": status}, headers=self.headers)
            assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def translate(self, item_id: str, language: str, fields: dict[str, str]) -> dict[str, Any]:
        """Take a translation through draft, translated, reviewed and published."""
        base = f"/cities/{self.city}/workbench/items/{item_id}/translations/{language}"
        response = await self.client.put(
            base, json={"state": "draft", "fields": fields}, headers=self.headers
        )
        assert response.status_code == 200, response.text
        for state in ("translated", "reviewed", "published"):
            response = await self.client.put(base, json={"state": state}, headers=self.headers)
            assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def published(self, kind_path: str, content: dict[str, Any], **translations: dict[str, str]) -> str:
        item = await self.create(kind_path, content)
        await self.publish(item["id"])
        for language, fields in translations.items():
            await self.translate(item["id"], language, fields)
        return str(item["id"])


@pytest.fixture
def api(client: httpx.AsyncClient, editor: dict[str, str]) -> ContentApi:
    return ContentApi(client, editor)
