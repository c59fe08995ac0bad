"""Glossary terms are found in their inflected forms, by the same terms as search, and nowhere else."""

from __future__ import annotations

import pytest
from witaj.content.rendering import Glossary, render_markdown

TERMS = {
    "pl": {"karta pobytu": "card", "umowa najmu": "lease", "PESEL": "pesel"},
    "uk": {"карта побиту": "card"},
    "ru": {"карта побыту": "card"},
    "ar": {"بطاقة الإقامة": "card"},
    "prs": {"کارت اقامت": "card"},
    "ur": {"رہائشی کارڈ": "card"},
    "de": {"Aufenthaltskarte": "card"},
    "zh": {"居留卡": "card"},
}


def marked(language: str, text: str) -> list[str]:
    return [text[s:e] for s, e, _ in Glossary.build(TERMS[language], language).find(text)]


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        ("pl", "Odbierz kartę pobytu; masz dwie karty pobytu i kartą pobytu płacisz.", ["kartę pobytu", "karty pobytu", "kartą pobytu"]),
        ("pl", "Podpisz umowę najmu, a potem pokaż umowy najmu.", ["umowę najmu", "umowy najmu"]),
        ("uk", "Отримання карти побиту: з картою побиту", ["карти побиту", "картою побиту"]),
        ("ru", "До получения карты побыту", ["карты побыту"]),
        ("ar", "يُصدر بطاقات الإقامة والبطاقة الإقامة", ["بطاقات الإقامة", "والبطاقة الإقامة"]),
        ("prs", "صدور کارت‌های اقامت", ["کارت‌های اقامت"]),
        ("ur", "رہائشی کارڈوں کا اجرا", ["رہائشی کارڈوں"]),
        ("de", "Er stellt Aufenthaltskarten aus.", ["Aufenthaltskarten"]),
        ("zh", "签发居留卡和临时居留许可", ["居留卡"]),
    ],
)  # fmt: skip
def test_a_term_is_found_in_its_inflected_forms(language: str, text: str, found: list[str]) -> None:
    assert marked(language, text) == found


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("pl", "karta płatnicza i pobyt turystyczny"),  # one word of the term, not the term
        ("pl", "Weź kartę. Pobytu nie przedłużysz."),  # the words are not next to each other
        ("pl", "kartę, pobytu"),
        ("pl", "umowa o pracę i najmu"),
        ("pl", "Zobacz PESELowski rejestr"),  # the term inside another word
        ("pl", "the residence card (карта побиту)"),  # another language's words
        ("zh", "居留 卡"),  # a Chinese term split by a space
        ("zh", "居留许可"),
    ],
)
def test_nothing_else_is_marked(language: str, text: str) -> None:
    assert marked(language, text) == []


def test_markdown_marks_inflected_terms_as_definitions() -> None:
    html = render_markdown("**Umowę najmu** i kartę pobytu", Glossary.build(TERMS["pl"], "pl"))
    assert (
        '<dfn data-term="lease">Umowę najmu</dfn>' in html
        and '<dfn data-term="card">kartę pobytu</dfn>' in html
    )
