"""What simulated users find in the demo city: pages in five languages and upcoming events, made through
the public APIs (as editors would make them) before a load run or a fault test starts.

Seeding goes through HTTP rather than the databases so that every item also travels the real way:
outbox, `content.items`, the reading cache, search and the notify fan-out.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

CITY = "lublin"
LANGUAGES = ("pl", "en", "uk", "ru", "ar")
TOPICS = ("housing", "work", "health", "education", "residence", "language")
WORDS = {
    "pl": "mieszkanie najem praca umowa lekarz przychodnia szkoła przedszkole urząd wniosek kurs rodzina",
    "en": "flat rent work contract doctor clinic school kindergarten office application course family",
    "uk": "квартира оренда робота договір лікар поліклініка школа садок установа заява курс родина",
    "ru": "квартира аренда работа договор врач поликлиника школа садик учреждение заявление курс семья",
    "ar": "شقة إيجار عمل عقد طبيب عيادة مدرسة روضة مكتب طلب دورة أسرة",
}
ORGANISATION = "lublin-city-office"


def words(language: str) -> list[str]:
    return WORDS[language].split()


def sentence(rng: random.Random, language: str, length: int) -> str:
    return " ".join(rng.choice(words(language)) for _ in range(length))


@dataclass
class Catalog:
    """Published pages (id -> topics) and bookable occurrences ((event id, occurrence or None))."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    occurrences: list[tuple[str, str | None]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


class Editor:
    """A city editor working through the content and events APIs."""

    def __init__(self, client: httpx.AsyncClient, content: str, events: str, token: str) -> None:
        self.client = client
        self.content = content
        self.events = events
        self.headers = {"Authorization": f"Bearer {token}"}

    async def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.request(method, url, headers=self.headers, **kwargs)
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {url}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else {}

    def page_body(self, rng: random.Random, title: str, topics: list[str]) -> dict[str, Any]:
        return {
            "content": {
                "title": title,
                "summary": sentence(rng, "pl", 12),
                "body": sentence(rng, "pl", 60),
                "topics": topics,
            },
            "organisation": ORGANISATION,
        }

    async def create_page(self, body: dict[str, Any]) -> str:
        doc = await self._send("POST", f"{self.content}/cities/{CITY}/workbench/pages", json=body)
        return str(doc["id"])

    async def translate(self, rng: random.Random, item: str, language: str) -> None:
        url = f"{self.content}/cities/{CITY}/workbench/items/{item}/translations/{language}"
        fields = {
            "title": sentence(rng, language, 4),
            "summary": sentence(rng, language, 12),
            "body": sentence(rng, language, 60),
        }
        await self._send("PUT", url, json={"state": "draft", "fields": fields})
        for state in ("translated", "reviewed", "published"):
            await self._send("PUT", url, json={"state": state})

    async def publish(self, item: str) -> None:
        url = f"{self.content}/cities/{CITY}/workbench/items/{item}/status"
        for status in ("in_review", "published"):
            await self._send("POST", url, json={"status": status})

    async def create_event(self, rng: random.Random, n: int) -> str:
        # Local time in the city, at least three days ahead: every occurrence still takes registrations.
        start = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        start += timedelta(days=3 + n % 20, hours=n % 9)
        weekly = n % 3 == 0
        body = {
            "kind": ("workshop", "language_course", "information_session", "counselling_hours")[n % 4],
            "organisation": ORGANISATION,
            "source_language": "pl",
            "texts": {"title": f"{sentence(rng, 'pl', 3)} {n}", "description": sentence(rng, "pl", 20)},
            "topics": [TOPICS[n % len(TOPICS)]],
            "target_groups": [],  # everyone
            "languages_of_instruction": ["pl", "uk", "en"],
            "place": {"address": "Rynek 1, 20-111 Lublin", "location": {"lat": 51.2478, "lng": 22.5681}},
            # Some small events fill up, so registrations also meet the waitlist.
            "capacity": (10, 40, None)[n % 3],
            "registration": {"required": True, "per": "occurrence"},
            "schedule": {
                "start": start.isoformat(),
                "end": (start + timedelta(hours=2)).isoformat(),
                **({"rrule": "FREQ=WEEKLY;COUNT=8"} if weekly else {}),
            },
        }
        doc = await self._send("POST", f"{self.events}/cities/{CITY}/events", json=body)
        return str(doc["id"])


async def seed(editor: Editor, *, pages: int, events: int, seed: int = 8, parallel: int = 6) -> Catalog:
    """Publish `pages` translated pages and `events` events; return what readers can now find."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample content, not secrets
    catalog = Catalog()
    gate = asyncio.Semaphore(parallel)

    async def one_page(n: int) -> None:
        topics = rng.sample(TOPICS, 2)
        async with gate:
            item = await editor.create_page(editor.page_body(rng, f"{sentence(rng, 'pl', 3)} {n}", topics))
            for language in LANGUAGES[1:]:
                await editor.translate(rng, item, language)
            await editor.publish(item)
        catalog.pages[item] = topics

    async def one_event(n: int) -> None:
        async with gate:
            catalog.events.append(await editor.create_event(rng, n))

    await asyncio.gather(*(one_page(n) for n in range(pages)), *(one_event(n) for n in range(events)))
    catalog.occurrences = await bookable(editor.client, editor.events, set(catalog.events))
    return catalog


async def bookable(client: httpx.AsyncClient, events: str, ours: set[str]) -> list[tuple[str, str | None]]:
    """Occurrences of `ours` (registration per occurrence) from the public listing, as readers find them."""
    found: list[tuple[str, str | None]] = []
    offset: int | None = 0
    start = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    while offset is not None:
        response = await client.get(
            f"{events}/cities/{CITY}/events", params={"from": start, "limit": 100, "offset": offset}
        )
        response.raise_for_status()
        body = response.json()
        for row in body["items"]:
            if row["event_id"] in ours and not row["cancelled"]:
                found.append((row["event_id"], row["occurrence"]))
        offset = body["next_offset"]
    return found
