"""Events and courses over HTTP on the real platform: the list by date and its filters, an event with its
dates (moved, cancelled, whole days), calendars, and the pages that need no form."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import icalendar
from agenda_helpers import (
    change_occurrence,
    create_event,
    event_body,
    form_key_of,
    local_start,
    organiser,
    patient,
    token_of,
    unique,
)
from web_helpers import web_settings
from witaj.devkit.infra import free_port
from witaj.devkit.testing import serve
from witaj.web.main import create_app

EVENT = "/lublin/{lang}/events/demo-residence-permits"


def titles(page_text: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<span class="card__title"[^>]*>([^<]+)</span>', page_text)]


async def every_page(web, **filters: str) -> str:
    """The list with these filters, every page of it one after the other: other tests add events of
    their own in Lublin, which may come before the demo's on the first page."""
    pages: list[str] = []
    for number in range(1, 101):
        page = await web.get("/lublin/en/events", params={**filters, "page": str(number)})
        if page.status_code == 404 or not titles(page.text):  # past the last page
            break
        assert page.status_code == 200
        pages.append(page.text)
    return "\n".join(pages)


async def listed(web, **filters: str) -> list[str]:
    """Every title the list shows with these filters, on any of its pages."""
    return titles(await every_page(web, **filters))


async def test_the_list_shows_the_coming_dates_by_day_with_what_each_is(web) -> None:
    page = await web.get("/lublin/en/events")
    assert page.status_code == 200
    everything = await every_page(web)
    found = titles(everything)
    assert {"Polish language course A1", "Residence permit: how to apply", "Counselling hour"} <= set(found)
    assert "Festival of Many Cultures" in found
    assert found.count("Polish language course A1") > 1  # a course's dates each on their day
    assert '<h2 class="day__title"' in page.text
    assert 'href="/lublin/en/events/demo-residence-permits"' in everything
    assert "Information session" in page.text and "Free" in page.text
    # Every filter is an ordinary form; near me says what it needs without JavaScript.
    assert 'method="get" action="/lublin/en/events"' in page.text
    assert "needs JavaScript switched on" in page.text
    assert 'href="/lublin/en/events.ics"' in page.text


OTHER_DEMO_EVENTS = {"Residence permit: how to apply", "Counselling hour", "Festival of Many Cultures"}
"""The demo city's events that are not language courses."""


async def test_filters_narrow_the_list_and_the_calendar_feed(web) -> None:
    courses = await web.get("/lublin/en/events", params={"kind": "language_course"})
    # other tests add events to the demo city too: the demo's own events are what is checked
    course = set(titles(courses.text))
    assert "Polish language course A1" in course and not OTHER_DEMO_EVENTS & course
    assert '<details class="filters" open>' in courses.text
    assert 'href="/lublin/en/events.ics?kind=language_course"' in courses.text
    in_russian = set(titles((await web.get("/lublin/en/events", params={"language": "ru"})).text))
    assert (
        "Counselling hour" in in_russian
        and not ({"Polish language course A1", *OTHER_DEMO_EVENTS} - {"Counselling hour"}) & in_russian
    )
    culture = set(titles((await web.get("/lublin/en/events", params={"topic": "culture"})).text))
    assert "Festival of Many Cultures" in culture and "Polish language course A1" not in culture
    # Near a point: the city centre has everything within 2 km, Kraków nothing.
    near = await web.get("/lublin/en/events", params={"lat": "51.25", "lng": "22.57", "radius": "2"})
    assert "Residence permit: how to apply" in await listed(web, lat="51.25", lng="22.57", radius="2")
    assert "Showing events near the place your browser shared." in near.text
    assert "The feed does not include your location." in near.text
    assert 'href="/lublin/en/events.ics"' in near.text  # the feed leaves the location out
    assert '<a href="/lublin/en/events">Show events everywhere in the city</a>' in near.text
    far = await web.get("/lublin/en/events", params={"lat": "50.06", "lng": "19.94", "radius": "10"})
    assert titles(far.text) == [] and "No events match what you chose." in far.text
    # Anything the list does not offer is left out, not refused.
    odd = await web.get("/lublin/en/events", params={"kind": "rave", "topic": "../x", "language": "xx"})
    assert odd.status_code == 200 and len(titles(odd.text)) >= 4

    feed = await web.get("/lublin/en/events.ics", params={"kind": "language_course"})
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    by_summary = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "Polish language course A1" in by_summary and not OTHER_DEMO_EVENTS & set(by_summary)
    assert by_summary["Polish language course A1"].get("RRULE")["FREQ"] == ["WEEKLY"]


