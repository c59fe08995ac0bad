"""Registration by token, cancellation rights, attendance, event cancellation, retention erasure."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.outbox import encoded_events
from witaj.shared.subscriber_proof import account_key, device_key, verify
from witaj.shared.topics import AGENDA_EVENTS, AGENDA_REGISTRATIONS

from .conftest import device


async def _event(client, editor, make_event, **fields) -> tuple[dict, str]:
    event = (await client.post("/cities/lublin/events", json=make_event(**fields), headers=editor)).json()
    return event, f"/cities/lublin/events/{event['id']}/registrations"


async def test_a_person_sees_and_cancels_own_registrations_with_the_token(client, editor, make_event) -> None:
    event, url = await _event(client, editor, make_event, capacity=1)
    occurrence = event["occurrences"][0]["occurrence"]
    first = (
        await client.post(url, json={"occurrence": occurrence, "contact": {"email": "a@example.org"}})
    ).json()
    token = {"X-Registration-Token": first["token"]}
    second = (await client.post(url, json={"occurrence": occurrence}, headers=token)).json()
    other = (await client.post(url, json={"occurrence": occurrence})).json()
    assert [first["status"], second["status"], other["status"]] == ["confirmed", "waitlisted", "waitlisted"]
    assert second["token"] == first["token"]

    mine = (await client.get("/cities/lublin/registrations/mine", headers=token)).json()
    assert [r["id"] for r in mine] == [first["id"], second["id"]] and all(r["token"] is None for r in mine)
    assert (await client.get("/cities/lublin/registrations/mine")).status_code == 401

    stranger = {"X-Registration-Token": other["token"]}
    refused = await client.delete(f"/cities/lublin/registrations/{first['id']}", headers=stranger)
    assert refused.status_code == 403
    assert (
        await client.delete(f"/cities/lublin/registrations/{first['id']}", headers=token)
    ).status_code == 204
    again = await client.delete(f"/cities/lublin/registrations/{first['id']}", headers=token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_cancelled"
    # The place went to the first on the waitlist: this person's own second registration.
    mine = {
        r["id"]: r["status"]
        for r in (await client.get("/cities/lublin/registrations/mine", headers=token)).json()
    }
    assert mine == {first["id"]: "cancelled", second["id"]: "confirmed"}


async def test_a_place_at_an_event_without_a_capacity_can_be_cancelled(client, editor, make_event) -> None:
    event, url = await _event(client, editor, make_event)  # no capacity: everyone gets a place
    occurrence = event["occurrences"][0]["occurrence"]
    first = (await client.post(url, json={"occurrence": occurrence})).json()
    second = (await client.post(url, json={"occurrence": occurrence})).json()
    assert [first["status"], second["status"]] == ["confirmed", "confirmed"]
    token = {"X-Registration-Token": first["token"]}
    assert (
        await client.delete(f"/cities/lublin/registrations/{first['id']}", headers=token)
    ).status_code == 204
    again = (await client.post(url, json={"occurrence": occurrence})).json()
    assert again["status"] == "confirmed"


async def test_an_events_page_says_whether_it_is_full_but_not_how_many_registered(
    client, editor, make_event
) -> None:
    weekly = {**make_event()["schedule"], "rrule": "FREQ=WEEKLY;COUNT=2"}
    event, url = await _event(client, editor, make_event, capacity=2, schedule=weekly)
    first_date, second_date = (o["occurrence"] for o in event["occurrences"])
    page = f"/cities/lublin/events/{event['id']}"

    async def full() -> list[bool | None]:
        shown = (await client.get(page)).json()
        assert "places_left" not in json.dumps(shown) and "confirmed" not in json.dumps(shown)
        return [o["full"] for o in shown["occurrences"]]

    assert await full() == [False, False]  # nobody registered yet
    first = (await client.post(url, json={"occurrence": first_date})).json()
    assert await full() == [False, False]
    await client.post(url, json={"occurrence": first_date})
    assert await full() == [True, False]  # only the date whose places are all taken
    waiting = (await client.post(url, json={"occurrence": first_date})).json()
    assert waiting["status"] == "waitlisted"
    token = {"X-Registration-Token": first["token"]}
    await client.delete(f"/cities/lublin/registrations/{first['id']}", headers=token)
    assert await full() == [True, False]  # the freed place went to the person waiting
    token = {"X-Registration-Token": waiting["token"]}
    await client.delete(f"/cities/lublin/registrations/{waiting['id']}", headers=token)
    assert await full() == [False, False]
    await client.post(url, json={"occurrence": second_date})
    assert await full() == [False, False]

    course, course_url = await _event(client, editor, make_event, capacity=1, registration={"per": "series"})
    shown = (await client.get(f"/cities/lublin/events/{course['id']}")).json()
    assert shown["full"] is False and shown["occurrences"][0]["full"] is None
    await client.post(course_url, json={})
    shown = (await client.get(f"/cities/lublin/events/{course['id']}")).json()
    assert shown["full"] is True and shown["occurrences"][0]["full"] is None
    unlimited, unlimited_url = await _event(client, editor, make_event)
    await client.post(unlimited_url, json={"occurrence": unlimited["occurrences"][0]["occurrence"]})
    shown = (await client.get(f"/cities/lublin/events/{unlimited['id']}")).json()
    assert shown["full"] is None and shown["occurrences"][0]["full"] is None


async def test_registration_rules_are_enforced(client, editor, make_event) -> None:
    series, url = await _event(client, editor, make_event, registration={"per": "series"})
    assert (
        await client.post(url, json={"occurrence": series["occurrences"][0]["occurrence"]})
    ).status_code == 422
    assert (await client.post(url, json={})).json()["status"] == "confirmed"

    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    closed, url = await _event(client, editor, make_event, registration={"opens_at": later})
    response = await client.post(url, json={"occurrence": closed["occurrences"][0]["occurrence"]})
    assert response.status_code == 409 and response.json()["error"]["code"] == "registration_closed"
    event, url = await _event(client, editor, make_event)
    assert (await client.post(url, json={})).json()["error"]["code"] == "occurrence_required"
    assert (await client.post(url, json={"occurrence": "2031-01-01T00:00:00Z"})).status_code == 404
    bad = await client.post(
        url, json={"occurrence": event["occurrences"][0]["occurrence"], "contact": {"email": "nope"}}
    )
    assert bad.status_code == 422


async def test_organiser_lists_marks_attendance_and_raising_capacity_promotes(
    client, editor, auth_header, make_event, settings
) -> None:
    event, url = await _event(client, editor, make_event, capacity=1)
    occurrence = event["occurrences"][0]["occurrence"]
    regs = [
        (
            await client.post(
                url, json={"occurrence": occurrence, "subscriber": f"sub-{i}"}, headers=device(f"sub-{i}")
            )
        ).json()
        for i in range(3)
    ]
    outsider = auth_header("ngo_editor", city="lublin", org="org-2")
    assert (await client.get(url, headers=outsider)).status_code == 403
    listed = (await client.get(url, headers=editor)).json()
    assert [r["status"] for r in listed["items"]] == ["confirmed", "waitlisted", "waitlisted"]

    mark = await client.put(f"{url}/{regs[0]['id']}/attendance", json={"attended": True}, headers=editor)
    assert mark.status_code == 200 and mark.json()["attended"] is True
    not_yet = await client.put(f"{url}/{regs[1]['id']}/attendance", json={"attended": True}, headers=editor)
    assert not_yet.status_code == 409
    assert (
        await client.put(f"{url}/{regs[1]['id']}/attendance", json={"attended": True}, headers=outsider)
    ).status_code == 403

    assert (
        await client.put(f"/cities/lublin/events/{event['id']}", json=make_event(capacity=2), headers=editor)
    ).status_code == 200
    statuses = [r["status"] for r in (await client.get(url, headers=editor)).json()["items"]]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]

    records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=5)
    events = [json.loads(r.value) for r in records]
    assert Counter(e["type"] for e in events) == {
        "agenda.registration_created": 3, "agenda.attendance_recorded": 1, "agenda.registration_promoted": 1,
    }  # fmt: skip
    promoted = next(e for e in events if e["type"] == "agenda.registration_promoted")
    assert promoted["data"]["subscriber"] == "sub-1" and promoted["data"]["registration_id"] == regs[1]["id"]


async def test_cancelling_an_event_tells_every_registrant(
    client, editor, make_event, settings, state
) -> None:
    event, url = await _event(client, editor, make_event, capacity=1)
    occurrence = event["occurrences"][0]["occurrence"]
    for i in range(2):
        await client.post(
            url, json={"occurrence": occurrence, "subscriber": f"sub-{i}"}, headers=device(f"sub-{i}")
        )
    assert (
        await client.post(f"/cities/lublin/events/{event['id']}/cancel", headers=editor)
    ).status_code == 204
    assert (await client.get(f"/cities/lublin/events/{event['id']}")).status_code == 404
    assert (await client.post(url, json={"occurrence": occurrence})).json()["error"][
        "code"
    ] == "event_not_open"

    records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=4)
    cancelled = [json.loads(r.value)["data"] for r in records if b"registration_cancelled" in r.value]
    assert sorted((c["subscriber"], c["cancelled_by"]) for c in cancelled) == [
        ("sub-0", "event_cancelled"), ("sub-1", "event_cancelled"),
    ]  # fmt: skip
    agenda = await read_topic(settings.kafka, AGENDA_EVENTS, count=2)
    assert [json.loads(r.value)["type"] for r in agenda] == [
        "agenda.event_published",
        "agenda.event_cancelled",
    ]


async def test_housekeeping_unpublishes_past_events_and_erases_contacts(
    client, editor, make_event, state, settings
) -> None:
    event, url = await _event(client, editor, make_event, capacity=5)
    weekly = make_event(
        schedule={"start": "2031-01-06T10:00:00", "end": "2031-01-06T11:00:00", "rrule": "FREQ=WEEKLY"}
    )
    open_ended = (await client.post("/cities/lublin/events", json=weekly, headers=editor)).json()
    occurrence = event["occurrences"][0]["occurrence"]
    reg = (
        await client.post(
            url, json={"occurrence": occurrence, "contact": {"name": "Olena", "phone": "+48 600 000 000"}}
        )
    ).json()
    store = state.registrations

    jobs = state.housekeeping
    assert await jobs.sweep() == (0, 0)
    ended = datetime.fromisoformat(event["occurrences"][0]["end"]) + timedelta(minutes=1)
    assert await jobs.sweep(ended) == (1, 0)
    listing = (await client.get("/cities/lublin/events", params={"from": occurrence})).json()
    assert event["id"] not in [o["event_id"] for o in listing["items"]]
    statuses = {d["_id"]: d["status"] async for d in state.events.collection.find({})}
    assert statuses == {event["id"]: "unpublished", open_ended["id"]: "published"}  # open-ended never ends
    assert (await store.collection.find_one({"_id": reg["id"]}))["contact"]["name"] == "Olena"

    retention = timedelta(days=settings.agenda.retention_days)
    assert await jobs.sweep(ended + retention) == (0, 1)
    erased = await store.collection.find_one({"_id": reg["id"]})
    assert erased["contact"] is None and erased["status"] == "confirmed"
    await wait_until(lambda: _types(settings), message="unpublished event on the topic")


async def _types(settings) -> bool:
    records = await read_topic(settings.kafka, AGENDA_EVENTS, count=3, timeout=2)
    return "agenda.event_unpublished" in [json.loads(r.value)["type"] for r in records]


async def test_rescheduling_away_a_booked_occurrence_cancels_it_for_its_registrants(
    client, editor, make_event, state, settings
) -> None:
    event, url = await _event(client, editor, make_event, capacity=5)
    occurrence = event["occurrences"][0]["occurrence"]
    reg = (
        await client.post(
            url, json={"occurrence": occurrence, "subscriber": "sub-9"}, headers=device("sub-9")
        )
    ).json()
    later = datetime.fromisoformat(occurrence) + timedelta(days=1)
    moved = await client.put(
        f"/cities/lublin/events/{event['id']}", json=make_event(start=later), headers=editor
    )
    assert moved.status_code == 200
    assert (await state.registrations.collection.find_one({"_id": reg["id"]}))["status"] == "cancelled"
    records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=2)
    cancelled = json.loads(records[-1].value)
    assert cancelled["type"] == "agenda.registration_cancelled" and cancelled["data"]["subscriber"] == "sub-9"


async def test_resending_with_the_same_idempotency_key_books_one_place(
    client, editor, make_event, state
) -> None:
    """A client that lost the answer (or gave up waiting) resends; it gets the same registration back,
    also when both attempts are being stored at the same moment."""
    event, url = await _event(client, editor, make_event, capacity=5)
    body = {"occurrence": event["occurrences"][0]["occurrence"]}
    first = (await client.post(url, json=body)).json()
    mine = {"X-Registration-Token": first["token"]}
    keyed = {**mine, "Idempotency-Key": "attempt-0001"}

    together = await asyncio.gather(*(client.post(url, json=body, headers=keyed) for _ in range(3)))
    again = await client.post(url, json=body, headers=keyed)
    answers = [*together, again]
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1

    other = await client.post(url, json=body, headers={**mine, "Idempotency-Key": "attempt-0002"})
    assert other.status_code == 201 and other.json()["id"] != again.json()["id"]
    stored = await state.registrations.collection.count_documents({"event_id": event["id"]})
    slot = await state.registrations.slots.find_one({"event_id": event["id"]})
    assert stored == 3 and slot["confirmed"] == 3 and slot["remaining"] == 2

    # The key is the token's own: someone else's key cannot fetch another person's registration.
    stranger = (await client.post(url, json=body)).json()["token"]
    theirs = await client.post(
        url, json=body, headers={"X-Registration-Token": stranger, "Idempotency-Key": "attempt-0001"}
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != again.json()["id"]
    needs_token = await client.post(url, json=body, headers={"Idempotency-Key": "attempt-0003"})
    assert needs_token.status_code == 422 and needs_token.json()["error"]["code"] == "token_required"


async def test_an_idempotency_key_belongs_to_one_event(client, editor, make_event) -> None:
    """The same token and key sent for another event register there; they never answer with the
    registration made for the first event."""
    one, one_url = await _event(client, editor, make_event, capacity=5)
    two, two_url = await _event(client, editor, make_event, capacity=5)
    token = (await client.post(one_url, json={"occurrence": one["occurrences"][0]["occurrence"]})).json()[
        "token"
    ]
    keyed = {"X-Registration-Token": token, "Idempotency-Key": "family-2031"}
    first = await client.post(
        one_url, json={"occurrence": one["occurrences"][0]["occurrence"]}, headers=keyed
    )
    second = await client.post(
        two_url, json={"occurrence": two["occurrences"][0]["occurrence"]}, headers=keyed
    )
    assert first.status_code == second.status_code == 201
    assert (first.json()["event_id"], second.json()["event_id"]) == (one["id"], two["id"])
    assert second.json()["id"] != first.json()["id"]


async def test_tokens_are_made_by_the_service_and_only_those_are_taken_back(
    client, editor, make_event, state
) -> None:
    """A made-up token is refused, so nobody registers under a guessable token; a token the service
    gave keeps a family's registrations together."""
    event, url = await _event(client, editor, make_event, capacity=5)
    body = {"occurrence": event["occurrences"][0]["occurrence"]}
    chosen = {"X-Registration-Token": "aaaaaaaaaaaaaaaaaaaaaaaa"}
    refused = await client.post(url, json=body, headers=chosen)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "unknown_registration_token"
    assert await state.registrations.collection.count_documents({"event_id": event["id"]}) == 0
    assert (await client.get("/cities/lublin/registrations/mine", headers=chosen)).json() == []

    parent = (await client.post(url, json=body)).json()
    assert len(parent["token"]) >= 32
    child = await client.post(url, json=body, headers={"X-Registration-Token": parent["token"]})
    assert child.status_code == 201 and child.json()["token"] == parent["token"]
    mine = await client.get(
        "/cities/lublin/registrations/mine", headers={"X-Registration-Token": parent["token"]}
    )
    assert sorted(r["id"] for r in mine.json()) == sorted([parent["id"], child.json()["id"]])


