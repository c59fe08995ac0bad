"""Fixtures for the ask service: a running app that knows Lublin and its topics from `city.config`, a
clock tests can move, and helpers that act as a migrant and as counsellors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from witaj.ask.main import create_app
from witaj.ask.settings import AskSettings
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import read_topic, serve, wait_until
from witaj.shared.envelope import registry
from witaj.shared.events import CityConfig, Topic
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.topics import ASK_QUESTIONS

LUBLIN = CityConfig(
    id="lublin",
    name="Lublin",
    country="PL",
    timezone="Europe/Warsaw",
    default_language="pl",
    languages=["pl", "en", "uk", "ar"],
)
GDANSK = LUBLIN.model_copy(update={"id": "gdansk", "name": "Gdańsk"})
TOPICS = [
    Topic(id="health", labels={"en": "Health"}),
    Topic(id="health-insurance", parent="health", labels={"en": "Health insurance"}),
    Topic(id="housing", labels={"en": "Housing"}),
    Topic(id="work", labels={"en": "Work"}),
]


class Clock:
    """Now, or later: retention tests move it forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(make_settings: Callable[..., AskSettings]) -> AskSettings:
    return make_settings(AskSettings)


async def running(settings: AskSettings, clock: Clock, *cities: CityConfig) -> Any:
    app = create_app(settings, clock=clock)
    for config in cities:
        await announce_city(settings.kafka, config, topics=TOPICS)
    return app


@pytest.fixture
async def client(settings: AskSettings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    app = await running(settings, clock, LUBLIN, GDANSK)
    async with serve(app) as http:
        runtime = app.state.runtime
        await wait_until(
            lambda: (
                runtime.cities.get("lublin")
                and runtime.cities.get("gdansk")
                and runtime.cities.topics("lublin")
            ),
            timeout=30,
            message="the cities and their topics in the catalog",
        )
        yield http


class Migrant:
    """Asks and follows up with the question's token, the way the migrant app would."""

    def __init__(self, client: httpx.AsyncClient, city: str = "lublin") -> None:
        self.client = client
        self.city = city
        self.token = ""
        self.id = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Question-Token": self.token}

    async def ask(
        self, text: str = "Jak dostać ubezpieczenie?", headers: dict[str, str] | None = None, **body: Any
    ) -> dict[str, Any]:
        payload = {"text": text, "language": "pl", **body}
        response = await self.client.post(f"/cities/{self.city}/questions", json=payload, headers=headers)
        assert response.status_code == 201, response.text
        created = response.json()
        self.token, self.id = created["token"], created["id"]
        return created  # type: ignore[no-any-return]

    async def send(self) -> dict[str, Any]:
        response = await self.client.post(
            f"/cities/{self.city}/questions/{self.id}/send", headers=self.headers
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def thread(self) -> httpx.Response:
        return await self.client.get(f"/cities/{self.city}/questions/{self.id}", headers=self.headers)


class Counsellor:
    """A counsellor of an organisation, working through the back office's API."""

    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], city: str = "lublin") -> None:
        self.client = client
        self.headers = headers
        self.base = f"/cities/{city}/counselling"

    async def profile(self, languages: list[str], topics: list[str] | None = None) -> None:
        body = {"languages": languages, "topics": topics or []}
        response = await self.client.put(f"{self.base}/profile", json=body, headers=self.headers)
        assert response.status_code == 200, response.text

    async def queue(self, **params: Any) -> list[str]:
        response = await self.client.get(f"{self.base}/queue", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return [q["id"] for q in response.json()["items"]]

    async def get(self, question: str) -> httpx.Response:
        return await self.client.get(f"{self.base}/questions/{question}", headers=self.headers)

    async def post(self, question: str, what: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(
            f"{self.base}/questions/{question}/{what}", json=body, headers=self.headers
        )

    async def answer(self, question: str, text: str = "Zgłoś się do NFZ.", **body: Any) -> dict[str, Any]:
        response = await self.post(question, "messages", {"kind": "answer", "text": text, **body})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def migrant(client: httpx.AsyncClient) -> Migrant:
    return Migrant(client)


@pytest.fixture
def counsellor_of(
    client: httpx.AsyncClient, auth_header: Callable[..., dict[str, str]]
) -> Callable[..., Counsellor]:
    def make(
        org: str = "caritas", role: str = "counsellor", city: str = "lublin", **claims: Any
    ) -> Counsellor:
        return Counsellor(client, auth_header(role, city=city, org=org, **claims), "lublin")

    return make


async def ask_events(settings: AskSettings, count: int) -> list[Any]:
    """The events on `ask.questions` so far (at least `count`), decoded, with their raw bytes."""
    records = await read_topic(settings.kafka, ASK_QUESTIONS, count=count)
    return [(registry.decode(r.value), r.value) for r in records]


FEATURES_WITHOUT_QUESTIONS = sorted(f for f in DEFAULT_FEATURES if f.value != "questions")
