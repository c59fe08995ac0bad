"""Notification texts from the message files: every message in each of the twelve languages, the
subscriber's and the city's fallbacks, direction marks where scripts meet, and the e-mail's own footer."""

from __future__ import annotations

import pytest
from witaj.devkit.demo.files import load_city
from witaj.notify import email
from witaj.notify.templates import (
    CATALOGUE,
    KINDS,
    NOTICES,
    SOURCE_LANGUAGE,
    render,
    render_digest,
    render_message,
    unsubscribe_text,
)
from witaj.shared.bidi import FSI, PDI, RLM

CITY = load_city("lublin").config  # the twelve languages, Polish by default
TWELVE = CITY.languages


def test_every_message_is_written_in_each_of_the_twelve_languages() -> None:
    keys = list(CATALOGUE.texts[SOURCE_LANGUAGE])
    assert set(KINDS) | set(NOTICES) | {"digest", "email", "subscription.confirm"} == set(keys)
    for key in keys:
        assert CATALOGUE.languages(key) >= set(TWELVE), key
    for language in set(TWELVE) - {SOURCE_LANGUAGE}:
        assert CATALOGUE.machine_translated[language]  # not yet reviewed by a translator


@pytest.mark.parametrize("language", TWELVE)
def test_each_message_renders_in_the_subscribers_language(language: str) -> None:
    titles = {code: f"Kurs {code}" for code in TWELVE}
    for kind in KINDS:
        message = render(
            kind, CITY, titles, language=language, fallbacks=[], when="12.05 17:00", link="https://w/x"
        )
        assert message.language == language and f"Kurs {language}" in message.title and message.body
        assert "{{" not in message.title + message.body
    for kind in NOTICES:  # no title of anything, and never what the counsellor wrote
        notice = render(kind, CITY, {}, language=language, fallbacks=[], link="https://w/q")
        assert notice.language == language and "Lublin" in notice.body and "{{" not in notice.title
    digest = render_digest(CITY, [message], language=language, fallbacks=[])
    assert digest.language == language and "1" in digest.title and "Lublin" in digest.intro
    confirm = render_message(
        "subscription.confirm", CITY, language=language, fallbacks=[], link="https://w/c", hours=48
    )
    assert confirm.language == language and "https://w/c" in confirm.body and "Lublin" in confirm.title
    assert "https://w/u" in unsubscribe_text(language, "https://w/u")


def test_the_subscribers_fallbacks_come_before_the_citys_chain() -> None:
    titles = {"pl": "Praca", "en": "Work"}
    # Persian is not among the message files: the subscriber's own fallback (Dari) wins.
    assert render("content.published", CITY, {}, language="fa", fallbacks=["prs"]).language == "prs"
    # The item has no Urdu title: Urdu readers get the city's chain for Urdu (English, then Polish).
    assert render("content.published", CITY, titles, language="ur", fallbacks=[]).language == "en"
    assert render("content.published", CITY, {"pl": "Praca"}, language="ur", fallbacks=[]).language == "pl"


def test_a_title_of_another_script_is_isolated_in_a_right_to_left_message() -> None:
    message = render(
        "agenda.event_published", CITY, {"ar": "Kurs A1"}, language="ar", fallbacks=[], when="12.05"
    )
    assert f"{FSI}Kurs A1{PDI}" in message.title and f"{FSI}Lublin{PDI}" in message.body
    # The body starts with the (isolated) title: a leading mark keeps the paragraph right-to-left.
    assert message.body.startswith(RLM + FSI) and message.rtl
    urdu = render("content.published", CITY, {"ur": "رہائشی کارڈ"}, language="ur", fallbacks=[])
    assert urdu.title.startswith("نیا") and f"{FSI}رہائشی کارڈ{PDI}" in urdu.title
    english = render("content.published", CITY, {"en": "بطاقة الإقامة"}, language="en", fallbacks=[])
    assert english.title == f"New: {FSI}بطاقة الإقامة{PDI}"
    assert render("content.published", CITY, {"en": "Work"}, language="en", fallbacks=[]).title == "New: Work"


def test_an_email_says_how_to_unsubscribe_in_its_own_language() -> None:
    message = render(
        "content.published", CITY, {"uk": "Житло"}, language="uk", fallbacks=[], link="https://w/1"
    )
    mail = email.compose("Witaj <no-reply@witaj.local>", "o@example.org", "k1", message, "https://w/unsub/t")
    text = mail.get_body(("plain",)).get_content()
    assert "Відписатися: https://w/unsub/t" in text and mail["Content-Language"] == "uk"
    arabic = render("content.published", CITY, {"ar": "السكن"}, language="ar", fallbacks=[])
    mail = email.compose("Witaj <no-reply@witaj.local>", "a@example.org", "k2", arabic, "https://w/unsub/t")
    assert "لإلغاء الاشتراك: https://w/unsub/t" in mail.get_body(("plain",)).get_content()
