# ruff: noqa: RUF001, RUF002  (Ukrainian, Arabic, Persian and Urdu letters and the typographic apostrophe are meant)
"""Words to index terms, per language: Snowball stemmers where they fit, light stemmers where they do
not, character bigrams for Chinese and Japanese.

The embedded database has no `$text`, and MongoDB's text search stems few of the languages migrants
read, so Witaj tokenises itself and behaves the same on both; search and the glossary share these terms,
so a glossary term is found in the forms a search finds. Snowball (PyStemmer) covers pl, en, ru, de, es,
it, nl, fa and more; Dari is written Persian and uses the Persian stemmer. Snowball's Arabic stemmer
strips too much from common words (بطاقة "card" loses its first letter as if it were a preposition), so
Arabic uses the light stemmer search engines commonly use for it (prefixed articles and a few suffixes).
Ukrainian and Urdu have no Snowball stemmer and get light suffix strippers; any other language is matched
on whole lower-cased words, which never fails.

Arabic-script text is folded before stemming: diacritics and the elongation mark go, and Arabic and
Persian letter forms are unified (readers type ي or ی, ك or ک as their keyboard has them); a zero-width
non-joiner inside a Persian or Urdu word joins it (کارت‌ها is one word, "cards").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache

import Stemmer

SNOWBALL = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "fa": "persian", "fi": "finnish", "fr": "french", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "ne": "nepali", "nl": "dutch", "pl": "polish", "prs": "persian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip


def _longest_first(suffixes: str) -> tuple[str, ...]:
    return tuple(sorted(suffixes.split(), key=len, reverse=True))


# A stem keeps at least three letters (Ukrainian, Urdu) or two (Arabic, whose roots are short).
_UK_NOMINAL = _longest_first(
    """ісінький анням енням анню енню ання ення анні енні ість ості остю ами ями ові еві ому ого ими іми ий ій ої
    ою ею ую юю ах ях ам ям ів їв ом ем а я о е і и у ю є ї"""
)
_UK_REFLEXIVE = ("ся", "сь")
_UK_VERBAL = ("ти", "ть")
_UR_SUFFIXES = _longest_first("یوں یاں وں یں ئیں ے ی ا ہ")
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")  # in order, as the light stemmer has them
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"  # Arabic diacritics, Quranic marks, tatweel
_ARABIC_MARKS = re.compile(f"[{_MARKS}]")
# A word: letters and digits with the marks and zero-width non-joiners inside it (the marks go when it is
# folded; the non-joiner joins it), so a diacritic never splits a word.
_WORD = re.compile(f"[\\w\u0300-\u036f{_MARKS}\u200c]+")
_ARABIC_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"})
_PERSIAN_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا"})
_URDU_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ه": "ہ", "ة": "ہ"})
_ARABIC_SCRIPT = {"ar": _ARABIC_FORMS, "fa": _PERSIAN_FORMS, "prs": _PERSIAN_FORMS, "ur": _URDU_FORMS}
MAX_WORD = 40


def is_cjk(char: str) -> bool:
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


def _strip(word: str, suffixes: tuple[str, ...], keep: int) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    return word


def _stem_uk(word: str) -> str:
    """Ukrainian light stemming: a reflexive ending, then one case ending of a noun or adjective, or else
    a verb's. Nouns first: карти (of the card) is карт + и, not кар + ти."""
    word = _strip(word, _UK_REFLEXIVE, 4)
    stemmed = _strip(word, _UK_NOMINAL, 3)
    return stemmed if stemmed != word else _strip(word, _UK_VERBAL, 3)


def _stem_ar(word: str) -> str:
    """Arabic light stemming: a leading conjunction and article, then the common suffixes, each only where
    at least two letters remain."""
    if word.startswith("و") and len(word) > 3:
        word = word[1:]
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


def normalise(text: str) -> str:
    """Lower case, compatibility forms folded (ligatures, full-width digits), apostrophes unified, Arabic
    diacritics and the elongation mark removed."""
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text).lower().replace("’", "'"))


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lower-cased word) for every word, offsets into `text` itself."""
    for match in _WORD.finditer(text):
        word = normalise(match.group(0)).replace("\u200c", "")[:MAX_WORD]
        if word:
            yield match.start(), match.end(), word


def folded_words(text: str) -> list[str]:
    """The same words as `words`, without offsets, folding the whole text at once (indexing's speed)."""
    return [word[:MAX_WORD] for word in _WORD.findall(normalise(text).replace("\u200c", "")) if word]


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> tuple[str, ...]:
    """Index terms of one normalised word (several for CJK runs, which have no spaces); memoised, as
    indexing and highlighting meet the same words over and over."""
    if any(is_cjk(c) for c in word):
        return (word,) if len(word) == 1 else tuple(word[i : i + 2] for i in range(len(word) - 1))
    forms = _ARABIC_SCRIPT.get(language)
    if forms is not None:
        word = word.translate(forms)
    if language == "ar":
        return (_stem_ar(word),)
    if language == "uk":
        return (_stem_uk(word),)
    if language == "ur":
        return (_strip(word, _UR_SUFFIXES, 3),)
    stemmer = _snowball(language)
    return (stemmer.stemWord(word) if stemmer else word,)


_KNOWN: dict[str, dict[str, tuple[str, ...]]] = {}
"""Per language, words already stemmed: indexing meets the same words over and over."""
MAX_KNOWN = 200_000


def stems_of(words_found: list[str], language: str) -> list[tuple[str, ...]]:
    """`stem` of each word, through a plain per-language dictionary (indexing's speed)."""
    known = _KNOWN.setdefault(language, {})
    if len(known) > MAX_KNOWN:
        known.clear()
    missing = [word for word in words_found if word not in known]
    for word in missing:
        known[word] = stem(word, language)
    return [known[word] for word in words_found]


def terms(text: str, language: str) -> list[str]:
    return [term for _, _, word in words(text) for term in stem(word, language)]


def tokens(text: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, term) for every index term of `text`, with the characters it covers: a word's span,
    or for a run of CJK characters each bigram's two characters (search highlights and glossary marks)."""
    found = []
    for start, end, word in words(text):
        stems = stem(word, language)
        if len(stems) == 1 or len(word) != end - start:
            found.extend((start, end, term) for term in stems)
        else:  # a CJK run the same length as its source: each bigram covers two characters
            found.extend((start + i, start + i + 2, term) for i, term in enumerate(stems))
    return found
