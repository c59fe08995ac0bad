"""Cities of a test's own, made the two ways Witaj learns of a city: a platform admin creates it at the
content API (which then announces it), or a test announces it on `city.config` as content would, for a
service tested without content. Unique ids keep tests apart."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from witaj.devkit.testing import wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import CityConfig, CityConfigured, Topic, TopicTreeChanged
from witaj.shared.kafka import EventPublisher
from witaj.shared.settings import KafkaSettings
from witaj.shared.topics import CITY_CONFIG


def new_city(
    content_url: str, admin: Mapping[str, str], *, prefix: str = "t", timeout: float = 20.0, **config: Any
) -> str:
    """A new city `<prefix><random>` created by a platform admin (`admin`: their auth header) at the
    content API, returned once the API serves it. `config` overrides the fields of a small Polish city
    (Polish and English, the first language the default); content's defaults fill the rest.

    Synchronous, so browser tests can call it; asynchronous tests run it with `asyncio.to_thread`."""
    city = f"{prefix}{uuid.uuid4().hex[:8]}"
    languages = config.get("languages", ["pl", "en"])
    body = {
        "id": city, "name": f"{prefix.capitalize()} {city}", "country": "PL", "timezone": "Europe/Warsaw",
        "languages": languages, "default_language": languages[0], **config,
    }  # fmt: skip
    with httpx.Client(base_url=content_url, timeout=timeout) as content:
        created = content.post("/cities", json=body, headers=dict(admin))
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + timeout
        while content.get(f"/cities/{city}/topics").status_code != 200:
            assert time.monotonic() < deadline, f"the content API never served the city {city}"
            time.sleep(0.05)
    return city


async def announce_city(
    to: EventPublisher | KafkaSettings,
    config: CityConfig,
    *,
    revision: int = 1,
    topics: list[Topic] | None = None,
    runtime: Any = None,
) -> None:
    """What the content service publishes when a city is configured: its configuration and, given
    `topics`, its topic tree, each at `revision`. With a service's `runtime`, returns once that service's
    copy of the city has the revision. `to`: a publisher the test holds, or the broker's settings."""
    if isinstance(to, KafkaSettings):
        async with EventPublisher(to) as publisher:
            await announce_city(publisher, config, revision=revision, topics=topics, runtime=runtime)
        return
    city = config.id
    snapshot = wrap(
        CityConfigured(config=config, revision=revision), source="witaj/content", city=city, subject=city
    )
    await to.publish(CITY_CONFIG, snapshot, key=city.encode())
    if topics is not None:
        tree = wrap(
            TopicTreeChanged(topics=topics, revision=revision),
            source="witaj/content",
            city=city,
            subject=city,
        )
        await to.publish(CITY_CONFIG, tree, key=f"{city}/topics".encode())
    if runtime is not None:
        await wait_until(
            lambda: runtime.cities.revision(city) >= revision, message=f"{city} at revision {revision}"
        )
        if topics is not None:
            await wait_until(lambda: runtime.cities.topics(city), message=f"{city}'s topic tree")
