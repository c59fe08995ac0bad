"""The search index: per city and language, kept beside the published-content cache (ranking is in
`ranking.py`).

An inverted index per city and language follows the cache item by item, so searching never queries the
database (and works the same on MongoDB and the embedded one, which has no `$text`). Each term's BM25
contributions (over field-weighted term counts: a title match outweighs a body match) are kept, by item
and best first, until the index changes. The index also keeps every word as written, so a typo can be
matched to the words it is one edit away from, and a highlight can find the words a term was made from.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

from witaj.content.cache import CachedItem
from witaj.content.kinds import MODELS, texts_of
from witaj.content.stemming import folded_words, stems_of
from witaj.shared.events import ContentKind

FIELD_WEIGHTS = {"title": 3.0, "synonyms": 2.5, "definition": 2.0, "summary": 1.5}
K1, B = 1.2, 0.75
FUZZY_FROM = 5
"""Letters a query word needs before a typo in it is forgiven."""
SCORED_TERMS = 4_096
"""Terms whose BM25 contributions each language index keeps between changes (least recently used go)."""


def variants(word: str) -> list[str]:
    """The word and every way of leaving one letter out: two words within one edit share one of these."""
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]


def within_one_edit(a: str, b: str) -> bool:
    """True when `b` is `a` with one letter changed, added or left out, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[i:] == long[i + 1 :]


@dataclass(frozen=True, eq=False)
class Scored:
    by_item: dict[str, float]
    ordered: list[tuple[str, float]]
    """The same, best first (ties by item id)."""


def _best_first(pair: tuple[str, float]) -> tuple[float, str]:
    return -pair[1], pair[0]


@dataclass
class LanguageIndex:
    """One city's items in one language: postings, lengths, and the vocabulary typos are matched in."""

    postings: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    lengths: dict[str, float] = field(default_factory=dict)
    total_length: float = 0.0
    forms: dict[str, str] = field(default_factory=dict)
    """Every word as written (normalised) -> its term, to forgive a typo in the word as typed."""
    near: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Deletion variants -> words and terms that have them (see `variants`)."""
    titles: dict[str, frozenset[str]] = field(default_factory=dict)
    """Item -> the terms of its title (a query all in the title gets a bonus when ranked)."""
    written: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Term -> the words (normalised) it was made from, to find a field worth highlighting quickly."""
    _scored: OrderedDict[str, Scored] = field(default_factory=OrderedDict)
    _norms: dict[str, float] | None = None

    def add(
        self,
        item_id: str,
        counts: dict[str, float],
        forms: dict[str, str],
        title: frozenset[str] = frozenset(),
    ) -> None:
        self.remove(item_id, counts)
        for term, weight in counts.items():
            if term not in self.postings:
                self._learn(term)
            self.postings[term][item_id] = weight
        for form, term in forms.items():
            if form not in self.forms:  # a word always has the same term
                self.forms[form] = term
                self.written[term].add(form)
                self._learn(form)
        length = sum(counts.values())
        self.lengths[item_id] = length
        self.titles[item_id] = title
        self.total_length += length
        self._changed()

    def remove(self, item_id: str, counts: dict[str, float]) -> None:
        if item_id not in self.lengths:
            return
        for term in counts:
            posting = self.postings.get(term)
            if posting is not None:
                posting.pop(item_id, None)
                if not posting:
                    del self.postings[term]
        self.total_length -= self.lengths.pop(item_id)
        self.titles.pop(item_id, None)
        self._changed()

    def _learn(self, word: str) -> None:
        if len(word) >= FUZZY_FROM - 1:
            for variant in variants(word):
                self.near[variant].add(word)

    def _changed(self) -> None:
        self._scored.clear()
        self._norms = None

    def scores(self, term: str) -> Scored | None:
        """Every item's BM25 contribution for `term`, by item and best first (None when no item has it),
        kept until the index changes: the same few terms are asked for again and again."""
        found = self._scored.get(term)
        if found is not None:
            self._scored.move_to_end(term)
            return found
        posting = self.postings.get(term)
        if not posting:
            return None
        if self._norms is None:
            average = self.total_length / len(self.lengths) or 1.0
            self._norms = {i: K1 * (1 - B + B * length / average) for i, length in self.lengths.items()}
        norms = self._norms
        idf = math.log(1 + (len(self.lengths) - len(posting) + 0.5) / (len(posting) + 0.5))
        by_item = {item: idf * tf * (K1 + 1) / (tf + norms[item]) for item, tf in posting.items()}
        found = self._scored[term] = Scored(by_item, sorted(by_item.items(), key=_best_first))
        if len(self._scored) > SCORED_TERMS:
            self._scored.popitem(last=False)
        return found

    def typo_terms(self, word: str, term: str) -> set[str]:
        """Terms within one edit of the word as typed, or of its stem, that some item has."""
        found: set[str] = set()
        for probe in {word, term}:
            for variant in variants(probe):
                for known in self.near.get(variant, ()):
                    if within_one_edit(probe, known):
                        candidate = self.forms.get(known, known) if probe == word else known
                        if self.postings.get(candidate):
                            found.add(candidate)
        found.discard(term)
        return found


@dataclass
class CityIndex:
    languages: dict[str, LanguageIndex] = field(default_factory=lambda: defaultdict(LanguageIndex))
    indexed: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # item -> lang -> counts
    kinds: dict[str, ContentKind] = field(default_factory=dict)


def flat_texts(item: CachedItem, language: str) -> dict[str, str]:
    key = ("flat", language)
    if key not in item.memo:
        item.memo[key] = texts_of(MODELS[item.kind].model_validate(item.texts(language)))
    return item.memo[key]  # type: ignore[no-any-return]


class SearchIndex:
    """Follows the cache (register `on_change` as its listener) and answers ranked queries."""

    def __init__(self) -> None:
        self.cities: dict[str, CityIndex] = defaultdict(CityIndex)

    def on_change(self, city: str, item: CachedItem | None, item_id: str) -> None:
        index = self.cities[city]
        for language, counts in index.indexed.pop(item_id, {}).items():
            index.languages[language].remove(item_id, counts)
        index.kinds.pop(item_id, None)
        if item is None:
            return
        index.kinds[item_id] = item.kind
        index.indexed[item_id] = {}
        for language in item.languages:
            counts: dict[str, float] = defaultdict(float)
            forms: dict[str, str] = {}
            title: frozenset[str] = frozenset()
            for path, text in flat_texts(item, language).items():
                weight = FIELD_WEIGHTS.get(path.split(".")[0], 1.0)
                found = folded_words(text)
                stems = stems_of(found, language)
                for term, times in Counter(term for terms in stems for term in terms).items():
                    counts[term] += weight * times
                if path == "title":
                    title = frozenset(term for terms in stems for term in terms)
                forms.update(
                    (word, terms[0]) for word, terms in zip(found, stems, strict=True) if len(terms) == 1
                )
            index.indexed[item_id][language] = dict(counts)
            index.languages[language].add(item_id, dict(counts), forms, title)
