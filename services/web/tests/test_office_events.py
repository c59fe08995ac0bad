"""Events and courses in the back office over HTTP, without JavaScript: writing one with its schedule in
words, the API's complaints next to their inputs, a draft published, one date moved and another
cancelled, the whole event cancelled; and an NGO editor's events only."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from event_helpers import CITY, create_event, next_weekday, organisation
from office_helpers import form_token, sign_in, text_of


def event_id_of(location: str) -> str:
    found = re.search(r"/events/([a-z0-9-]+)\?done=", location)
    assert found, location
    return found.group(1)


def course_form(token: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """A Polish course on Tuesdays and Thursdays, ten times, from next week's Tuesday."""
    start = next_weekday(1)
    form: dict[str, str | list[str]] = {
        "csrf_token": token, "kind": "language_course", "source_language": "pl",
        "texts.title": "Polski dla początkujących", "texts.description": "Dwa razy w tygodniu.",
        "schedule.start_date": start.isoformat(), "schedule.start_time": "17:00", "schedule.end_time": "18:30",
        "repeat.freq": "weekly", "repeat.interval": "1", "repeat.days": ["tue", "thu"], "repeat.ends": "count",
        "repeat.count": "10", "place.address": "ul. Peowiaków 6, Lublin", "cost.free": "yes", "capacity": "12",
        "registration.required": "yes", "registration.per": "series", "target_groups": ["refugee", "worker"],
        "languages_of_instruction": ["pl", "uk"],
    }  # fmt: skip
    form.update(changes)
    return form


async def test_a_course_is_written_without_javascript_checked_in_words_saved_and_published(
    web, identity_provider, platform
) -> None:
    org = organisation()
    await sign_in(web, identity_provider, "ngo_editor", org=org)
    new = await web.get(f"{CITY}/events/new")
    assert new.status_code == 200 and 'name="texts.title"' in new.text
    token = form_token(new)

    wrong = course_form(token, **{"texts.title": "", "schedule.start_time": "5pm", "place.address": ""})
    refused = await web.post(f"{CITY}/events/new", data={**wrong, "intent": "publish"})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "Title: Fill this in" in page and "Starts at: Enter a time, like 17:30" in page
    assert "Address: Give an address or an online link" in page
    assert '<a href="#f-texts-title">' in refused.text and 'id="f-schedule-start-time-error"' in refused.text
    assert 'value="Dwa razy w tygodniu.' not in refused.text and "Dwa razy w tygodniu." in refused.text

    checked = await web.post(f"{CITY}/events/new", data={**course_form(token), "intent": "check"})
    assert checked.status_code == 200
    words = text_of(checked).split("The dates in words", 1)[1]
    assert "every Tuesday and Thursday from" in words and "10 times, 17:00" in words

    saved = await web.post(f"{CITY}/events/new", data={**course_form(token), "intent": "draft"})
    assert saved.status_code == 303, saved.text
    event_id = event_id_of(saved.headers["location"])
    page = await web.get(saved.headers["location"])
    assert "The event is saved." in text_of(page) and "Draft" in text_of(page)
    assert "every Tuesday and Thursday" in text_of(page) and org in text_of(page)
    async with httpx.AsyncClient(base_url=platform["events"]) as api:
        assert (await api.get(f"/cities/lublin/events/{event_id}")).status_code == 404  # a draft

    published = await web.post(f"{CITY}/events/{event_id}/publish", data={"csrf_token": token})
    assert published.status_code == 303 and published.headers["location"].endswith("done=published")
    async with httpx.AsyncClient(base_url=platform["events"]) as api:
        public = (await api.get(f"/cities/lublin/events/{event_id}")).json()
    assert public["status"] == "published" and public["capacity"] == 12
    assert public["schedule"]["rrule"] == "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=10"
    assert public["registration"] == {"required": True, "per": "series", "opens_at": None, "closes_at": None}

    edit = await web.get(f"{CITY}/events/{event_id}/edit")
    assert 'id="f-repeat-days-thu" name="repeat.days" value="thu" checked' in edit.text
    assert 'name="repeat.count" type="text" inputmode="numeric" value="10"' in edit.text
    changed = course_form(form_token(edit), **{"texts.title": "Polski A1", "repeat.ends": "until",
                                               "repeat.until": next_weekday(3, weeks=4).isoformat()})  # fmt: skip
    assert (
        await web.post(f"{CITY}/events/{event_id}/edit", data={**changed, "intent": "save"})
    ).status_code == 303
    async with httpx.AsyncClient(base_url=platform["events"]) as api:
        public = (await api.get(f"/cities/lublin/events/{event_id}")).json()
    assert public["texts"]["title"] == "Polski A1" and "UNTIL=" in public["schedule"]["rrule"]


