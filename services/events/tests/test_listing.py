"""Finding events: recurrences expanded in a date range, filters, paging, language fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from witaj.devkit.testing import wait_until

MONDAY = datetime(2030, 3, 4, 17, 0)  # local time in Lublin; DST starts on 31 March 2030


async def _create(client, headers, body) -> dict:
    response = await client.post("/cities/lublin/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_weekly_course_expands_into_dated_occurrences_across_dst(client, editor, make_event) -> None:
    course = make_event(
        kind="language_course",
        schedule={
            "start": MONDAY.isoformat(), "end": (MONDAY + timedelta(minutes=90)).isoformat(),
            "timezone": "Europe/Warsaw", "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
            "exdates": [(MONDAY + timedelta(weeks=2)).isoformat()],
            "rdates": [(MONDAY + timedelta(days=2)).isoformat()],
        },
    )  # fmt: skip
    event = await _create(client, editor, course)
    listed = (
        await client.get(
            "/cities/lublin/events", params={"from": "2030-03-01T00:00:00Z", "to": "2030-05-01T00:00:00Z"}
        )
    ).json()
    starts = [o["start"] for o in listed["items"]]
    assert listed["total"] == 6 and all(o["event_id"] == event["id"] for o in listed["items"])
    # 17:00 in Warsaw is 16:00 UTC in winter and 15:00 UTC after the clocks change.
    assert starts == [
        "2030-03-04T16:00:00Z", "2030-03-06T16:00:00Z", "2030-03-11T16:00:00Z",
        "2030-03-25T16:00:00Z", "2030-04-01T15:00:00Z", "2030-04-08T15:00:00Z",
    ]  # fmt: skip

    # One occurrence is cancelled, another moved: the listing shows both changes.
    url = f"/cities/lublin/events/{event['id']}/occurrences"
    assert (
        await client.patch(f"{url}/2030-03-11T16:00:00Z", json={"cancelled": True}, headers=editor)
    ).status_code == 200
    moved = await client.patch(
        f"{url}/2030-03-25T16:00:00Z",
        json={"start": "2030-03-26T15:00:00Z", "end": "2030-03-26T16:30:00Z"},
        headers=editor,
    )
    assert moved.status_code == 200
    assert (
        await client.patch(f"{url}/2030-03-12T16:00:00Z", json={"cancelled": True}, headers=editor)
    ).status_code == 404
    listed = (
        await client.get(
            "/cities/lublin/events", params={"from": "2030-03-10T00:00:00Z", "to": "2030-03-31T00:00:00Z"}
        )
    ).json()
    assert [(o["start"], o["cancelled"]) for o in listed["items"]] == [
        ("2030-03-11T16:00:00Z", True), ("2030-03-26T15:00:00Z", False),
    ]  # fmt: skip


async def test_filters_combine(client, auth_header, make_event) -> None:
    one = auth_header("ngo_editor", city="lublin", org="org-1")
    two = auth_header("pa_editor", city="lublin", org="city-hall")
    start = datetime(2030, 6, 3, 10, 0, tzinfo=UTC)
    far = {"address": "Rynek 1, Zamość", "location": {"lat": 50.7231, "lng": 23.2519}}
    online = {"online_url": "https://meet.example.org/witaj"}
    workshop = await _create(client, one, make_event(start=start, kind="workshop", topics=["work"]))
    await _create(
        client,
        two,
        make_event(
            start=start,
            kind="information_session",
            topics=["residence"],
            target_groups=["student"],
            cost={"free": False, "amount": 20},
            place=far,
        ),
    )
    await _create(
        client,
        two,
        make_event(start=start, kind="language_course", languages_of_instruction=["en"], place=online),
    )
    window = {"from": "2030-06-01T00:00:00Z", "to": "2030-06-30T00:00:00Z"}

    async def kinds(**params) -> list[str]:
        response = await client.get("/cities/lublin/events", params={**window, **params})
        assert response.status_code == 200, response.text
        return sorted(o["kind"] for o in response.json()["items"])

    assert await kinds() == ["information_session", "language_course", "workshop"]
    assert await kinds(kind="workshop") == ["workshop"]
    assert await kinds(topic="residence") == ["information_session"]
    assert await kinds(language="en") == ["language_course"]
    assert await kinds(free="true") == ["language_course", "workshop"]
    assert await kinds(organisation="city-hall") == ["information_session", "language_course"]
    assert await kinds(target_group="student") == ["information_session"]
    assert await kinds(lat=51.2465, lng=22.5684, radius_km=2) == ["workshop"]
    assert await kinds(lat=50.72, lng=23.25, radius_km=5) == ["information_session"]
    assert await kinds(**{"from": "2030-07-01T00:00:00Z", "to": "2030-07-30T00:00:00Z"}) == []
    assert await kinds(id=[workshop["id"]]) == ["workshop"]
    assert await kinds(id=[workshop["id"], "no-such-event"], free="false") == []
    feed = await client.get("/cities/lublin/events.ics", params={**window, "id": workshop["id"]})
    assert feed.text.count("BEGIN:VEVENT") == 1 and f"UID:{workshop['id']}@lublin.witaj" in feed.text

    paged = (await client.get("/cities/lublin/events", params={**window, "limit": 2})).json()
    assert paged["total"] == 3 and len(paged["items"]) == 2 and paged["next_offset"] == 2
    bad = await client.get(
        "/cities/lublin/events", params={"from": "2030-01-01T00:00:00Z", "to": "2032-01-01T00:00:00Z"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "range_too_long"
    assert (await client.get("/cities/lublin/events", params={"lat": 50})).json()["error"][
        "code"
    ] == "incomplete_point"


async def test_titles_follow_the_city_fallback_chain(client, editor, auth_header, make_event) -> None:
    event = await _create(client, editor, make_event(start=datetime(2030, 6, 3, 10, tzinfo=UTC)))
    url = f"/cities/lublin/events/{event['id']}"
    window = {"from": "2030-06-01T00:00:00Z", "to": "2030-06-30T00:00:00Z"}
    english = {"title": "CV workshop", "description": "How to write a CV"}
    translator = auth_header("translator", city="lublin")
    for state in ("draft", "translated", "reviewed"):
        response = await client.put(
            f"{url}/translations/en", json={"state": state, "texts": english}, headers=translator
        )
        assert response.status_code == 200, response.text
    # Translators prepare and review; the organiser publishes, as in content.
    refused = await client.put(f"{url}/translations/en", json={"state": "published"}, headers=translator)
    assert refused.status_code == 403 and "publishes" in refused.json()["error"]["message"]
    published = await client.put(f"{url}/translations/en", json={"state": "published"}, headers=editor)
    assert published.status_code == 200, published.text
    skip = await client.put(f"{url}/translations/uk", json={"state": "published"}, headers=editor)
    assert skip.status_code == 409 and skip.json()["error"]["code"] == "invalid_translation_transition"

    [item] = (await client.get("/cities/lublin/events", params={**window, "lang": "en"})).json()["items"]
    assert (item["title"], item["language"], item["fallback"]) == ("CV workshop", "en", False)
    # Arabic is not translated: Lublin falls back to English for everyone but Ukrainian readers.
    [item] = (
        await client.get("/cities/lublin/events", params=window, headers={"Accept-Language": "ar"})
    ).json()["items"]
    assert (item["title"], item["language"], item["fallback"]) == ("CV workshop", "en", True)
    [item] = (await client.get("/cities/lublin/events", params={**window, "lang": "uk"})).json()["items"]
    assert (item["title"], item["language"]) == ("Warsztaty CV", "pl")
    # Editing the Polish source leaves English published but outdated, still served.
    await client.put(
        url,
        json=make_event(start=datetime(2030, 6, 3, 10, tzinfo=UTC), texts={"title": "Warsztaty CV i list"}),
        headers=editor,
    )
    detail = (await client.get(url, params={"lang": "en"})).json()
    assert detail["texts"]["title"] == "CV workshop" and detail["available_languages"] == ["pl", "en"]


async def test_a_change_by_another_replica_shows_once_the_listing_is_a_moment_old(
    client, editor, make_event, state
) -> None:
    event = await _create(client, editor, make_event())
    assert [o["title"] for o in (await client.get("/cities/lublin/events")).json()["items"]] == [
        "Warsztaty CV"
    ]
    # Another replica changes the title: this one learns nothing of it but the listing's age.
    await state.events.collection.update_one(
        {"_id": event["id"]}, {"$set": {"texts.title": "Renamed elsewhere"}}
    )

    async def renamed() -> bool:
        items = (await client.get("/cities/lublin/events")).json()["items"]
        return [o["title"] for o in items] == ["Renamed elsewhere"]

    await wait_until(renamed, timeout=10, interval=0.2, message="the other replica's change listed")


async def test_a_change_through_this_replica_is_listed_at_once(client, editor, make_event) -> None:
    body = make_event()
    event = await _create(client, editor, body)
    url = f"/cities/lublin/events/{event['id']}"

    async def titles() -> list[str]:
        return [o["title"] for o in (await client.get("/cities/lublin/events")).json()["items"]]

    assert await titles() == ["Warsztaty CV"]
    renamed = {**body, "texts": {**body["texts"], "title": "Warsztaty CV i list motywacyjny"}}
    assert (await client.put(url, json=renamed, headers=editor)).status_code == 200
    assert await titles() == ["Warsztaty CV i list motywacyjny"]
    assert (await client.post(f"{url}/cancel", headers=editor)).status_code == 204
    assert await titles() == []
