"""Events and courses over HTTP: creation through the outbox, who may edit, bad input, listing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from witaj.devkit.cities import announce_city
from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import wrap
from witaj.shared.events import Feature, Topic, TopicTreeChanged
from witaj.shared.events.cities import DEFAULT_FEATURES
from witaj.shared.kafka import EventPublisher
from witaj.shared.topics import AGENDA_EVENTS, CITY_CONFIG, USAGE

from .conftest import LUBLIN, app_state

SOON = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)


async def test_created_event_is_readable_and_announced(client, editor, settings, make_event) -> None:
    response = await client.post("/cities/lublin/events", json=make_event(), headers=editor)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["organisation"] == "org-1" and created["status"] == "published"
    assert len(created["occurrences"]) == 1

    read = (await client.get(f"/cities/lublin/events/{created['id']}")).json()
    assert read["texts"]["title"] == "Warsztaty CV" and read["place"]["location"] == {
        "lat": 51.2465,
        "lng": 22.5684,
    }

    [record] = await read_topic(settings.kafka, AGENDA_EVENTS, count=1)
    event = json.loads(record.value)
    assert event["type"] == "agenda.event_published" and event["data"]["event_id"] == created["id"]
    assert event["city"] == "lublin" and record.key == created["id"].encode()

    # Reading it sends a pseudonymous usage signal, without blocking the response.
    [viewed] = await read_topic(settings.kafka, USAGE, count=1)
    usage = json.loads(viewed.value)
    assert usage["type"] == "usage.event_viewed" and usage["data"]["event_id"] == created["id"]
    assert usage["data"]["language"] == "pl" and usage["data"]["organisation"] == "org-1"


@pytest.mark.parametrize(
    ("roles", "city", "org", "body_org", "status"),
    [
        ((), None, None, None, 401),
        (("migrant",), "lublin", None, None, 403),
        (("translator",), "lublin", "org-1", None, 403),
        (("ngo_editor",), "krakow", "org-1", None, 403),
        (("ngo_editor",), "lublin", None, None, 403),
        (("ngo_editor",), "lublin", "org-1", "org-2", 403),
        (("ngo_editor",), "lublin", "org-1", None, 201),
        (("pa_editor",), "lublin", "city-hall", None, 201),
        (("city_admin",), "lublin", None, None, 422),
        (("city_admin",), "lublin", None, "org-2", 201),
        (("platform_admin",), None, None, "org-3", 201),
    ],
)
async def test_who_may_create_events(
    client, auth_header, state, make_event, roles, city, org, body_org, status
) -> None:
    headers = auth_header(*roles, city=city, org=org) if roles else {}
    body = make_event(**({"organisation": body_org} if body_org else {}))
    response = await client.post("/cities/lublin/events", json=body, headers=headers)
    assert response.status_code == status, response.text
    stored = await state.events.collection.count_documents({})
    assert stored == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["organisation"] == (body_org or org)
    else:
        assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("roles", "city", "org", "status"),
    [
        (("ngo_editor",), "lublin", "org-1", 200),
        (("ngo_editor",), "lublin", "org-2", 403),
        (("pa_editor",), "lublin", "org-2", 403),
        (("ngo_editor",), "krakow", "org-1", 403),
        (("translator",), "lublin", "org-1", 403),
        (("city_admin",), "lublin", None, 200),
        (("city_admin",), "krakow", None, 403),
    ],
)
async def test_only_the_organiser_or_city_admins_edit_and_cancel(
    client, editor, auth_header, make_event, roles, city, org, status
) -> None:
    event = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    headers = auth_header(*roles, city=city, org=org)
    changed = make_event(texts={"title": "Nowy tytuł"})
    edit = await client.put(f"/cities/lublin/events/{event['id']}", json=changed, headers=headers)
    assert edit.status_code == status, edit.text
    cancel = await client.post(f"/cities/lublin/events/{event['id']}/cancel", headers=headers)
    assert cancel.status_code == (204 if status == 200 else 403)
    after = (await client.get(f"/cities/lublin/events/{event['id']}", headers=editor)).json()
    assert after["texts"]["title"] == ("Nowy tytuł" if status == 200 else "Warsztaty CV")
    assert after["status"] == ("cancelled" if status == 200 else "published")


def _schedule(start, hours=2, **extra):
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat(), **extra}


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"schedule": _schedule(SOON, hours=-1)}, 422, "invalid_schedule"),
        ({"schedule": _schedule(SOON, rrule="FREQ=SOMETIMES")}, 422, "invalid_schedule"),
        ({"schedule": _schedule(SOON, rrule="FREQ=WEEKLY;BYDAY=XX")}, 422, "invalid_schedule"),
        ({"schedule": _schedule(SOON, rrule="FREQ=MINUTELY")}, 422, "invalid_schedule"),
        ({"schedule": _schedule(SOON, rrule="FREQ=DAILY;COUNT=5000")}, 422, "invalid_schedule"),
        ({"schedule": _schedule(SOON, timezone="Mars/Olympus")}, 422, "invalid_schedule"),
        ({"kind": "rave"}, 422, "validation_failed"),
        ({"cost": {"free": False}}, 422, "validation_failed"),
        ({"place": {}}, 422, "validation_failed"),
        ({"topics": ["t"] * 21}, 422, "validation_failed"),
        ({"texts": {"title": "x" * 201}}, 422, "validation_failed"),
        ({"languages_of_instruction": ["xx"]}, 422, "validation_failed"),
        ({"capacity": 0}, 422, "validation_failed"),
    ],
)
async def test_bad_events_are_refused_and_nothing_is_written(
    client, editor, state, make_event, change, status, code
) -> None:
    response = await client.post("/cities/lublin/events", json=make_event(**change), headers=editor)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert await state.events.collection.count_documents({}) == 0
    assert await state.runtime.outbox.collection.count_documents({}) == 0


async def test_unknown_city_and_event_are_clear_404s(client, editor, make_event) -> None:
    assert (await client.post("/cities/atlantis/events", json=make_event(), headers=editor)).json()["error"][
        "code"
    ] == "city_not_found"
    assert (await client.get("/cities/lublin/events/nope")).status_code == 404


async def test_capacity_cannot_drop_below_current_registrations(client, editor, state, make_event) -> None:
    event = (await client.post("/cities/lublin/events", json=make_event(capacity=3), headers=editor)).json()
    occurrence = event["occurrences"][0]["occurrence"]
    for _ in range(3):
        await client.post(
            f"/cities/lublin/events/{event['id']}/registrations", json={"occurrence": occurrence}
        )
    before = await state.runtime.outbox.collection.count_documents({})
    response = await client.put(
        f"/cities/lublin/events/{event['id']}",
        json=make_event(capacity=2, texts={"title": "Inny"}),
        headers=editor,
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "capacity_below_registrations"
    stored = await state.events.collection.find_one({"_id": event["id"]})
    assert stored["capacity"] == 3 and stored["texts"]["title"] == "Warsztaty CV" and stored["revision"] == 1
    assert await state.runtime.outbox.collection.count_documents({}) == before


async def test_events_carry_only_topics_of_the_city_tree_and_known_target_groups(
    client, editor, settings, make_event
) -> None:
    tree = [Topic(id=t, labels={"en": t}) for t in ("work", "housing", "culture")]
    async with EventPublisher(settings.kafka) as publisher:
        changed = wrap(
            TopicTreeChanged(topics=tree, revision=1), source="test", city="lublin", subject="lublin"
        )
        await publisher.publish(CITY_CONFIG, changed, key=b"lublin/topics")
    runtime = app_state(client).runtime
    await wait_until(lambda: runtime.cities.topics("lublin"), message="the topic tree to arrive")

    refused = await client.post(
        "/cities/lublin/events", json=make_event(topics=["work", "astrology"]), headers=editor
    )
    assert refused.status_code == 422
    assert (
        refused.json()["error"]["code"] == "unknown_topic"
        and "'astrology'" in refused.json()["error"]["message"]
    )
    groups = await client.post(
        "/cities/lublin/events", json=make_event(target_groups=["refugees"]), headers=editor
    )
    assert groups.status_code == 422 and "target_groups" in groups.text
    assert (
        await client.post("/cities/lublin/events", json=make_event(topics=["culture"]), headers=editor)
    ).status_code == 201


async def _switch(client, settings, revision: int, *off: Feature) -> None:
    """Lublin's admin switches features off; the events service's copy of the configuration follows."""
    config = LUBLIN.model_copy(update={"features": sorted(DEFAULT_FEATURES - set(off))})
    await announce_city(settings.kafka, config, revision=revision, runtime=app_state(client).runtime)


def _switched_off(response, feature: str) -> bool:
    error = response.json()["error"]
    return response.status_code == 404 and error["code"] == "feature_disabled" and feature in error["message"]


async def test_a_city_without_events_has_no_events_routes(client, editor, settings, make_event) -> None:
    event = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    await _switch(client, settings, 2, Feature.EVENTS)
    base = "/cities/lublin"
    answers = [
        await client.get(f"{base}/events"),
        await client.get(f"{base}/events/{event['id']}"),
        await client.get(f"{base}/events.ics"),
        await client.post(f"{base}/events", json=make_event(), headers=editor),
        await client.post(f"{base}/events/{event['id']}/cancel", headers=editor),
        await client.post(
            f"{base}/events/{event['id']}/registrations",
            json={"occurrence": event["occurrences"][0]["occurrence"]},
        ),
    ]
    assert all(_switched_off(answer, "events") for answer in answers), [a.text for a in answers]
    await _switch(client, settings, 3)
    assert (await client.get(f"{base}/events/{event['id']}")).status_code == 200


async def test_a_city_without_registration_takes_none(client, editor, settings, make_event) -> None:
    event = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    url = f"/cities/lublin/events/{event['id']}/registrations"
    body = {"occurrence": event["occurrences"][0]["occurrence"]}
    assert (await client.post(url, json=body)).status_code == 201
    await _switch(client, settings, 2, Feature.REGISTRATION)
    assert _switched_off(await client.post(url, json=body), "registration")
    assert (await client.get(f"/cities/lublin/events/{event['id']}")).status_code == 200
    listed = await client.get(url, headers=editor)  # the organiser still sees who registered before
    assert listed.status_code == 200 and listed.json()["total"] == 1
