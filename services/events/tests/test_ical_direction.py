"""iCalendar texts keep their reading direction: a right-to-left title that starts with a Latin word gets
a leading right-to-left mark, so calendars that guess from the first letter show it right."""

from __future__ import annotations

from datetime import date

import icalendar
from witaj.devkit.demo.files import load_city
from witaj.events import ical
from witaj.events.store import AgendaStore
from witaj.shared.bidi import RLM


def test_an_arabic_title_starting_with_a_latin_word_is_marked_right_to_left() -> None:
    demo = load_city("lublin")
    event = next(e for e in demo.events if e.id == "demo-polish-a1")
    doc = AgendaStore.build(
        "lublin", event.event_in(date.today()), event.organisation, "Europe/Warsaw", "test"
    )
    texts = {"title": "A1 دورة اللغة البولندية", "description": "مرتين في الأسبوع، للمبتدئين."}
    english = {"title": "Polish language course A1", "description": "Twice a week."}
    arabic, plain = (
        icalendar.Calendar.from_ical(ical.render([(doc, t, False)], name="Lublin", base_url="https://w"))
        for t in (texts, english)
    )
    vevent = next(c for c in arabic.walk("VEVENT"))
    assert str(vevent["SUMMARY"]) == RLM + texts["title"]
    assert str(vevent["DESCRIPTION"]) == texts["description"]  # starts with an Arabic letter already
    assert str(next(c for c in plain.walk("VEVENT"))["SUMMARY"]) == english["title"]  # untouched