async def test_a_subscriber_is_named_only_with_its_own_credential(
    client, editor, auth_header, make_event, settings
) -> None:
    """Naming a notify subscriber needs its token (or its account's sign-in); the events carry a proof
    notify can check against what it stores, and never the credential itself."""
    event, url = await _event(client, editor, make_event, capacity=5)
    body = {"occurrence": event["occurrences"][0]["occurrence"], "subscriber": "s-victim"}
    unproven = await client.post(url, json=body)
    assert unproven.status_code == 422 and unproven.json()["error"]["code"] == "subscriber_proof_required"

    by_device = (await client.post(url, json=body, headers=device("s-victim"))).json()
    account = auth_header("migrant", city="lublin", sub="user-olena")
    by_account = (await client.post(url, json={**body, "subscriber": "s-account"}, headers=account)).json()
    records = await read_topic(settings.kafka, AGENDA_REGISTRATIONS, count=2)
    created = {json.loads(r.value)["data"]["registration_id"]: json.loads(r.value)["data"] for r in records}
    own = created[by_device["id"]]
    assert verify(
        device_key(device("s-victim")["X-Subscriber-Token"]),
        "s-victim",
        by_device["id"],
        own["subscriber_proof"],
    )
    assert not verify(
        device_key("another-device-token-0000"), "s-victim", by_device["id"], own["subscriber_proof"]
    )
    assert not verify(
        device_key(device("s-victim")["X-Subscriber-Token"]),
        "s-victim",
        by_account["id"],
        own["subscriber_proof"],
    )
    assert verify(
        account_key("user-olena"),
        "s-account",
        by_account["id"],
        created[by_account["id"]]["subscriber_proof"],
    )
    assert all(b"subscriber-token-of" not in r.value for r in records)


