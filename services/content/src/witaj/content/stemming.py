# ruff: noqa: RUF001  (Ukrainian suffixes and the typographic apostrophe are meant)
"""Words to index terms, per language: Snowball stemmers where they exist, character bigrams for CJK.

The embedded database has no `$text`, and MongoDB's text search stems few of the languages migrants
read, so Witaj tokenises itself and behaves the same on both. Snowball (PyStemmer) covers pl, en, ru,
ar, de, es, it, nl, fa and more; Ukrainian has no Snowball stemmer, so a light suffix stripper stands in;
any other language is matched on whole lower-cased words, which never fails.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import Stemmer

SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "fa": "persian", "fi": "finnish", "fr": "french",
    "hi": "hindi", "hu": "hungarian", "hy": "armenian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "ne": "nepali", "nl": "dutch", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip

# Longest first; a stem keeps at least three letters.
_UK_SUFFIXES = sorted(
    """ісінький анням енням анню енню ання ення ість ості остю ами ями ові еві ому ого ими іми ий ій ої ою ею ую юю
    ах ях ам ям ів їв ом ем ти ть ся сь ла ли ло на ні не ну ий а я о е і и у ю є ї""".split(),
    key=len,
    reverse=True,
)
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORD = 40


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
    )


@cache
def _snowball(language: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(language)
    return Stemmer.Stemmer(name) if name else None


def _stem_uk(word: str) -> str:
    for suffix in _UK_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded (ligatures, full-width digits), apostrophes unified."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) for every word, offsets into `text` itself."""
    for match in _WORD.finditer(text):
        yield match.start(), match.end(), normalise(match.group(0))[:MAX_WORD]


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> tuple[str, ...]:
    """Index terms of one normalised word (several for CJK runs, which have no spaces); memoised, as
    indexing and highlighting meet the same words over and over."""
    if any(_is_cjk(c) for c in word):
        return (word,) if len(word) == 1 else tuple(word[i : i + 2] for i in range(len(word) - 1))
    if language == "uk":
        return (_stem_uk(word),)
    stemmer = _snowball(language)
    return (stemmer.stemWord(word) if stemmer else word,)


def terms(text: str, language: str) -> list[str]:
    return [term for _, _, word in words(text) for term in stem(word, language)]
