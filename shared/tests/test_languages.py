"""Choosing the language to serve: reader's wishes first, then the city's fallback chain."""

import pytest
from witaj.shared.languages import choose_language, is_rtl, normalise, parse_accept_language

FALLBACKS = {"uk": ["pl", "en"], "ar": ["en", "pl"], "*": ["en"]}


def choose(prefs: list[str], available: set[str]):
    return choose_language(prefs, available, default_language="pl", fallbacks=FALLBACKS)


def test_accept_language_is_ordered_by_quality_and_deduplicated() -> None:
    header = "uk-UA,uk;q=0.9,ru;q=0.8,en-US;q=0.7,xx;q=0.6,*;q=0.1"
    assert parse_accept_language(header) == ["uk", "ru", "en"]


@pytest.mark.parametrize("header", ["", None, ";;;,", "q=1", "en;q=abc", "-" * 500])
def test_broken_accept_language_does_not_fail(header: str | None) -> None:
    parse_accept_language(header)


def test_first_choice_is_served_when_available() -> None:
    choice = choose(["uk"], {"pl", "uk"})
    assert choice and choice.language == "uk" and not choice.fallback


def test_readers_own_second_choice_beats_the_city_chain() -> None:
    choice = choose(["uk", "en"], {"pl", "en"})
    assert choice and choice.language == "en" and choice.fallback and choice.requested == "uk"


def test_city_chain_is_followed_for_the_first_choice() -> None:
    choice = choose(["ar"], {"pl", "en"})
    assert choice and choice.language == "en" and choice.fallback


def test_default_language_without_preferences_is_not_a_fallback() -> None:
    choice = choose([], {"pl", "en"})
    assert choice and choice.language == "pl" and not choice.fallback


def test_any_available_language_rather_than_nothing() -> None:
    choice = choose(["uk"], {"de"})
    assert choice and choice.language == "de" and choice.fallback
    assert choose(["uk"], set()) is None


def test_right_to_left_scripts_are_flagged() -> None:
    assert all(is_rtl(c) for c in ("ar", "fa", "ur", "prs", "ps", "he"))
    assert not is_rtl("uk")
    choice = choose(["ar"], {"ar"})
    assert choice and choice.rtl


def test_tags_are_normalised_to_known_codes() -> None:
    assert normalise("fa-AF") == "fa"
    assert normalise("zh_Hant_TW") == "zh"
    assert normalise("klingon") is None
    assert normalise("<script>") is None