async def test_only_a_published_event_announces_its_cancellation(client, editor, make_event, state) -> None:
    """A draft nobody was told of goes quietly: no notice for every catch-all subscriber."""
    draft = (
        await client.post("/cities/lublin/events", json=make_event(publish=False), headers=editor)
    ).json()
    weekly = make_event(publish=False)
    weekly["schedule"]["rrule"] = "FREQ=WEEKLY;COUNT=3"
    series = (await client.post("/cities/lublin/events", json=weekly, headers=editor)).json()
    published = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    assert (
        await client.post(f"/cities/lublin/events/{draft['id']}/cancel", headers=editor)
    ).status_code == 204
    occurrence = series["occurrences"][0]["occurrence"]
    changed = await client.patch(
        f"/cities/lublin/events/{series['id']}/occurrences/{occurrence}",
        json={"cancelled": True},
        headers=editor,
    )
    assert changed.status_code == 200
    assert (
        await client.post(f"/cities/lublin/events/{published['id']}/cancel", headers=editor)
    ).status_code == 204

    staged = state.runtime.outbox.collection
    cancelled = [d async for d in staged.find({"type": "agenda.event_cancelled"})]
    subjects = [json.loads(value)["subject"] for d in cancelled for value in encoded_events(d)]
    assert subjects == [published["id"]]


async def test_a_token_asked_for_ahead_makes_even_the_first_registration_safe_to_resend(
    client, editor, make_event, state
) -> None:
    event, url = await _event(client, editor, make_event, capacity=5)
    body = {"occurrence": event["occurrences"][0]["occurrence"]}
    issued = await client.post("/cities/lublin/registration-tokens")
    assert issued.status_code == 201
    keyed = {"X-Registration-Token": issued.json()["token"], "Idempotency-Key": "first-attempt"}
    first, again = [await client.post(url, json=body, headers=keyed) for _ in range(2)]
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert await state.registrations.collection.count_documents({"event_id": event["id"]}) == 1
