"""The organisers' and translators' side of events: their events in any status, each as stored (edited
and published back), the source texts' history, occurrences moved and cancelled, schedule errors that
name their rule, registrations of one occurrence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import created

WORKBENCH = "/cities/lublin/workbench/events"
NEXT_MONDAY = (datetime.now(UTC) + timedelta(days=7 - datetime.now(UTC).weekday())).replace(
    hour=15, minute=0, second=0, microsecond=0, tzinfo=None
)


async def test_editors_list_their_organisation_s_events_drafts_included(
    client, editor, auth_header, make_event
) -> None:
    mine = await created(client, editor, make_event(publish=False))
    theirs = await created(client, auth_header("ngo_editor", city="lublin", org="org-2"), make_event())

    listed = await client.get(WORKBENCH, headers=editor)
    assert listed.status_code == 200, listed.text
    rows = listed.json()["items"]
    assert [r["id"] for r in rows] == [mine["id"]]
    assert rows[0]["status"] == "draft" and rows[0]["title"] == "Warsztaty CV"
    assert rows[0]["translations"]["pl"]["source"] and rows[0]["translations"]["uk"]["state"] == "missing"

    for whole_city in (auth_header("translator", city="lublin"), auth_header("city_admin", city="lublin")):
        ids = {r["id"] for r in (await client.get(WORKBENCH, headers=whole_city)).json()["items"]}
        assert ids == {mine["id"], theirs["id"]}
    admin = auth_header("city_admin", city="lublin")
    one = await client.get(WORKBENCH, params={"organisation": "org-2"}, headers=admin)
    assert [r["id"] for r in one.json()["items"]] == [theirs["id"]]
    drafts = await client.get(WORKBENCH, params={"status": "draft"}, headers=admin)
    assert [r["id"] for r in drafts.json()["items"]] == [mine["id"]]
    # An editor's organisation filter cannot reach another organisation's events.
    sneaky = await client.get(WORKBENCH, params={"organisation": "org-2"}, headers=editor)
    assert [r["id"] for r in sneaky.json()["items"]] == [mine["id"]]


@pytest.mark.parametrize(
    ("roles", "city", "org", "status"),
    [
        ((), None, None, 401),
        (("migrant",), "lublin", None, 403),
        (("analyst",), "lublin", "org-1", 403),
        (("ngo_editor",), "lublin", None, 403),
        (("ngo_editor",), "krakow", "org-1", 403),
        (("translator",), "krakow", None, 403),
    ],
)
async def test_others_see_no_workbench(client, auth_header, roles, city, org, status) -> None:
    headers = auth_header(*roles, city=city, org=org) if roles else {}
    for path in (WORKBENCH, "/cities/lublin/workbench/translations", "/cities/lublin/calendar-sources"):
        response = await client.get(path, headers=headers)
        assert response.status_code == status, (path, response.text)


async def test_a_draft_is_read_as_stored_edited_and_published_by_sending_it_back(
    client, editor, auth_header, make_event
) -> None:
    start = NEXT_MONDAY
    schedule = {
        "start": start.isoformat(), "end": (start + timedelta(minutes=90)).isoformat(),
        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6", "exdates": [(start + timedelta(days=2)).isoformat()],
    }  # fmt: skip
    draft = await created(
        client,
        editor,
        make_event(publish=False, schedule=schedule, capacity=12, cost={"free": False, "amount": 20}),
    )
    url = f"{WORKBENCH}/{draft['id']}"
    other = auth_header("ngo_editor", city="lublin", org="org-2")
    assert (await client.get(url, headers=other)).status_code == 403
    assert (await client.get(f"/cities/lublin/events/{draft['id']}")).status_code == 404  # readers: none

    view = (await client.get(url, headers=editor)).json()
    assert view["status"] == "draft" and view["source_revision"] == 1
    assert view["texts"] == {"title": "Warsztaty CV", "description": "Jak napisać CV"}
    body = view["body"]
    assert body["schedule"]["timezone"] == "Europe/Warsaw" and body["schedule"]["rrule"].endswith("COUNT=6")
    assert body["place"]["location"] == {"lat": 51.2465, "lng": 22.5684} and body["publish"] is False
    assert body["cost"] == {"free": False, "amount": 20, "currency": "PLN"} and body["capacity"] == 12
    assert len(view["occurrences"]) == 5  # six, less the Wednesday excluded
    assert view["translations"]["uk"]["state"] == "missing" and view["translations"]["pl"]["source"]

    published = await client.put(
        f"/cities/lublin/events/{draft['id']}", json={**body, "publish": True}, headers=editor
    )
    assert published.status_code == 200, published.text
    again = (await client.get(url, headers=editor)).json()
    assert again["status"] == "published" and again["body"]["schedule"] == body["schedule"]
    assert again["source_revision"] == 1  # the same texts: translations stay current
    assert (await client.get(f"/cities/lublin/events/{draft['id']}")).status_code == 200


async def test_moved_and_cancelled_occurrences_are_listed_for_editors(client, editor, make_event) -> None:
    start = NEXT_MONDAY
    schedule = {
        "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(),
        "rrule": "FREQ=WEEKLY;COUNT=3",
    }  # fmt: skip
    event = await created(client, editor, make_event(schedule=schedule))
    first, second = event["occurrences"][0]["occurrence"], event["occurrences"][1]["occurrence"]
    base = f"/cities/lublin/events/{event['id']}/occurrences"
    moved = {
        "start": (start + timedelta(days=1)).isoformat(),
        "end": (start + timedelta(days=1, hours=1)).isoformat(),
    }
    assert (
        await client.patch(f"{base}/{first}", json={**moved, "note": "Sala 2"}, headers=editor)
    ).status_code == 200
    assert (
        await client.patch(f"{base}/{second}", json={"cancelled": True}, headers=editor)
    ).status_code == 200

    view = (await client.get(f"{WORKBENCH}/{event['id']}", headers=editor)).json()
    changed = {c["occurrence"]: c for c in view["changes"]}
    assert changed[first]["moved"] and changed[first]["note"] == "Sala 2" and not changed[first]["cancelled"]
    assert changed[second]["cancelled"] and not changed[second]["moved"]
    listed = [(o["occurrence"], o["moved"], o["cancelled"]) for o in view["occurrences"]]
    assert listed[:2] == [(first, True, False), (second, False, True)] and len(listed) == 3


async def test_the_source_texts_history_and_translations_made_from_an_older_one(
    client, editor, auth_header, make_event
) -> None:
    event = await created(client, editor, make_event())
    url = f"/cities/lublin/events/{event['id']}"
    translator = auth_header("translator", city="lublin")
    english = {"title": "CV workshop", "description": "How to write a CV"}
    made = await client.put(
        f"{url}/translations/en",
        json={"state": "draft", "texts": english, "source_revision": 1},
        headers=translator,
    )
    assert made.status_code == 200, made.text

    view = (await client.get(f"{WORKBENCH}/{event['id']}", headers=editor)).json()
    edited = {**view["body"], "texts": {"title": "Warsztaty CV", "description": "Jak napisać dobre CV"}}
    assert (await client.put(url, json=edited, headers=editor)).status_code == 200

    versions = (await client.get(f"{WORKBENCH}/{event['id']}/versions", headers=translator)).json()
    assert [(v["revision"], v["texts"]["description"]) for v in versions] == [
        (2, "Jak napisać dobre CV"),
        (1, "Jak napisać CV"),
    ]
    view = (await client.get(f"{WORKBENCH}/{event['id']}", headers=translator)).json()
    assert view["translations"]["en"]["outdated"] and view["translations"]["en"]["source_revision"] == 1
    stale = await client.put(
        f"{url}/translations/en", json={"state": "translated", "texts": english, "source_revision": 1},
        headers=translator,
    )  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "source_changed"
    fresh = await client.put(
        f"{url}/translations/en",
        json={"state": "translated", "texts": {**english, "description": "How to write a good CV"}, "source_revision": 2},
        headers=translator,
    )  # fmt: skip
    assert fresh.status_code == 200
    view = (await client.get(f"{WORKBENCH}/{event['id']}", headers=translator)).json()
    assert not view["translations"]["en"]["outdated"] and view["translations"]["en"]["state"] == "translated"


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ({"end": "2030-03-04T09:00:00"}, "end_before_start"),
        ({"end": "2030-04-30T10:00:00"}, "too_long"),
        ({"rrule": "FREQ=HOURLY"}, "rrule_frequency"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule_invalid"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "never_happens"),
        (
            {"rrule": "FREQ=DAILY;COUNT=2", "exdates": ["2030-03-04T10:00:00", "2030-03-05T10:00:00"]},
            "no_occurrences",
        ),
        ({"timezone": "Europe/Lublin"}, "unknown_timezone"),
    ],
)
async def test_an_impossible_schedule_names_the_rule_it_breaks(
    client, editor, make_event, schedule, reason
) -> None:
    body = make_event()
    body["schedule"] = {"start": "2030-03-04T10:00:00", "end": "2030-03-04T12:00:00", **schedule}
    refused = await client.post("/cities/lublin/events", json=body, headers=editor)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"] == {"reason": reason}


async def test_an_occurrence_s_registrations_alone(client, editor, make_event) -> None:
    start = NEXT_MONDAY
    schedule = {
        "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(), "rrule": "FREQ=DAILY;COUNT=2",
    }  # fmt: skip
    event = await created(client, editor, make_event(schedule=schedule, registration={"required": True}))
    first, second = (o["occurrence"] for o in event["occurrences"])
    url = f"/cities/lublin/events/{event['id']}/registrations"
    for occurrence, name in ((first, "Ola"), (second, "Iryna"), (second, "Omar")):
        made = await client.post(url, json={"occurrence": occurrence, "contact": {"name": name}})
        assert made.status_code == 201, made.text
    names = lambda page: sorted(r["contact"]["name"] for r in page.json()["items"])  # noqa: E731
    assert names(await client.get(url, params={"occurrence": second}, headers=editor)) == ["Iryna", "Omar"]
    assert names(await client.get(url, params={"occurrence": first}, headers=editor)) == ["Ola"]
    assert (await client.get(url, headers=editor)).json()["total"] == 3
