"""What the insights' tests share: events produced to the platform's topics, as the services would send
them, for the stats processor to count (see the `stats_processor` fixture)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from witaj.devkit.cities import new_city
from witaj.devkit.testing import wait_until
from witaj.shared.envelope import Envelope, wrap
from witaj.shared.events import (
    AgendaItemPublished,
    Channel,
    ContentKind,
    NotificationDelivered,
    PageViewed,
    RegistrationCreated,
    RegistrationStatus,
    SearchPerformed,
)
from witaj.shared.kafka import EventPublisher
from witaj.shared.mongo import create_client, database
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS, NOTIFY_DELIVERIES, USAGE
from witaj.stats.settings import StatsSettings

CITY = "lublin"


def _wrap(data: Any, subject: str, at: datetime | None = None, city: str = CITY) -> Envelope[Any]:
    return wrap(data, source="witaj/test", city=city, subject=subject, time=at or datetime.now(UTC))


async def own_city(content_url: str, auth_header: Any) -> str:
    """A city of the test's own, for counts of people: a day's release is made once, when a page first
    asks for it, and never changes, so a test expecting its registrations on a day must be the first to
    ask for that day. In a city nobody else reads, it is."""
    return await asyncio.to_thread(new_city, content_url, auth_header("platform_admin"))


async def produce(settings: StatsSettings, topic: str, envelopes: list[Envelope[Any]]) -> None:
    async with EventPublisher(settings.kafka) as publisher:
        for envelope in envelopes:
            await publisher.publish(topic, envelope, key=envelope.city.encode())


def produce_now(settings: StatsSettings, topic: str, envelopes: list[Envelope[Any]]) -> None:
    """`produce` from a synchronous (browser) test, whose thread already runs Playwright's event loop."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(produce(settings, topic, envelopes))
        except BaseException as exc:  # reported in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive() and not failures, failures


def browser_sign_in(
    page: Any, web_url: str, provider: Any, role: str, *, city: str = CITY, next_page: str = ""
) -> None:
    """In a real browser, through the identity provider's page, coming back to `next_page`."""
    subject = f"{role}-{uuid.uuid4().hex[:6]}"
    provider.add_user(subject, roles=[role], city=city, name=f"Test {role.replace('_', ' ')}")
    target = next_page or f"/insights/{city}"
    page.goto(f"{web_url}/office/sign-in?next={target}")
    page.get_by_role("link", name="Sign in").click()
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{web_url}{target}")


def page_view(item: str, language: str = "uk", kind: ContentKind = ContentKind.PAGE) -> Envelope[Any]:
    return _wrap(PageViewed(kind=kind, item_id=item, language=language), item)


def search(
    query: str, language: str = "uk", results: int = 0, session: str | None = None, **where: Any
) -> Envelope[Any]:
    """A search in the city and at the time `where` gives (`city`, `at`), by default in Lublin now."""
    data = SearchPerformed(query=query, language=language, result_count=results, session=session)
    return _wrap(data, "search", **where)


def delivered(channel: Channel = Channel.INBOX) -> Envelope[Any]:
    data = NotificationDelivered(
        channel=channel, subscriber=uuid.uuid4().hex, source_event=uuid.uuid4().hex,
        source_type="content.published", language="uk",
    )  # fmt: skip
    return _wrap(data, "delivery")


def settled_day(days_ago: int) -> datetime:
    """A day whose counts of people are released (well past `privacy.release_after_hours`). Each test
    takes a day of its own that no page has shown before: a release, once made, never changes."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_ago)


def _registration(
    event: str, occurrence: datetime, organisation: str, status: RegistrationStatus, city: str
) -> Envelope[Any]:
    data = RegistrationCreated(
        registration_id=uuid.uuid4().hex, event_id=event, occurrence=occurrence,
        organisation=organisation, registrant=uuid.uuid4().hex, status=status,
    )  # fmt: skip
    return _wrap(data, event)


def _registration(
    event: str, occurrence: datetime, organisation: str, status: RegistrationStatus, city: str
) -> Envelope[Any]:
    data = RegistrationCreated(
        registration_id=uuid.uuid4().hex, event_id=event, occurrence=occurrence,
        organisation=organisation, registrant=uuid.uuid4().hex, status=status,
    )  # fmt: skip
    return _wrap(data, event, city=city)


async def registrations(
    settings: StatsSettings, event: str, occurrence: datetime, *, confirmed: int, waitlisted: int = 0,
    capacity: int | None = None, organisation: str = "caritas-lublin", city: str = CITY,
) -> None:  # fmt: skip
    """An event with `capacity` places and that many people registered for one occurrence of it."""
    published = AgendaItemPublished(
        event_id=event, revision=1, event_kind="workshop", organisation=organisation,
        capacity=capacity, next_start=occurrence, path=f"/events/{event}",
    )  # fmt: skip
    await produce(settings, AGENDA_EVENTS, [_wrap(published, event, city=city)])
    people = [RegistrationStatus.CONFIRMED] * confirmed + [RegistrationStatus.WAITLISTED] * waitlisted
    created = [_registration(event, occurrence, organisation, status, city) for status in people]
    await produce(settings, AGENDA_REGISTRATIONS, created)
    await wait_until(
        lambda: _people_counted(settings, event, confirmed + waitlisted, city), timeout=30,
        message=f"the processor to count the registrations for {event}",
    )  # fmt: skip


async def _people_counted(settings: StatsSettings, event: str, expected: int, city: str) -> bool:
    """Counts of people are released once per day and never change: a test reads a day only after the
    processor has counted everything for it, or the figures it expects are never published."""
    client = create_client(settings.mongo)
    try:
        doc = await database(client, settings.mongo)["people"].find_one({"city": city, "event": event})
    finally:
        await client.close()
    return doc is not None and doc.get("counts", {}).get("registrations", 0) >= expected


__all__ = ["NOTIFY_DELIVERIES", "USAGE"]


def square(west: float, south: float, size: float = 0.02) -> list[list[list[float]]]:
    return [
        [
            [west, south],
            [west + size, south],
            [west + size, south + size],
            [west, south + size],
            [west, south],
        ]
    ]


BOUNDARIES = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"id": district, "name": name},
         "geometry": {"type": "Polygon", "coordinates": square(22.50 + 0.02 * n, 51.22)}}
        for n, (district, name) in enumerate(
            (("srodmiescie", "Śródmieście"), ("czechow", "Czechów"), ("zemborzyce", "Zemborzyce"))
        )
    ],
}  # fmt: skip
BY_DISTRICT = """district,value,numerator,denominator
,10.7,215,2012
srodmiescie,50.0,2,4
czechow,11.7,118,1008
zemborzyce,9.5,95,1000
"""
