"""The translation workflow shared by content and events."""

import pytest
from witaj.shared.translations import InvalidTransition, ItemTranslations
from witaj.shared.translations import TranslationState as S

LANGS = ["pl", "en", "uk", "ar"]


def published(item: ItemTranslations, language: str, text: str = "t") -> ItemTranslations:
    item = item.with_translation(language, state=S.DRAFT, fields={"title": text})
    for state in (S.TRANSLATED, S.REVIEWED, S.PUBLISHED):
        item = item.with_translation(language, state=state)
    return item


def test_a_translation_reaches_readers_only_after_review() -> None:
    item = ItemTranslations(source_language="pl")
    item = item.with_translation("uk", state=S.DRAFT, fields={"title": "Житло"})
    with pytest.raises(InvalidTransition) as error:
        item.with_translation("uk", state=S.PUBLISHED)
    assert error.value.status == 409 and "draft" in error.value.message
    item = published(item, "uk")
    assert item.published_languages() == ["pl", "uk"]


def test_source_edit_marks_published_translations_outdated_but_keeps_serving_them() -> None:
    item = published(ItemTranslations(source_language="pl"), "uk")
    edited = item.after_source_edit()
    status = edited.status(LANGS)
    assert status["uk"].outdated and status["uk"].state is S.PUBLISHED
    assert not status["pl"].outdated and status["pl"].source
    assert "uk" in edited.published_languages()
    assert edited.needs_work(LANGS) == {"uk": "outdated", "en": "missing", "ar": "missing"}


def test_minor_edit_carries_current_translations_forward() -> None:
    item = published(ItemTranslations(source_language="pl"), "uk").after_source_edit()
    item = published(item.with_translation("en", state=S.DRAFT, fields={"title": "x"}), "en", "Housing")
    minor = item.after_source_edit(minor=True)
    status = minor.status(LANGS)
    assert not status["en"].outdated  # was current, stays current
    assert status["uk"].outdated  # was already outdated, a minor edit does not hide that


def test_new_text_records_the_source_revision_it_was_made_from() -> None:
    item = published(ItemTranslations(source_language="pl"), "uk").after_source_edit().after_source_edit()
    refreshed = item.with_translation("uk", state=S.DRAFT, fields={"title": "нове"}, machine_translated=True)
    assert refreshed.get("uk").source_revision == 3 and refreshed.get("uk").machine_translated
    assert not refreshed.status(LANGS)["uk"].outdated


def test_the_source_language_is_not_a_translation() -> None:
    with pytest.raises(Exception) as error:
        ItemTranslations(source_language="pl").with_translation("pl", state=S.DRAFT)
    assert getattr(error.value, "code", "") == "source_language"
