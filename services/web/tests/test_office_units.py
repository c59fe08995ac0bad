"""Unit tests of the back office's own logic: its catalogues, forms read and shown again, problems next to
their fields, word diffs, sealed sessions, who may do what."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from starlette.datastructures import FormData
from witaj.shared.events import Feature
from witaj.web.clients.base import BackendRefused
from witaj.web.i18n import Translator, babel_locale, catalogue, translated_languages
from witaj.web.office import forms
from witaj.web.office.diff import compare, inline
from witaj.web.office.problems import explain
from witaj.web.office.sessions import Sealer
from witaj.web.office.staff import Staff

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "witaj" / "web" / "templates" / "office"
EN = Translator("en", book="office")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_back_office_speaks_polish_english_and_ukrainian() -> None:
    assert {"pl", "en", "uk"} <= set(translated_languages("office"))


@pytest.mark.parametrize("code", ["pl", "uk"])
def test_each_office_catalogue_has_every_text_with_the_same_placeholders(code: str) -> None:
    source, texts = catalogue("en", "office"), catalogue(code, "office")
    assert sorted(set(source) - set(texts)) == [], "missing texts"
    assert sorted(set(texts) - set(source)) == [], "texts nothing uses"
    categories = set(babel_locale(code).plural_form.tags) | {"other"}
    for key, english in source.items():
        if isinstance(english, dict):
            assert set(texts[key]) == categories, key
        else:
            assert placeholders(texts[key]) == placeholders(english), key


def test_every_text_the_office_templates_name_is_in_the_catalogue() -> None:
    named = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"t\('(office\.[a-z_.]*[a-z])'", template.read_text()))
    from witaj.web.routes.office.city import SETTINGS_FIELDS
    from witaj.web.routes.office.content import STEPS

    named |= {f"office.workflow.{now}.{then}" for now, nexts in STEPS.items() for then in nexts}
    named |= {f"office.workflow.hint.{now}" for now in STEPS} | {f"office.status.{now}" for now in STEPS}
    named |= {f"office.kinds.{kind}" for kind in forms.FORMS} | {
        f"office.kind.{kind}" for kind in forms.FORMS
    }
    named |= {
        f"office.group.{g.name}.{part}"
        for f in forms.FORMS.values()
        for g in f.groups()
        for part in ("title", "row", "add", "none")
    }
    named |= {f"office.city.{part}.{f.value}" for f in Feature for part in ("feature", "feature_hint")}
    named |= {f"office.city.field.{name}" for name in SETTINGS_FIELDS}
    for kind_path, form in forms.FORMS.items():
        for entry in form.fields:
            for field in getattr(entry, "fields", (entry,)):
                named.add(f"office.field.{field.name}")
                if getattr(field, "hint", False):
                    named.add(f"office.hint.{field.name}")
    assert sorted(key for key in named if key not in catalogue("en", "office")) == []


def test_office_pages_fall_back_to_the_app_s_own_texts() -> None:
    assert Translator("uk", book="office")("office.sign_out") == "Вийти"
    assert Translator("uk", book="office")("nav.skip") == Translator("uk")("nav.skip")


def test_a_procedure_form_reads_into_the_api_s_body_and_shows_again_the_same() -> None:
    posted = FormData(
        [
            ("title", " Karta pobytu "), ("summary", "Jak złożyć wniosek\r\nkrok po kroku"), ("topics", "residence"),
            ("topics", "work"), ("steps.0.title", "Wniosek"), ("steps.0.cost.amount", "440"),
            ("steps.0.cost.currency", "pln"), ("steps.0.documents_needed", "Paszport\r\n\r\n Zdjęcie "),
            ("steps.0.location.lat", "51.25"), ("steps.0.location.lon", "22.57"), ("steps.0.office", ""),
            ("steps.2.title", "Odbiór"), ("steps.2.duration_days", "30"), ("related_pages", ""),
        ]
    )  # fmt: skip
    body = forms.read("processes", posted)
    assert body["title"] == "Karta pobytu" and body["summary"] == "Jak złożyć wniosek\nkrok po kroku"
    assert body["topics"] == ["residence", "work"] and body["related_pages"] == []
    first, second = body["steps"]  # row 1 was removed in the browser: rows are read in order, gaps closed
    assert first["cost"] == {"amount": "440", "currency": "PLN"} and "office" not in first
    assert first["documents_needed"] == ["Paszport", "Zdjęcie"]
    assert first["location"] == {"lat": "51.25", "lon": "22.57"}
    assert second == {"title": "Odbiór", "duration_days": "30", "documents_needed": [], "documents_produced": [], "links": [], "description": ""}  # fmt: skip
    shown = forms.values("processes", body)
    assert shown["steps.0.documents_needed"] == "Paszport\nZdjęcie" and shown["steps.1.title"] == "Odbiór"
    assert shown["steps.0.cost.amount"] == "440" and shown["steps.0.location.lat"] == "51.25"


def test_opening_hours_take_two_times_a_day_and_come_back_in_order() -> None:
    posted = FormData(
        [
            ("title", "Urząd"), ("address", "ul. Spokojna 4"), ("location.lat", "51.2"), ("location.lon", "22.5"),
            ("opening_hours.mon.0.opens", "08:00"), ("opening_hours.mon.0.closes", "12:00"),
            ("opening_hours.mon.1.opens", "13:00"), ("opening_hours.mon.1.closes", "15:30"),
            ("opening_hours.fri.0.opens", "09:00"), ("opening_hours.fri.0.closes", "14:00"),
        ]
    )  # fmt: skip
    body = forms.read("organisations", posted)
    assert [(h["day"], h["opens"]) for h in body["opening_hours"]] == [
        ("mon", "08:00"),
        ("mon", "13:00"),
        ("fri", "09:00"),
    ]
    shown = forms.values("organisations", body)
    assert shown["opening_hours.mon.1.closes"] == "15:30" and shown["opening_hours.fri.0.opens"] == "09:00"


def test_steps_are_added_moved_and_removed_within_their_limits() -> None:
    body = {"title": "x", "steps": [{"title": "a"}, {"title": "b"}]}
    moved, focus = forms.change("processes", body, "up:steps.1")
    assert [s["title"] for s in moved["steps"]] == ["b", "a"] and focus == "f-steps-0-title"
    added, focus = forms.change("processes", body, "add:steps")
    assert len(added["steps"]) == 3 and focus == "f-steps-2-title"
    one = {"title": "x", "steps": [{"title": "a"}]}
    assert forms.change("processes", one, "remove:steps.0")[0]["steps"] == [{"title": "a"}]  # at least one
    assert forms.change("processes", body, "explode:steps.0")[0] == body


def test_the_api_s_complaints_land_next_to_their_inputs_in_the_editor_s_language() -> None:
    refused = BackendRefused(
        "content", 422, "validation_failed",
        [
            {"field": "body.content.steps.1.cost.amount", "problem": "x", "type": "greater_than_equal"},
            {"field": "body.content.title", "problem": "x", "type": "string_too_short"},
            {"field": "body.content.mystery", "problem": "x", "type": "extra_forbidden"},
        ],
    )  # fmt: skip
    known = {"title", "steps.1.cost", "steps.1.title"}
    problems = explain(
        Translator("pl", book="office"), refused, known, lambda path: forms.path_label(EN, "processes", path)
    )
    assert problems.fields == {
        "f-steps-1-cost": "Ta liczba jest poza dozwolonym zakresem",
        "f-title": "Wypełnij to pole",
    }
    assert problems.general == ["Sprawdź to pole"]
    assert ("#f-steps-1-cost", "Step 2: Cost: Ta liczba jest poza dozwolonym zakresem") in problems.summary()
    conflict = explain(EN, BackendRefused("content", 412, "version_mismatch"), known)
    assert conflict.general == [EN("office.problem.version_mismatch")]


def test_word_diffs_mark_what_went_and_what_came_and_escape_the_rest() -> None:
    assert str(inline("Fee: 10 zł <b>", "Fee: 12 zł <b>, children free")) == (
        "Fee: <del>10</del><ins>12</ins> zł &lt;b&gt;<ins>, children free</ins>"
    )
    changes = compare({"title": "A", "steps.0.title": "B"}, {"title": "A!", "summary": "S"})
    assert [(c.path, c.state) for c in changes] == [
        ("title", "changed"),
        ("summary", "added"),
        ("steps.0.title", "removed"),
    ]


def test_a_sealed_session_opens_only_with_its_key_and_in_its_own_document() -> None:
    sealer = Sealer(b"k" * 32)
    box = sealer.seal({"tokens": {"access_token": "secret-token"}}, "doc-1")
    assert b"secret-token" not in box
    assert sealer.open(box, "doc-1") == {"tokens": {"access_token": "secret-token"}}
    assert sealer.open(box, "doc-2") is None  # copied into another session's document
    assert Sealer(b"x" * 32).open(box, "doc-1") is None  # another key
    assert sealer.open(box[:-1] + bytes([box[-1] ^ 1]), "doc-1") is None  # tampered


def test_who_may_do_what_mirrors_the_content_api() -> None:
    city_item = {"city": "lublin", "organisation": "lublin-city-hall"}
    ngo_item = {"city": "lublin", "organisation": "homo-faber"}
    ngo = Staff("s", ("ngo_editor",), city="lublin", organisation="homo-faber")
    assert ngo.may_edit(ngo_item) and not ngo.may_edit(city_item) and not ngo.sees_whole_city("lublin")
    no_org = Staff("s", ("ngo_editor",), city="lublin")
    assert not no_org.works_in("lublin") and not no_org.may_create("lublin")
    translator = Staff("s", ("translator",), city="lublin")
    assert translator.may_translate(city_item) and not translator.may_publish_translation(city_item)
    assert not translator.may_edit(city_item) and translator.translates_only
    admin = Staff("s", ("platform_admin",))
    assert admin.may_edit({"city": "gdansk"}) and admin.works_in("gdansk")
    assert not Staff("s", ("pa_editor",), city="gdansk").works_in("lublin")


def test_who_counsels_mirrors_the_ask_api() -> None:
    """Counsellors answer for an organisation of their city; one who edits nothing works in the office
    all the same (their questions), but has no content work there."""
    counsellor = Staff("s", ("counsellor",), city="lublin", organisation="caritas")
    assert counsellor.counsels("lublin") and counsellor.works_in("lublin")
    assert not counsellor.edits_in("lublin") and not counsellor.may_create("lublin")
    assert not counsellor.counsels("gdansk") and not counsellor.works_in("gdansk")
    assert not Staff("s", ("counsellor",), city="lublin").counsels("lublin")  # no organisation
    assert not Staff("s", ("pa_editor",), city="lublin").counsels("lublin")
    editor = Staff("s", ("pa_editor",), city="lublin", organisation="lublin-city-hall")
    assert editor.counsels("lublin") and editor.edits_in("lublin")
    assert not Staff("s", ("translator",), city="lublin", organisation="x").counsels("lublin")
    assert Staff("s", ("platform_admin",)).counsels("gdansk")


def test_a_database_address_alone_from_the_environment_still_names_the_web_apps_database(monkeypatch) -> None:
    from witaj.web.settings import WebSettings

    monkeypatch.setenv("WITAJ_WEB_MONGO__URL", "mongodb://127.0.0.1:27018")
    assert WebSettings().mongo.database == "witaj_web"
