"""Unit tests of the back office's events: schedules in words in English, Polish and Ukrainian, the event
form read into the API's body and shown again, problems put by their inputs, CSV cells that are never
formulas, who may do what with events, and every text the events pages name."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.datastructures import FormData
from witaj.web.clients.base import BackendRefused
from witaj.web.i18n import Translator, catalogue, chapters
from witaj.web.office import event_form, event_problems, recurrence
from witaj.web.office.spreadsheet import cell, csv_bytes
from witaj.web.office.staff import Staff

WARSAW = ZoneInfo("Europe/Warsaw")


def words(language: str, rrule: str | None, **schedule: object) -> str:
    values = {
        "start": datetime(2030, 3, 5, 17),
        "end": datetime(2030, 3, 5, 18, 30),
        "rrule": rrule,
        **schedule,
    }
    said = recurrence.summary(Translator(language, book="office"), recurrence.Schedule(**values))  # type: ignore[arg-type]
    return said.replace("\u2009", " ").replace("\u202f", " ")  # CLDR's thin spaces, as plain ones here


@pytest.mark.parametrize(
    ("language", "rrule", "said"),
    [
        (
            "en",
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300330T235959",
            "every Tuesday and Thursday from March 5 until March 30, 17:00 – 18:30",
        ),
        (
            "pl",
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300330T235959",
            "co tydzień we wtorki i w czwartki od 5 marca do 30 marca, 17:00–18:30",
        ),
        (
            "uk",
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300330T235959",
            "щотижня у вівторок і у четвер з 5 березня до 30 березня, 17:00–18:30",
        ),
        (
            "en",
            "FREQ=WEEKLY;INTERVAL=2;COUNT=5",
            "every 2 weeks on Tuesday from March 5, 5 times, 17:00 – 18:30",
        ),
        ("pl", "FREQ=WEEKLY;INTERVAL=5;COUNT=22", "co 5 tygodni we wtorki od 5 marca, 22 razy, 17:00–18:30"),
        ("uk", "FREQ=DAILY;INTERVAL=3", "кожні 3 дні з 5 березня, 17:00–18:30"),
        ("en", "FREQ=MONTHLY;BYDAY=1TU", "every month on the first Tuesday from March 5, 17:00 – 18:30"),
        (
            "pl",
            "FREQ=MONTHLY;BYDAY=-1TU;UNTIL=20310101",
            "co miesiąc, wtorek w ostatnim tygodniu miesiąca od 5 marca do 1 stycznia 2031, 17:00–18:30",
        ),
        (
            "en",
            "FREQ=MONTHLY;BYMONTHDAY=5;INTERVAL=2",
            "every month on day 5, every 2 months from March 5, 17:00 – 18:30",
        ),
        ("uk", "FREQ=YEARLY;COUNT=1", "щороку з 5 березня, 1 раз, 17:00–18:30"),
        (
            "en",
            "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
            "repeats by the rule FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2, 17:00 – 18:30",
        ),
    ],
)
def test_a_schedule_in_words(language: str, rrule: str, said: str) -> None:
    assert words(language, rrule) == said


def test_one_date_exceptions_extra_dates_and_whole_days_in_words() -> None:
    assert words("en", None) == "Tuesday, March 5, 2030, 17:00 – 18:30"
    assert words("pl", None, start=datetime(2030, 6, 1), end=datetime(2030, 6, 3), all_day=True) == (
        "sobota, 1 czerwca 2030, 2 dni"
    )
    skipped = words(
        "en", "FREQ=WEEKLY;COUNT=4", exdates=(datetime(2030, 3, 12, 17),), rdates=(datetime(2031, 1, 2, 17),)
    )
    assert (
        skipped
        == "every Tuesday from March 5, 4 times, 17:00 – 18:30; not on March 12; also on January 2, 2031"
    )
    many = tuple(datetime(2030, 4, day, 17) for day in range(1, 10))
    assert words("en", "FREQ=DAILY", exdates=many).endswith("April 5, April 6, and 3 more")
    assert (
        words("uk", None, end=datetime(2030, 3, 6, 2))
        == "вівторок, 5 березня 2030 р., 17:00 – 6 березня, 02:00"
    )


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=DAILY;INTERVAL=2;UNTIL=20300601T235959",
        "FREQ=YEARLY",
    ],
)
def test_the_rules_the_form_offers_go_both_ways(rrule: str) -> None:
    rule = recurrence.parse(rrule)
    assert rule is not None and recurrence.parse(rule.to_rrule()) == rule


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
        "FREQ=WEEKLY;BYDAY=2TU",
        "FREQ=YEARLY;BYMONTH=3",
        "FREQ=HOURLY",
        "nonsense",
    ],
)
def test_rules_the_form_cannot_show_are_kept_as_text(rrule: str) -> None:
    assert recurrence.parse(rrule) is None


def test_the_position_of_a_weekday_in_its_month() -> None:
    assert [recurrence.position_of(date(2030, 3, day)) for day in (1, 7, 8, 21, 28, 29)] == [
        1,
        1,
        2,
        3,
        4,
        -1,
    ]


def posted(**changes: object) -> FormData:
    values: dict[str, object] = {
        "kind": "language_course", "texts.title": " Polski A1 ", "texts.description": "Dla dorosłych\r\n",
        "schedule.start_date": "2030-03-05", "schedule.start_time": "17:00", "schedule.end_time": "18:30",
        "repeat.freq": "weekly", "repeat.days": ["tue", "thu"], "repeat.ends": "until", "repeat.until": "2030-06-27",
        "schedule.exdates": "2030-04-22\n2030-05-01 17:00", "place.address": "Rynek 1", "place.location.lat": "51,2478",
        "place.location.lng": "22.5681", "cost.free": "no", "cost.amount": "20,50", "capacity": "12",
        "registration.required": "yes", "registration.per": "series", "registration.closes_at": "2030-03-04T12:00",
        "topics": ["education"], "languages_of_instruction": ["pl", "uk"],
    }  # fmt: skip
    values.update(changes)
    items = [(k, v) for k, value in values.items() for v in (value if isinstance(value, list) else [value])]
    return FormData(items)  # type: ignore[arg-type]


def test_the_event_form_reads_into_the_api_s_body_and_shows_again_the_same() -> None:
    reading = event_form.read(posted(), WARSAW)
    assert reading.problems == {}
    body = reading.body
    assert body["texts"] == {"title": "Polski A1", "description": "Dla dorosłych", "accessibility_notes": ""}
    assert body["schedule"] == {
        "start": "2030-03-05T17:00:00", "end": "2030-03-05T18:30:00", "all_day": False,
        "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300627T235959",
        "exdates": ["2030-04-22T17:00:00", "2030-05-01T17:00:00"], "rdates": [],
    }  # fmt: skip
    assert body["place"]["location"] == {"lat": "51.2478", "lng": "22.5681"}
    assert body["cost"] == {"free": False, "amount": "20.50", "currency": "PLN"}
    assert body["registration"] == {
        "required": True,
        "per": "series",
        "closes_at": "2030-03-04T12:00:00+01:00",
    }
    stored = {**body, "cost": {"free": False, "amount": 20.5, "currency": "PLN"}, "capacity": 12,
              "place": {"address": "Rynek 1", "location": {"lat": 51.2478, "lng": 22.5681}},
              "registration": {**body["registration"], "closes_at": "2030-03-04T11:00:00+00:00"}}  # fmt: skip
    shown = event_form.values(stored, WARSAW)
    assert shown["repeat.freq"] == "weekly" and shown["repeat.days"] == ["tue", "thu"]
    assert (shown["repeat.ends"], shown["repeat.until"]) == ("until", "2030-06-27")
    assert shown["schedule.exdates"] == "2030-04-22\n2030-05-01"
    assert shown["registration.closes_at"] == "2030-03-04T12:00" and shown["cost.amount"] == "20.5"
    assert shown["place.location.lat"] == "51.2478" and shown["capacity"] == "12"


def test_whole_days_monthly_weekdays_and_custom_rules_are_read() -> None:
    whole = event_form.read(
        posted(**{"schedule.all_day": "yes", "schedule.end_date": "2030-03-07", "repeat.freq": "none"}),
        WARSAW,
    )
    assert (
        whole.body["schedule"]["start"] == "2030-03-05T00:00:00"
        and whole.body["schedule"]["end"] == "2030-03-08T00:00:00"
    )
    assert whole.body["schedule"]["all_day"] and whole.body["schedule"]["rrule"] is None
    monthly = event_form.read(
        posted(
            **{
                "repeat.freq": "monthly",
                "repeat.monthly": "weekday",
                "repeat.ends": "count",
                "repeat.count": "6",
            }
        ),
        WARSAW,
    )
    assert monthly.body["schedule"]["rrule"] == "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"
    custom = event_form.read(
        posted(**{"repeat.freq": "custom", "schedule.rrule": "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"}), WARSAW
    )
    assert custom.body["schedule"]["rrule"] == "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"
    assert event_form.values(custom.body, WARSAW)["repeat.freq"] == "custom"


def test_what_cannot_be_read_is_put_by_its_input_and_leaves_the_schedule_out() -> None:
    reading = event_form.read(
        posted(**{"schedule.start_date": "5 March", "schedule.end_time": "", "schedule.exdates": "Easter",
                  "repeat.ends": "count", "repeat.count": "many", "registration.opens_at": "soon"}), WARSAW,
    )  # fmt: skip
    assert reading.problems == {
        "schedule.start_date": "date", "schedule.end_time": "required", "schedule.exdates": "dates",
        "repeat": "whole_number", "registration.opens_at": "moment",
    }  # fmt: skip
    assert "schedule" not in reading.body and reading.schedule is None
    problems = event_problems.event_problems(Translator("en", book="office"), None, reading.problems)
    assert dict(problems.summary())["#f-schedule-start-date"] == "First date: Enter a date, like 2030-03-31"


@pytest.mark.parametrize(
    ("code", "details", "input_id", "message"),
    [
        (
            "invalid_schedule",
            {"reason": "end_before_start"},
            "f-schedule-end-time",
            "Ends at: The end must be after the start",
        ),
        (
            "schedule_never_happens",
            {"reason": "never_happens"},
            "f-repeat",
            "Repeats: With this rule the event would never happen",
        ),
        (
            "invalid_schedule",
            {"reason": "no_occurrences"},
            "f-schedule-exdates",
            "Dates without the event: Every date is taken out: nothing is left",
        ),
        (
            "validation_failed",
            [{"field": "body.place", "type": "value_error"}],
            "f-place-address",
            "Address: Give an address or an online link",
        ),
        (
            "validation_failed",
            [{"field": "body.cost", "type": "value_error"}],
            "f-cost-amount",
            "Price: Give the price, or say that it is free",
        ),
        (
            "validation_failed",
            [{"field": "body.place.location.lat", "type": "float_parsing"}],
            "f-place-location",
            "Map point: Enter a number, like 12.5",
        ),
        (
            "validation_failed",
            [{"field": "body.texts.title", "type": "string_too_long"}],
            "f-texts-title",
            None,
        ),
        ("capacity_below_registrations", None, "f-capacity", None),
        ("organisation_required", None, "f-organisation", "Organisation: Say which organisation this is for"),
    ],
)
def test_the_api_s_complaints_go_by_their_inputs(code, details, input_id, message) -> None:
    refused = BackendRefused("events", 422, code, details)
    problems = event_problems.event_problems(Translator("en", book="office"), refused)
    found = dict(problems.summary())
    assert f"#{input_id}" in found, found
    if message:
        assert found[f"#{input_id}"] == message


def test_a_custom_rule_s_problem_goes_by_the_rule() -> None:
    refused = BackendRefused("events", 422, "invalid_schedule", {"reason": "rrule_invalid"})
    problems = event_problems.event_problems(Translator("pl", book="office"), refused, custom_rule=True)
    assert dict(problems.summary()) == {
        "#f-schedule-rrule": "Reguła powtarzania (RRULE iCalendar): Tej reguły powtarzania nie da się odczytać"
    }


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+2", "'=1+2"), ("+48 600", "'+48 600"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
     ("\uff1dcmd", "'\uff1dcmd"), ("  =1+2", "'  =1+2"), ("\u00a0\u3000@x", "'\u00a0\u3000@x"),
     ("Olena", "Olena"), ("a=b", "a=b"), (" Olena", " Olena"), (None, ""), (12, "12")],
)  # fmt: skip
def test_no_cell_is_a_formula(value: object, safe: str) -> None:
    assert cell(value) == safe


def test_a_csv_file_opens_as_utf_8_in_spreadsheets() -> None:
    data = csv_bytes(["Imię"], [["Олена"], ['=HYPERLINK("x")']])
    assert data == '\ufeffImię\r\nОлена\r\n"\'=HYPERLINK(""x"")"\r\n'.encode()


EVENT = {"city": "lublin", "organisation": "caritas"}


@pytest.mark.parametrize(
    ("roles", "city", "org", "creates", "edits", "translates"),
    [
        (("ngo_editor",), "lublin", "caritas", True, True, True),
        (("ngo_editor",), "lublin", "other", True, False, False),
        (("ngo_editor",), "lublin", None, False, False, False),
        (("pa_editor",), "lublin", "city-hall", True, False, False),
        (("city_admin",), "lublin", None, True, True, True),
        (("translator",), "lublin", None, False, False, True),
        (("platform_admin",), None, None, True, True, True),
        (("ngo_editor",), "warszawa", "caritas", False, False, False),
        (("analyst",), "lublin", "caritas", False, False, False),
    ],
)
def test_who_may_do_what_with_events(roles, city, org, creates, edits, translates) -> None:
    staff = Staff(subject="s", roles=roles, city=city, organisation=org)
    assert staff.may_create_event("lublin") is creates
    assert staff.may_edit_event(EVENT) is edits
    assert staff.may_translate_event(EVENT) is translates
    assert staff.works_with_events("lublin") is (creates or translates)


def test_the_events_pages_name_only_texts_the_catalogues_have() -> None:
    """Texts named from data (kinds, statuses, reasons...) besides those the templates name literally."""
    from witaj.web.routes.office.events import DONE, STATUSES

    named = {f"office.events.kind.{k}" for k in event_form.KINDS} | {
        f"office.events.status.{s}" for s in STATUSES
    }
    named |= {f"office.events.done.{d}" for d in DONE} | {
        f"office.events.repeat.freq.{r}" for r in event_form.REPEATS
    }
    named |= {f"office.events.schedule.{r}" for r in event_problems.REASONS}
    named |= {f"office.events.field.{path}" for path in event_form.INPUTS}
    named |= {f"office.events.rec.on_day.{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    named |= {f"office.events.rec.monthly_position.{p}" for p in ("1", "2", "3", "4", "last")}
    named |= {f"office.events.import.why.{r}" for r in ("no_uid", "unreadable", "schedule_never_happens", "schedule_too_complex",
                                                          "invalid_schedule", "changed_occurrence_invalid", "changed_occurrence_unreadable")}  # fmt: skip
    named |= {f"office.events.registration.{s}" for s in ("confirmed", "waitlisted", "cancelled")}
    named |= {
        f"office.problem.calendar_{c}"
        for c in ("target_forbidden", "host_unresolvable", "unreachable", "timeout", "too_large")
    }
    assert sorted(key for key in named if key not in catalogue("en", "office")) == []


def test_no_chapter_repeats_a_key_of_the_book() -> None:
    """The back office's chapters (events, broadcasts) each keep their own keys: a key in two files would
    make one of them win silently."""
    import json
    from importlib import resources

    assert "events" in chapters("office")
    root = resources.files("witaj.web").joinpath("locales", "office")
    for code in ("en", "pl", "uk"):
        book = json.loads(root.joinpath(f"{code}.json").read_text(encoding="utf-8"))
        for name in chapters("office"):
            chapter = json.loads(root.joinpath(name, f"{code}.json").read_text(encoding="utf-8"))
            assert sorted(set(book) & set(chapter)) == [], (name, code)
