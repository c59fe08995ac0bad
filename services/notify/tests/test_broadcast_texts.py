"""Unit tests of an urgent notice's texts: which language each subscriber gets, and its direction."""

from __future__ import annotations

from notify_helpers import LUBLIN
from witaj.notify.broadcasts import broadcast_id, fingerprint
from witaj.notify.schemas import BroadcastCreate
from witaj.notify.templates import WrittenTexts
from witaj.shared.bidi import RLM

TEXTS = {
    "pl": {"title": "Urząd nieczynny", "body": "Jutro urząd jest zamknięty."},
    "ar": {"title": "NFZ مغلق غدا", "body": "المكتب مغلق."},
}


def test_a_subscriber_gets_their_language_else_their_fallbacks_else_the_citys_chain() -> None:
    texts = WrittenTexts(LUBLIN, TEXTS)
    assert texts.get("ar", []).language == "ar"
    assert texts.get("ru", ["ar"]).language == "ar"  # their own fallback first
    assert texts.get("uk", []).language == "pl"  # Lublin: Ukrainian falls back to Polish
    assert texts.get("en", []).language == "pl"  # no English, no fallback written: the default
    assert texts.get("uk", []) is texts.get("uk", [])  # rendered once per (language, fallbacks)


def test_a_right_to_left_notice_starting_with_latin_letters_is_anchored_right_to_left() -> None:
    arabic = WrittenTexts(LUBLIN, TEXTS).written("ar")
    assert arabic.rtl and arabic.title == RLM + TEXTS["ar"]["title"]
    assert arabic.body == TEXTS["ar"]["body"]  # starts with an Arabic letter: nothing to add
    assert WrittenTexts(LUBLIN, TEXTS).written("pl").title == "Urząd nieczynny"


def test_a_broadcast_is_the_same_for_the_same_city_key_and_request() -> None:
    request = BroadcastCreate(topics=["work", "housing", "work"], texts=TEXTS)
    assert request.topics == ["housing", "work"]
    same = BroadcastCreate(topics=["housing", "work"], texts=TEXTS)
    assert fingerprint(request) == fingerprint(same)
    assert fingerprint(request) != fingerprint(BroadcastCreate(topics=["housing"], texts=TEXTS))
    assert broadcast_id("lublin", "k-1") == broadcast_id("lublin", "k-1") != broadcast_id("gdansk", "k-1")
