"""Registration rules on fakes: places first come first served, the waitlist in order, promotion when a
place frees up, and the events that tell the registrants and the organisers.

`test_registrations.py` and `test_registration_concurrency.py` run the same store on the real broker
and database, with concurrent replicas.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from witaj.devkit.fakes import FakeDatabase, FakeInbox, FakeOutbox
from witaj.events import handlers
from witaj.events.documents import PUBLISHED
from witaj.events.registrations import RegistrationStore, slot_key
from witaj.events.schemas import RegistrationCreate
from witaj.shared.demand import Demand
from witaj.shared.envelope import wrap
from witaj.shared.errors import ApiError
from witaj.shared.events import (
    AgendaItemViewed,
    ContentKind,
    PageViewed,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
)
from witaj.shared.topics import AGENDA_REGISTRATIONS

pytestmark = pytest.mark.unit

CITY = "lublin"


@pytest.fixture
def outbox() -> FakeOutbox:
    return FakeOutbox(FakeDatabase())


@pytest.fixture
async def course(outbox: FakeOutbox) -> dict[str, Any]:
    """A published course registered for as a whole series, with two places."""
    doc = {
        "_id": "course1", "city": CITY, "organisation": "org", "status": PUBLISHED, "capacity": 2,
        "registration": {"per": "series"}, "last_end": datetime.now(UTC) + timedelta(days=30),
    }  # fmt: skip
    await outbox.db["events"].insert_one(doc)
    return doc


@pytest.fixture
def store(outbox: FakeOutbox) -> RegistrationStore:
    return RegistrationStore(outbox.db, outbox, retention=timedelta(days=30))  # type: ignore[arg-type]


async def register(
    store: RegistrationStore, course: dict[str, Any], who: str, **extra: Any
) -> dict[str, Any]:
    return await store.register(course, RegistrationCreate(), token=f"token-{who}", **extra)


def slot(outbox: FakeOutbox) -> dict[str, Any]:
    """The course's place counter."""
    return outbox.db["slots"].docs[slot_key("course1", None)]


def statuses(outbox: FakeOutbox) -> list[str]:
    by_seq = sorted(outbox.db["registrations"].docs.values(), key=lambda r: r["seq"])
    return [r["status"] for r in by_seq]


async def test_people_registering_at_once_create_the_place_counter_once(store, course, outbox) -> None:
    """The first moments of a popular course: everyone arrives before the counter exists, and they share
    one write creating it rather than each sending the same upsert."""
    writes = 0
    upsert = store.slots.update_one

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        await asyncio.sleep(0)  # still under way while the others arrive
        return await upsert(*args, **kwargs)

    store.slots.update_one = counted  # type: ignore[method-assign]
    await asyncio.gather(*(register(store, course, f"person-{n}") for n in range(20)))
    assert writes == 1
    assert statuses(outbox).count("confirmed") == 2 and len(statuses(outbox)) == 20


async def test_places_go_first_come_first_served_then_the_waitlist_in_order(store, course, outbox) -> None:
    for who in ("ana", "bo", "cy", "di"):
        await register(store, course, who)
    assert statuses(outbox) == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    created = outbox.events(RegistrationCreated, topic=AGENDA_REGISTRATIONS)
    assert [e.data.status.value for e in created] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert slot(outbox)["remaining"] == 0


async def test_a_cancelled_place_goes_to_the_first_on_the_waitlist_and_only_to_them(
    store, course, outbox
) -> None:
    first = await register(store, course, "ana")
    await register(store, course, "bo")
    third = await register(store, course, "cy")
    await register(store, course, "di")

    await store.cancel(first, by="registrant")
    [promoted] = outbox.events(RegistrationPromoted)
    assert promoted.data.registration_id == third["_id"]
    assert statuses(outbox) == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    assert slot(outbox)["remaining"] == 0  # the place was taken, not returned


async def test_cancelling_a_waitlisted_place_promotes_nobody_and_frees_nothing(store, course, outbox) -> None:
    await register(store, course, "ana")
    await register(store, course, "bo")
    waiting = await register(store, course, "cy")
    await store.cancel(waiting, by="registrant")
    assert outbox.events(RegistrationPromoted) == []
    [cancelled] = outbox.events(RegistrationCancelled)
    assert cancelled.data.previous_status.value == "waitlisted"
    assert slot(outbox)["remaining"] == 0


async def test_a_freed_place_nobody_waits_for_returns_to_the_course(store, course, outbox) -> None:
    first = await register(store, course, "ana")
    await store.cancel(first, by="registrant")
    assert slot(outbox)["remaining"] == 2
    with pytest.raises(ApiError) as again:
        await store.cancel(first, by="registrant")
    assert again.value.code == "already_cancelled"
    assert len(outbox.events(RegistrationCancelled)) == 1  # the refused cancellation announced nothing


async def test_more_places_promote_the_waitlist_and_fewer_than_booked_are_refused(
    store, course, outbox
) -> None:
    for who in ("ana", "bo", "cy", "di", "ed"):
        await register(store, course, who)
    await outbox.transaction(lambda session: store.check_capacity(session, course, 4))
    assert len(outbox.events(RegistrationPromoted)) == 2
    assert statuses(outbox) == ["confirmed"] * 4 + ["waitlisted"]

    with pytest.raises(ApiError) as refused:
        await outbox.transaction(lambda session: store.check_capacity(session, course, 3))
    assert refused.value.code == "capacity_below_registrations"
    assert slot(outbox)["capacity"] == 4  # the refused change left nothing behind


async def test_a_repeated_request_with_the_same_key_is_answered_with_the_same_registration(
    store, course, outbox
) -> None:
    first = await register(store, course, "ana", idempotency_key="k1")
    again = await register(store, course, "ana", idempotency_key="k1")
    assert again["_id"] == first["_id"]
    assert len(outbox.db["registrations"].docs) == 1
    assert slot(outbox)["remaining"] == 1


async def test_a_cancelled_course_takes_no_registrations(store, course, outbox) -> None:
    cancelled = {**course, "status": "cancelled"}
    with pytest.raises(ApiError) as refused:
        await store.register(cancelled, RegistrationCreate(), token="token-ana")
    assert refused.value.code == "event_not_open"
    assert outbox.db["registrations"].docs == {}


async def test_a_course_cancelled_while_a_registration_was_on_its_way_takes_it_not(
    store, course, outbox
) -> None:
    await outbox.db["events"].update_one({"_id": "course1"}, {"$set": {"status": "cancelled"}})
    with pytest.raises(ApiError) as refused:
        await register(store, course, "ana")  # the request was checked against the course as published
    assert refused.value.code == "event_not_open"
    assert outbox.db["registrations"].docs == {} and outbox.events() == []
    assert slot(outbox)["remaining"] == 2  # no place was taken


async def test_views_of_agenda_items_are_counted_and_page_views_are_not_the_services() -> None:
    db = FakeDatabase()
    demand = Demand(db, AgendaItemViewed, lambda view: view.event_id)  # type: ignore[arg-type]
    assert handlers.subscriptions(demand, counted=None) == []
    [counting] = handlers.subscriptions(demand, counted=FakeInbox(db, "demand"))
    viewed = AgendaItemViewed(event_id="course1", language="uk")
    await counting.handlers(wrap(viewed, source="witaj/test", city=CITY, subject="course1"))
    page = PageViewed(kind=ContentKind.PAGE, item_id="p1", language="uk")
    await counting.handlers(wrap(page, source="witaj/test", city=CITY, subject="p1"))
    assert {k: v["views"] for k, v in db["demand"].docs.items()} == {f"{CITY}:course1": 1}
