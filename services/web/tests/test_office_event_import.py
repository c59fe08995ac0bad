"""Calendars into the back office over HTTP: an .ics file uploaded and uploaded again, a file that is no
calendar, events of a file that cannot be taken (each with why, in the office's language), and a
calendar URL kept and imported now, failing in the office's words when its server fails."""

from __future__ import annotations

import uuid

from event_helpers import CITY, CalendarServer, calendar, organisation
from office_helpers import form_token, sign_in, text_of


def counts(page_text: str) -> str:
    return page_text.split("What the import did", 1)[1].split("See your events", 1)[0]


async def test_an_uploaded_calendar_is_imported_then_updated_and_its_problems_explained(
    web, identity_provider
) -> None:
    org = organisation()
    await sign_in(web, identity_provider, "ngo_editor", org=org)
    form = await web.get(f"{CITY}/events/import")
    assert form.status_code == 200 and 'type="file"' in form.text
    token = form_token(form)
    tag = uuid.uuid4().hex[:6]
    first = calendar(
        (f"a1-{tag}@ngo", "Polski A1", "FREQ=WEEKLY;COUNT=10"), (f"a2-{tag}@ngo", "Polski A2", "")
    )

    done = await web.post(
        f"{CITY}/events/import",
        data={"csrf_token": token},
        files={"file": ("kalendarz.ics", first, "text/calendar")},
    )
    assert done.status_code == 200, done.text
    assert (
        " ".join(counts(text_of(done)).split())
        == "kalendarz.ics New events 2 Updated 0 Unchanged 0 Cancelled (gone from the calendar) 0"
    )
    listing = text_of(await web.get(f"{CITY}/events"))
    assert "Polski A1" in listing and "Polski A2" in listing and "from a calendar" in listing

    renamed = calendar(
        (f"a1-{tag}@ngo", "Polski A1 (wieczorem)", "FREQ=WEEKLY;COUNT=10"),
        (f"bad-{tag}@ngo", "Nigdy", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
    )
    again = await web.post(
        f"{CITY}/events/import",
        data={"csrf_token": token},
        files={"file": ("kalendarz.ics", renamed, "text/calendar")},
    )
    shown = text_of(again)
    assert " ".join(counts(shown).split()).endswith(
        "New events 0 Updated 1 Unchanged 0 Cancelled (gone from the calendar) 1"
    )
    assert "1 event was not imported" in shown and f"bad-{tag}@ngo" in shown
    assert "Its dates do not work" in shown

    nothing = await web.post(f"{CITY}/events/import", data={"csrf_token": token})
    assert nothing.status_code == 400 and "Choose a calendar file to upload" in text_of(nothing)
    broken = await web.post(
        f"{CITY}/events/import",
        data={"csrf_token": token},
        files={"file": ("x.ics", b"not a calendar", "text/calendar")},
    )
    assert broken.status_code == 400 and "This is not a calendar file Witaj can read" in text_of(broken)
    assert '<a href="#f-file">' in broken.text
    huge = await web.post(
        f"{CITY}/events/import",
        data={"csrf_token": token},
        files={"file": ("big.ics", first + b" " * 2_000_000, "text/calendar")},
    )  # over the 2 MB the form's hint says, under what the back office takes
    assert huge.status_code == 413 and '<a href="#f-file">' in huge.text
    assert "Calendar file (.ics): The calendar is too large to import (at most 2 MB)." in text_of(huge)


async def test_a_calendar_url_is_kept_imported_now_and_its_failure_said(web, identity_provider) -> None:
    await sign_in(web, identity_provider, "ngo_editor", org=organisation())
    token = form_token(await web.get(f"{CITY}/events/import"))
    tag = uuid.uuid4().hex[:6]
    server = CalendarServer(calendar((f"k-{tag}@ngo", "Klub rozmów", "FREQ=WEEKLY;COUNT=4")))
    with server as address:
        bad = await web.post(
            f"{CITY}/events/import/sources",
            data={"csrf_token": token, "name": "Mój kalendarz", "url": address},
        )
        assert bad.status_code == 422 and "Short name: Use small letters, digits and hyphens" in text_of(bad)
        inside = await web.post(
            f"{CITY}/events/import/sources",
            data={"csrf_token": token, "name": "main", "url": "http://10.1.2.3/c.ics"},
        )
        assert inside.status_code == 422 and "it leads into a private network" in text_of(inside)
        kept = await web.post(
            f"{CITY}/events/import/sources", data={"csrf_token": token, "name": "main", "url": address}
        )
        assert kept.status_code == 303
        page = await web.get(kept.headers["location"])
        assert "main" in text_of(page) and "Not imported yet" in text_of(page)

        imported = await web.post(f"{CITY}/events/import/sources/main", data={"csrf_token": token})
        assert imported.status_code == 200 and "New events 1" in " ".join(text_of(imported).split())
        assert "1 new, 0 updated, 0 unchanged, 0 cancelled" in text_of(imported)  # kept with the source

        server.status = 500
        failed = await web.post(f"{CITY}/events/import/sources/main", data={"csrf_token": token})
        assert failed.status_code == 502
        assert "The calendar could not be fetched from its address." in text_of(failed)


async def test_calendars_uploaded_under_their_own_names_never_cancel_each_other_s_events(
    web, identity_provider
) -> None:
    await sign_in(web, identity_provider, "ngo_editor", org=organisation())
    token = form_token(await web.get(f"{CITY}/events/import"))
    tag = uuid.uuid4().hex[:6]
    courses = calendar(
        (f"a1-{tag}@ngo", "Polski A1", "FREQ=WEEKLY;COUNT=10"), (f"a2-{tag}@ngo", "Polski A2", "")
    )
    workshops = calendar((f"cv-{tag}@ngo", "Warsztaty CV", ""))

    async def upload(data: bytes, name: str) -> str:
        done = await web.post(
            f"{CITY}/events/import",
            data={"csrf_token": token, "calendar": name},
            files={"file": ("kalendarz.ics", data, "text/calendar")},
        )
        assert done.status_code == 200, done.text
        return " ".join(counts(text_of(done)).split())

    assert "Kept as the calendar “kursy”" in await upload(courses, "Kursy")
    cancelled_before = text_of(await web.get(f"{CITY}/events")).count("Cancelled")
    assert (await upload(workshops, "warsztaty")).endswith(
        "New events 1 Updated 0 Unchanged 0 Cancelled (gone from the calendar) 0"
    )  # the courses, in another calendar, stay
    listing = text_of(await web.get(f"{CITY}/events"))
    assert (
        listing.count("Cancelled") == cancelled_before
        and "Polski A2" in listing
        and "Warsztaty CV" in listing
    )

    fewer = calendar((f"a1-{tag}@ngo", "Polski A1", "FREQ=WEEKLY;COUNT=10"))
    assert (await upload(fewer, "kursy")).endswith(
        "New events 0 Updated 0 Unchanged 1 Cancelled (gone from the calendar) 1"
    )  # the same calendar again, without one of its courses

    bad = await web.post(
        f"{CITY}/events/import",
        data={"csrf_token": token, "calendar": "Mój kalendarz"},
        files={"file": ("kalendarz.ics", workshops, "text/calendar")},
    )
    assert bad.status_code == 422 and '<a href="#f-calendar">' in bad.text
    assert "Calendar name: Use small letters, digits and hyphens" in text_of(bad)
    assert 'value="Mój kalendarz"' in bad.text  # kept as typed