async def test_free_only_leaves_out_events_that_cost_something(web, platform, auth_header) -> None:
    title = unique("Driving theory course")
    paid = create_event(
        platform,
        organiser(auth_header),
        event_body(title, cost={"free": False, "amount": 120, "currency": "PLN"}),
    )
    assert title in await listed(web)
    free_ones = await listed(web, free="1")
    assert title not in free_ones and "Residence permit: how to apply" in free_ones
    free = await web.get("/lublin/en/events", params={"free": "1"})
    assert 'href="/lublin/en/events.ics?free=true"' in free.text
    feed = icalendar.Calendar.from_ical(
        (await web.get("/lublin/en/events.ics", params={"free": "1"})).content
    )
    assert title not in {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
    page = await web.get(f"/lublin/en/events/{paid['id']}")
    assert re.search(r'<dt>Cost</dt><dd><span dir="ltr">PLN\s?120\.00</span>', page.text)


async def test_an_event_page_says_when_where_what_it_costs_and_offers_a_calendar_file(web) -> None:
    page = await web.get(EVENT.format(lang="en"))
    assert page.status_code == 200
    text = page.text
    assert "<h1>Residence permit: how to apply</h1>" in text
    assert "ul. Spokojna 4, 20-914 Lublin" in text and "Free" in text
    assert '<span lang="uk">українська</span>' in text  # languages used, each in its own name
    assert "40 places" in text
    assert 'action="/lublin/en/events/demo-residence-permits/register"' in text
    assert 'name="csrf_token"' in text and 'name="key"' in text
    ics = await web.get(EVENT.format(lang="en") + "/calendar.ics")
    assert ics.status_code == 200 and "attachment" in ics.headers["content-disposition"]
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Residence permit: how to apply"
    missing = await web.get("/lublin/en/events/no-such-event/calendar.ics")
    assert missing.status_code == 404


async def test_an_event_in_arabic_is_right_to_left_with_its_title_marked_in_its_own_language(
    web, platform, auth_header
) -> None:
    page = await web.get(EVENT.format(lang="ar"))
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "التسجيل" in page.text  # the form's heading, in Arabic
    assert "<h1>بطاقة الإقامة: كيف تقدّم الطلب</h1>" in page.text  # the demo's own Arabic text
    assert "هذه الصفحة غير متوفرة بلغتك" not in page.text
    assert "الأماكن محدودة. إذا امتلأت الفعالية، تنضم إلى قائمة الانتظار." in page.text
    assert '<button type="submit" class="button">سجّل</button>' in page.text
    # An event with no Arabic text yet: shown in English, said so, and marked as English.
    title = unique("Tenant rights")
    made = create_event(platform, organiser(auth_header), event_body(title))
    english = await web.get(f"/lublin/ar/events/{made['id']}")
    assert english.status_code == 200 and '<html lang="ar" dir="rtl">' in english.text
    assert f'<h1 lang="en" dir="ltr">{title}</h1>' in english.text
    assert "هذه الصفحة غير متوفرة بلغتك" in english.text


async def test_moved_and_cancelled_dates_are_shown_as_such(web, platform, auth_header) -> None:
    title = unique("Job club")
    start = local_start(3, 10)
    body = event_body(
        title,
        kind="workshop",
        schedule={
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "rrule": "FREQ=WEEKLY;COUNT=4",
        },
    )
    made = create_event(platform, organiser(auth_header), body)
    first, second = made["occurrences"][0]["occurrence"], made["occurrences"][1]["occurrence"]
    change_occurrence(
        platform, organiser(auth_header), made["id"], first, {"cancelled": True, "note": "The trainer is ill"}
    )
    moved_to = start + timedelta(days=8)
    change_occurrence(
        platform,
        organiser(auth_header),
        made["id"],
        second,
        {
            "start": moved_to.isoformat() + "+00:00",
            "end": (moved_to + timedelta(hours=1)).isoformat() + "+00:00",
        },
    )
    page = await web.get(f"/lublin/en/events/{made['id']}")
    text = page.text
    assert text.count('class="occurrence occurrence--cancelled"') == 1
    assert "The trainer is ill" in text
    assert text.count("Moved – it was on") == 1
    listed = await web.get("/lublin/en/events", params={"kind": "workshop"})
    assert "event-card--cancelled" in listed.text and "Moved – it was on" in listed.text


async def test_whole_day_events_show_their_dates_without_times(web, platform, auth_header) -> None:
    one_day = create_event(
        platform,
        organiser(auth_header),
        event_body(
            unique("Open day"), start=local_start(5, 0), minutes=24 * 60, registration={"required": False}
        ),
    )
    page = await web.get(f"/lublin/en/events/{one_day['id']}")
    assert "No registration is needed. Just come." in page.text
    when = re.search(r'<span class="occurrence__when">([^<]+)</span>', page.text)
    assert when and ":" not in when.group(1)  # a date, no hours
    listed = await web.get("/lublin/en/events", params={"kind": "information_session"})
    card = listed.text[
        listed.text.index(one_day["texts"]["title"]) - 400 : listed.text.index(one_day["texts"]["title"])
    ]
    assert "All day" in card

    start = local_start(9, 0)
    two_days = create_event(
        platform,
        organiser(auth_header),
        event_body(
            unique("Weekend fair"),
            registration={"required": False},
            schedule={
                "start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(), "all_day": True,
            },
        ),
    )  # fmt: skip
    page = await web.get(f"/lublin/en/events/{two_days['id']}")
    when = re.search(r'<span class="occurrence__when">([^<]+)</span>', page.text)
    first, last = start, start + timedelta(days=1)
    assert when and ":" not in when.group(1)
    assert f"{first:%b} {first.day}" in when.group(1) and f"{last:%b} {last.day}" in when.group(1)


async def test_unknown_events_and_switched_off_addresses_are_404_pages(web) -> None:
    assert (await web.get("/lublin/en/events/no-such-event")).status_code == 404
    assert (await web.get("/lublin/en/events/..%2F..%2Fx")).status_code == 404
    assert (await web.get("/lublin/en/events", params={"page": "50"})).status_code == 404


async def test_with_the_events_and_notify_services_down_their_pages_say_so(
    web, platform, auth_header
) -> None:
    # A reader who registered and subscribed while everything was up...
    made = create_event(platform, organiser(auth_header), event_body(unique("Tenants' meeting")))
    address = f"/lublin/en/events/{made['id']}"
    page = await web.get(address)
    occurrence = re.search(r'name="occurrence" value="([^"]+)"', page.text)
    assert occurrence
    form = {"csrf_token": token_of(page), "key": form_key_of(page), "occurrence": occurrence.group(1)}
    assert (await web.post(address + "/register", data=form)).status_code == 303
    notifications = await web.get("/lublin/en/notifications")
    subscribed = await web.post(
        "/lublin/en/notifications",
        data={"csrf_token": token_of(notifications), "channel": "inbox", "topic": "health"},
    )
    assert subscribed.status_code == 303
    # ...comes back while both services are away: each page says so (503), nothing breaks, and what the
    # browser holds is kept for when they are back.
    dead = f"http://127.0.0.1:{free_port()}"
    settings = web_settings(platform, events_url=dead, notify_url=dead, backend=patient())
    async with serve(create_app(settings)) as away:
        away.headers["X-Forwarded-For"] = web.headers["X-Forwarded-For"]
        for kept in ("witaj_registrations", "witaj_notifications"):
            away.cookies.set(kept, web.cookies[kept])
        other = await away.get("/lublin/en/pages/lublin-health-insurance")
        assert other.status_code == 200  # the rest of the app stays up
        for shown in (
            "/lublin/en/events",
            address,
            "/lublin/en/notifications",
            "/lublin/en/inbox",
        ):
            page = await away.get(shown)
            assert page.status_code == 503 and page.headers["retry-after"] == "30", shown
            assert "The service is not available right now" in page.text and "Traceback" not in page.text
        feed = await away.get("/lublin/en/events.ics")
        assert feed.status_code == 503
        sent = await away.post(address + "/register", data={**form, "csrf_token": token_of(other)})
        assert sent.status_code == 503 and "The service is not available right now" in sent.text
        mine = await away.get("/lublin/en/registrations")
        assert mine.status_code == 503 and mine.headers["retry-after"] == "30"
        assert (
            "Your registrations cannot be shown right now because the service is not answering." in mine.text
        )
        assert "You have no registrations" not in mine.text
        assert not [c for c in mine.headers.get_list("set-cookie") if "Max-Age=0" in c]  # nothing forgotten
        stream = await away.get("/lublin/en/inbox/stream")
        assert stream.status_code == 503
    # Back up: the same browser still has its place and its inbox.
    assert "You have a place" in (await web.get(address)).text
    assert (await web.get("/lublin/en/inbox")).status_code == 200
