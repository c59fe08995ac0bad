# ruff: noqa: RUF001  (texts in several scripts are meant)
"""The search index on its own (no service): the fast top-k ranks exactly as scoring everything would,
typos are forgiven only where promised, and indexing reads words as highlighting does."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from witaj.content.cache import _cached
from witaj.content.ranking import _exact, _sources, rank, slots
from witaj.content.search_index import SearchIndex, within_one_edit
from witaj.content.stemming import folded_words, words
from witaj.devkit.demo.files import load_all
from witaj.shared.events import ContentKind
from witaj.shared.translations import ItemTranslations, Translation, TranslationState

VOCABULARY = {
    "pl": "karta pobytu umowa najmu mieszkanie praca lekarz ubezpieczenie zdrowotne urząd wniosek w na i".split(),
    "uk": "карта побиту договір оренди квартира робота лікар страхування заява в на і".split(),
}


def page(rng: random.Random, n: int) -> dict:
    def text(language: str, length: int) -> str:
        return " ".join(rng.choice(VOCABULARY[language]) for _ in range(length))

    fields = {"title": text("uk", 4), "summary": text("uk", 10), "body": text("uk", 40)}
    ukrainian = Translation(language="uk", state=TranslationState.PUBLISHED, source_revision=1, fields=fields)
    return {
        "_id": f"p{n:04d}", "city": "x", "kind": "page" if n % 3 else "glossary_term", "status": "published",
        "content": {"title": text("pl", 4), "summary": text("pl", 10), "body": text("pl", 40), "topics": []}
        if n % 3 else {"title": text("pl", 2), "definition": text("pl", 12), "synonyms": [], "topics": []},
        "translations": ItemTranslations(source_language="pl", translations={"uk": ukrainian}).model_dump(mode="json"),
        "revision": 1, "version": 1, "updated_at": datetime.now(UTC),
    }  # fmt: skip


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    rng, found = random.Random(5), SearchIndex()
    for n in range(400):
        item = _cached(page(rng, n))
        found.on_change("x", item, item.id)
    return found


@pytest.mark.parametrize(
    ("languages", "query"),
    [
        (["pl"], "karta pobytu"),
        (["uk", "pl"], "karta pobytu"),
        (["uk", "pl"], "карта побиту umowa"),
        (["pl"], "w na i"),  # words in nearly every item
        (["pl"], "ubezpieczene lekarza"),  # a typo and an inflection
        (["uk", "pl"], "страхуваня"),
    ],
)
@pytest.mark.parametrize("first", [1, 5, 20, 1000])
def test_the_top_items_are_those_scoring_everything_would_give(index, languages, query, first) -> None:
    city = index.cities["x"]
    top, total = rank(index.cities["x"], languages, query, set(), first)
    present = [(code, city.languages[code]) for code in languages]
    per_slot = _sources(slots(query), present)
    every = set().union(*(source.scored.by_item for sources in per_slot for source in sources))
    expected = sorted(
        (_exact(i, per_slot, len(slots(query))) for i in every), key=lambda h: (-h.score, h.item_id)
    )
    assert total == len(every) > 0
    assert [(round(h.score, 9), h.matched) for h in top] == [
        (round(h.score, 9), h.matched) for h in expected[:first]
    ]
    kinds = {ContentKind.GLOSSARY_TERM}
    terms, count = rank(index.cities["x"], languages, query, kinds, first)
    assert count == sum(1 for i in every if city.kinds[i] in kinds)
    assert all(city.kinds[hit.item_id] is ContentKind.GLOSSARY_TERM for hit in terms)


def test_a_typo_is_forgiven_in_words_of_five_letters_or_more_only(index) -> None:
    assert rank(index.cities["x"], ["pl"], "lekarx", set(), 5)[1] > 0  # one letter changed
    assert rank(index.cities["x"], ["pl"], "ubezpieczenei", set(), 5)[1] > 0  # two letters swapped
    assert rank(index.cities["x"], ["pl"], "umowx", set(), 5)[1] > 0  # five letters
    assert rank(index.cities["x"], ["pl"], "umox", set(), 5)[1] == 0  # four: too short to guess
    assert rank(index.cities["x"], ["pl"], "lekxrxz", set(), 5)[1] == 0  # two edits


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("pobytu", "pobitu", True), ("pobytu", "pobytuu", True), ("pobytu", "pobyt", True),
        ("pobytu", "opbytu", True), ("pobytu", "pobyut", True), ("pobytu", "pobbitu", False),
        ("pobytu", "ybotup", False), ("karta", "kartka", True), ("karta", "krtka", False),
    ],
)  # fmt: skip
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near and within_one_edit(b, a) is near


def test_indexing_reads_the_same_words_as_highlighting_in_every_demo_language() -> None:
    samples = [
        "يُصدر بطاقاتِ الإقامة",
        "کارت‌های اقامت",
        "ﬁle Ｆｕｌｌ",
        "Zezwolenie na pobyt",
        "居留卡（karta pobytu）",
    ]
    for city in load_all():
        for item in city.items:
            for language in item.bodies:
                samples += item.texts(language).values()
    for text in samples:
        assert folded_words(text) == [word for _, _, word in words(text)], text