async def test_the_schedule_in_words_answers_alone_for_htmx(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "ngo_editor", org=organisation())
    token = form_token(await web.get(f"{CITY}/events/new"))
    monthly = course_form(
        token, **{"repeat.freq": "monthly", "repeat.monthly": "weekday", "repeat.ends": "never"}
    )
    box = await web.post(f"{CITY}/events/schedule", data=monthly, headers={"HX-Request": "true"})
    assert box.status_code == 200 and "<html" not in box.text
    which = ("first", "second", "third", "fourth", "last")[(next_weekday(1).day - 1) // 7]
    assert f"every month on the {which} Tuesday from" in text_of(box)

    web.cookies.set("witaj_office_lang", "pl")
    polish = await web.post(
        f"{CITY}/events/schedule", data=course_form(token), headers={"HX-Request": "true"}
    )
    assert "co tydzień we wtorki i w czwartki od" in text_of(polish) and "10 razy" in text_of(polish)
    broken = await web.post(
        f"{CITY}/events/schedule", data=course_form(token, **{"schedule.start_date": "jutro"}),
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "gdy pierwszy termin i godziny będą wpisane poprawnie" in text_of(broken)


async def test_one_date_is_moved_another_cancelled_then_the_whole_event(
    web, identity_provider, platform, auth_header
) -> None:
    org = organisation()
    day = next_weekday(1)
    weekly = {"start": f"{day}T10:00:00", "end": f"{day}T11:00:00", "rrule": "FREQ=WEEKLY;COUNT=4"}
    event = create_event(
        platform["events"], auth_header("ngo_editor", city="lublin", org=org), schedule=weekly
    )
    first, second = (o["occurrence"] for o in event["occurrences"][:2])
    await sign_in(web, identity_provider, "ngo_editor", org=org)

    page = await web.get(f"{CITY}/events/{event['id']}")
    assert f'href="{CITY}/events/{event["id"]}/dates/{first}"' in page.text
    form = await web.get(f"{CITY}/events/{event['id']}/dates/{first}")
    assert form.status_code == 200
    token = form_token(form)
    moved_day = day + timedelta(days=1)
    empty = await web.post(
        f"{CITY}/events/{event['id']}/dates/{first}",
        data={"csrf_token": token, "change": "moved", "date": ""},
    )
    assert empty.status_code == 422 and "Date: Fill this in" in text_of(empty)
    backwards = await web.post(
        f"{CITY}/events/{event['id']}/dates/{first}",
        data={"csrf_token": token, "change": "moved", "date": moved_day.isoformat(), "start_time": "12:00", "end_time": "11:00"},
    )  # fmt: skip
    assert backwards.status_code == 422 and "The end must be after the start" in text_of(backwards)
    moved = await web.post(
        f"{CITY}/events/{event['id']}/dates/{first}",
        data={"csrf_token": token, "change": "moved", "date": moved_day.isoformat(), "start_time": "12:00",
              "end_time": "13:00", "note": "Sala 2"},
    )  # fmt: skip
    assert moved.status_code == 303
    cancelled = await web.post(
        f"{CITY}/events/{event['id']}/dates/{second}", data={"csrf_token": token, "change": "cancelled"}
    )
    assert cancelled.status_code == 303
    page = text_of(await web.get(f"{CITY}/events/{event['id']}?done=occurrence"))
    assert (
        "The date is changed." in page and "Moved (was" in page and "Sala 2" in page and "Cancelled" in page
    )

    confirm = await web.get(f"{CITY}/events/{event['id']}/cancel")
    assert "Cancel the whole event?" in text_of(confirm)
    gone = await web.post(f"{CITY}/events/{event['id']}/cancel", data={"csrf_token": form_token(confirm)})
    assert gone.status_code == 303
    page = await web.get(gone.headers["location"])
    assert "The event is cancelled." in text_of(page) and f"/events/{event['id']}/edit" not in page.text


async def test_an_ngo_editor_sees_and_changes_only_their_organisation_s_events(
    web, identity_provider, platform, auth_header
) -> None:
    mine, theirs = organisation(), organisation()
    own = create_event(platform["events"], auth_header("ngo_editor", city="lublin", org=mine), publish=False)
    other = create_event(platform["events"], auth_header("ngo_editor", city="lublin", org=theirs))
    await sign_in(web, identity_provider, "ngo_editor", org=mine)

    listing = await web.get(f"{CITY}/events")
    assert own["id"] in listing.text and other["id"] not in listing.text
    assert "Draft" in text_of(listing)
    for path in ("", "/edit", "/registrations", "/cancel", "/translations/uk"):
        answer = await web.get(f"{CITY}/events/{other['id']}{path}")
        assert answer.status_code == 403, path
    token = form_token(listing)
    assert (
        await web.post(f"{CITY}/events/{other['id']}/cancel", data={"csrf_token": token})
    ).status_code == 403
    forged = await web.post(f"{CITY}/events/{own['id']}/cancel", data={"csrf_token": "x" * 43})
    assert forged.status_code == 403 and "form" in text_of(forged).lower()  # not signed for this browser
    async with httpx.AsyncClient(base_url=platform["events"]) as api:
        assert (await api.get(f"/cities/lublin/events/{other['id']}")).json()["status"] == "published"
        kept = await api.get(
            f"/cities/lublin/events/{own['id']}", headers=auth_header("ngo_editor", city="lublin", org=mine)
        )
        assert kept.json()["status"] == "draft"  # the forged form cancelled nothing
