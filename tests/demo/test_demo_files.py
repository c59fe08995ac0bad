"""The demo data files: every text in every language of its city, checked by the APIs' own models."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from witaj.content.default_topics import DEFAULT_TOPICS
from witaj.devkit.demo.files import CITIES, HERE, DemoDataError, load_all, load_city
from witaj.shared.events import ContentKind
from witaj.shared.languages import LANGUAGES

TWELVE = {"pl", "en", "uk", "ru", "ar", "zh", "prs", "es", "nl", "de", "ur", "it"}


def test_every_demo_city_speaks_the_twelve_languages_in_every_text() -> None:
    for city in load_all():
        languages = set(city.config.languages)
        assert languages == TWELVE and languages <= set(LANGUAGES)
        assert city.items and city.events
        for item in city.items:
            assert set(item.bodies) == languages, item.id
            source = item.texts(item.source_language)
            for language in languages - {item.source_language}:
                assert set(item.texts(language)) == set(source), (item.id, language)
            # Translated, not copied: the title differs from the source wherever the script differs.
            for language in {"uk", "ru", "ar", "zh", "prs", "ur"} - {item.source_language}:
                title = item.texts(language)["title"]
                assert title != source["title"] or title.isupper(), (item.id, language)  # PESEL, NFZ
        for event in city.events:
            assert set(event.texts) == languages, event.id
            assert event.event_in(date.today()).schedule.start.date() > date.today()
        for topic in city.topics or DEFAULT_TOPICS:
            assert set(topic.labels) >= languages, topic.id


def test_machine_made_translations_are_marked_and_the_source_never_is() -> None:
    lublin, bologna = load_all()
    assert lublin.machine_translated == {"ru", "zh", "prs", "es", "nl", "de", "ur", "it"}
    for city in (lublin, bologna):
        for item in city.items:
            assert item.source_language not in item.machine_translated
            assert item.machine_translated <= set(item.translations)


def test_the_second_city_has_its_own_tree_procedures_and_practices_linked_to_the_first() -> None:
    lublin, bologna = load_all()
    assert (bologna.config.country, bologna.config.default_language) == ("IT", "it")
    assert bologna.topics is not None and {t.id for t in bologna.topics} != {t.id for t in DEFAULT_TOPICS}
    assert len(bologna.of_kind(ContentKind.PROCESS)) >= 3
    lublin_practices = {item.id for item in lublin.of_kind(ContentKind.PRACTICE)}
    linked = [
        similar["item_id"]
        for item in bologna.of_kind(ContentKind.PRACTICE)
        for similar in item.source.model_dump()["similar"]
        if similar["city"] == "lublin"
    ]
    assert linked and set(linked) <= lublin_practices


def test_a_text_missing_a_language_is_refused_naming_the_file_field_and_language(tmp_path: Path) -> None:
    shutil.copytree(HERE / "lublin", tmp_path / "lublin")
    page = tmp_path / "lublin" / "pages" / "work.yaml"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    page.write_text("".join(line for line in lines if "ur: لوبلن میں قانونی" not in line), "utf-8")
    with pytest.raises(DemoDataError) as refused:
        load_city("lublin", tmp_path)
    message = str(refused.value)
    assert "pages/work.yaml" in message and "content.title" in message and "ur" in message


def test_an_invalid_field_is_refused_by_the_api_model(tmp_path: Path) -> None:
    shutil.copytree(HERE / "lublin", tmp_path / "lublin")
    office = tmp_path / "lublin" / "organisations" / "luw-foreigners.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("lat: 51.2489", "lat: 151.2489"), "utf-8")
    with pytest.raises(DemoDataError, match=r"luw-foreigners.yaml, content \(pl\): location.lat"):
        load_city("lublin", tmp_path)


def test_the_demo_cities_are_the_folders_beside_the_loader() -> None:
    assert sorted(CITIES) == sorted(p.name for p in HERE.iterdir() if (p / "city.yaml").exists())
