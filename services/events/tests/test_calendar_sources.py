"""Calendar URLs an editor sets: they never reach inside, never echo what they answered, and a broken one
never stops the rest of housekeeping."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from witaj.devkit.testing import serve
from witaj.events.jobs import Housekeeping
from witaj.events.main import create_app
from witaj.events.settings import EventsSettings

SOURCE = "/cities/lublin/calendar-sources/ngo-main"
SECRET = "INTERNAL-ADMIN-TOKEN-51c2"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://[::1/calendar.ics", "invalid_calendar_url"),
        ("ftp://ngo.example.org/calendar.ics", "invalid_calendar_url"),
        ("http://editor:pw@ngo.example.org/calendar.ics", "invalid_calendar_url"),
        ("http://10.0.0.7/calendar.ics", "calendar_target_forbidden"),
        ("http://169.254.169.254/latest/meta-data/", "calendar_target_forbidden"),
        ("http://[::ffff:192.168.1.1]/calendar.ics", "calendar_target_forbidden"),
        ("http://[fd12::1]:8080/calendar.ics", "calendar_target_forbidden"),
        ("http://calendar.invalid/calendar.ics", "calendar_host_unresolvable"),
    ],
)
async def test_calendar_urls_are_checked_when_they_are_set(client, editor, state, url, code) -> None:
    response = await client.put(SOURCE, json={"url": url}, headers=editor)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"].startswith("The calendar URL")
    assert await state.runtime.db["calendar_sources"].count_documents({}) == 0


async def test_loopback_calendars_are_refused_unless_the_setting_allows_them(
    make_settings, editor, announce, calendar_server
) -> None:
    from witaj.devkit.testing import wait_until

    strict = make_settings(EventsSettings)  # as in production: no outbound.allow_loopback
    async with (
        calendar_server(b"BEGIN:VCALENDAR\nEND:VCALENDAR\n") as url,
        serve(create_app(strict)) as client,
    ):
        await announce(strict.kafka)
        runtime = client._transport.app.state.runtime  # type: ignore[attr-defined]
        await wait_until(lambda: runtime.cities.get("lublin"), message="Lublin")
        for target in (url, url.replace("127.0.0.1", "localhost"), url.replace("127.0.0.1", "[::1]")):
            response = await client.put(SOURCE, json={"url": target}, headers=editor)
            assert response.status_code == 422, target
            assert response.json()["error"]["code"] == "calendar_target_forbidden"


async def test_an_import_does_not_follow_a_redirect_inside(client, editor, state, calendar_server) -> None:
    server = calendar_server(b"", status=302, headers={"Location": "http://169.254.169.254/latest/"})
    async with server as url:
        assert (await client.put(SOURCE, json={"url": url}, headers=editor)).status_code == 204
        response = await client.post(f"{SOURCE}/import", headers=editor)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "calendar_target_forbidden"
        server.headers = {"Location": url}  # a loop: given up after a few hops
        response = await client.post(f"{SOURCE}/import", headers=editor)
        assert response.status_code == 502 and "redirected more than" in response.json()["error"]["message"]
    assert server.requests == 1 + 4
    assert await state.events.collection.count_documents({}) == 0


async def test_what_a_calendar_url_answers_is_never_quoted_back(
    client, editor, state, calendar_server
) -> None:
    """Not a calendar, a calendar whose one event is unreadable, an error page: none is repeated."""
    bodies = [
        f"root:x:0:0:{SECRET}:/root:/bin/bash\n".encode(),
        f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:{SECRET}\nDTSTART:{SECRET}\nEND:VEVENT\nEND:VCALENDAR\n".encode(),
        f"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:{SECRET}\nDTSTART:20300101T100000Z\nRRULE:FREQ={SECRET}\n"
        "END:VEVENT\nEND:VCALENDAR\n".encode(),
    ]
    server = calendar_server(b"")
    async with server as url:
        assert (await client.put(SOURCE, json={"url": url}, headers=editor)).status_code == 204
        for body in bodies:
            server.body = body
            response = await client.post(f"{SOURCE}/import", headers=editor)
            assert response.status_code == 400, response.text
            assert SECRET not in response.text
            await state.housekeeping.sweep()
            stored = await state.runtime.db["calendar_sources"].find_one({})
            assert stored["last_error"] and SECRET not in stored["last_error"]
        server.status, server.body = 500, SECRET.encode()
        response = await client.post(f"{SOURCE}/import", headers=editor)
        assert response.status_code == 502 and SECRET not in response.text

    # The same file uploaded by its owner is explained in full: it is theirs to read.
    uploaded = await client.post(
        "/cities/lublin/events/import", content=bodies[1], headers={**editor, "Content-Type": "text/calendar"}
    )
    assert uploaded.status_code == 400 and SECRET in uploaded.text


def _failures(task: str) -> float:
    value = REGISTRY.get_sample_value(
        "witaj_housekeeping_failures_total", {"service": "events", "task": task}
    )
    return value or 0.0


async def test_a_broken_calendar_url_never_stops_housekeeping(
    client, editor, state, make_event, settings
) -> None:
    """A URL stored before URLs were checked (or by an older version) makes the sync fail; ended events
    are unpublished and expired contact data erased all the same."""
    start = datetime.fromisoformat(make_event()["schedule"]["start"])
    event = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    registered = await client.post(
        f"/cities/lublin/events/{event['id']}/registrations",
        json={"occurrence": event["occurrences"][0]["occurrence"], "contact": {"name": "Olena"}},
    )
    assert registered.status_code == 201, registered.text
    sources = state.runtime.db["calendar_sources"]
    for name, url in (("broken", "http://[::1/"), ("spaces", "http://a b/"), ("scheme", "gopher://x/")):
        await sources.insert_one(
            {
                "_id": f"lublin/org-1/{name}",
                "city": "lublin",
                "organisation": "org-1",
                "name": name,
                "url": url,
            }
        )

    long_after = start + timedelta(hours=2) + timedelta(days=settings.agenda.retention_days + 1)
    assert await state.housekeeping.sweep(long_after) == (1, 1)
    assert [s["last_error"] async for s in sources.find({})] == [
        "The calendar URL is not a valid address",
        "The calendar URL must be one http or https address of at most 2000 characters, without spaces",
        "The calendar URL must be an absolute http or https URL",
    ]
    erased = await state.registrations.collection.find_one({})
    assert erased["contact"] is None


async def test_each_housekeeping_task_runs_even_when_another_fails(client, editor, state, make_event) -> None:
    async def failing_sync() -> int:
        raise RuntimeError("the calendar sync broke")

    event = (await client.post("/cities/lublin/events", json=make_event(), headers=editor)).json()
    ended = datetime.fromisoformat(event["occurrences"][0]["end"]) + timedelta(minutes=1)
    before = _failures("calendar_sync")
    jobs = Housekeeping(state.events, state.registrations, interval=60, sync_calendars=failing_sync)
    assert await jobs.sweep(ended) == (1, 0)
    assert _failures("calendar_sync") == before + 1
    metrics = (await client.get("/metrics")).text
    assert 'witaj_housekeeping_failures_total{service="events",task="calendar_sync"}' in metrics
