"""Ranking a query against the search index (`search_index.py`).

A query is looked up in the reader's language *and* in the city's own: migrants often know the official
local term ("karta pobytu") while reading in Ukrainian. Each word of the query counts once, in whichever
language it matched best, and a hit says which languages matched. A word of five letters or more that
the index does not know is also looked up with one letter changed, added, left out or two swapped, as
typed and as stemmed (typo tolerance); such a match weighs less than an exact one. Items that match more
of the query's words get a bonus.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from witaj.content.search_index import FUZZY_FROM, CityIndex, LanguageIndex, Scored
from witaj.content.stemming import is_cjk, stem, words
from witaj.shared.events import ContentKind

MAX_QUERY_WORDS = 12
FUZZY_WEIGHT = 0.7
TITLE_BONUS = 0.5
"""An item whose title holds every word of the query: what the reader named, before long pages that
mention it (BM25 favours short texts, and a page is longer than an office's entry)."""


@dataclass(frozen=True)
class Slot:
    """One word of a query (or one character pair of a Chinese or Japanese run)."""

    word: str
    cjk: bool


@dataclass
class Hit:
    item_id: str
    score: float
    matched: dict[str, set[str]]
    """Language -> the terms that matched in it (what a highlight marks)."""


def slots(query: str) -> list[Slot]:
    found: list[Slot] = []
    for _, _, word in words(query):
        if any(is_cjk(c) for c in word):
            found.extend(Slot(pair, True) for pair in stem(word, "zh"))
        else:
            found.append(Slot(word, False))
    return list(dict.fromkeys(found))[:MAX_QUERY_WORDS]


def _expansions(index: LanguageIndex, slot: Slot, language: str) -> list[tuple[str, float]]:
    term = slot.word if slot.cjk else stem(slot.word, language)[0]
    if term in index.postings or slot.cjk or len(slot.word) < FUZZY_FROM:
        return [(term, 1.0)]
    return [(typo, FUZZY_WEIGHT) for typo in sorted(index.typo_terms(slot.word, term))]


@dataclass(frozen=True, eq=False)
class Source:
    """Where one slot of a query can match: a term of one language, at a weight (lower for a typo)."""

    language: str
    term: str
    weight: float
    scored: Scored
    titles: dict[str, frozenset[str]]


def _sources(wanted: list[Slot], present: list[tuple[str, LanguageIndex]]) -> list[list[Source]]:
    found = []
    for slot in wanted:
        sources = []
        for language, index in present:
            for term, weight in _expansions(index, slot, language):
                scored = index.scores(term)
                if scored is not None:
                    sources.append(Source(language, term, weight, scored, index.titles))
        found.append(sources)
    return found


def rank(
    city: CityIndex, languages: Sequence[str], query: str, kinds: Iterable[ContentKind], first: int
) -> tuple[list[Hit], int]:
    """The `first` best items matching the query in any of `languages` (the reader's first), and how many
    match in all.

    An item's score is, over the query's words, the sum of each word's best contribution in any language,
    times a bonus for the share of words it matched, and another when its title holds them all. Only the best are scored exactly: each word's items
    are read best first, side by side, and reading stops once no item still unread could score above the
    ones found (the threshold algorithm), so a common word does not make every query score every item.
    """
    wanted = slots(query)
    present = [(language, city.languages[language]) for language in dict.fromkeys(languages)]
    present = [(language, index) for language, index in present if index.lengths]
    if not wanted or not present:
        return [], 0
    per_slot = _sources(wanted, present)
    only = set(kinds)
    matching = set().union(*(source.scored.by_item for sources in per_slot for source in sources))
    if only:
        matching = {item for item in matching if city.kinds.get(item) in only}
    if not matching or first <= 0:
        return [], len(matching)
    lists = [(n, j, source) for n, sources in enumerate(per_slot) for j, source in enumerate(sources)]
    frontier = [[source.weight * source.scored.ordered[0][1] for source in sources] for sources in per_slot]
    best: list[tuple[float, str]] = []  # a min-heap of the best found so far
    scored: dict[str, Hit] = {}
    depth = 0
    while lists:
        still = []
        for n, j, source in lists:
            ordered = source.scored.ordered
            if depth >= len(ordered):
                frontier[n][j] = 0.0
                continue
            still.append((n, j, source))
            item, value = ordered[depth]
            frontier[n][j] = source.weight * value
            if item not in scored and item in matching:
                hit = scored[item] = _exact(item, per_slot, len(wanted))
                if len(best) < first:
                    heapq.heappush(best, (hit.score, item))
                elif hit.score > best[0][0]:
                    heapq.heapreplace(best, (hit.score, item))
        lists = still
        depth += 1
        bounds = [max(slot, default=0.0) for slot in frontier]
        reachable = sum(bounds) * (1 + sum(1 for b in bounds if b > 0) / len(wanted)) * (1 + TITLE_BONUS)
        if len(best) == first and best[0][0] >= reachable:
            break
    top = sorted((scored[item] for _, item in best), key=lambda hit: (-hit.score, hit.item_id))
    return top, len(matching)


def _exact(item: str, per_slot: list[list[Source]], words: int) -> Hit:
    total, covered, titled = 0.0, 0, 0
    matched: dict[str, set[str]] = defaultdict(set)
    for sources in per_slot:
        top, where = 0.0, None
        for source in sources:
            value = source.weight * source.scored.by_item.get(item, 0.0)
            if value > top:
                top, where = value, source
        if where is not None:
            total += top
            covered += 1
            titled += where.term in where.titles.get(item, ())
            matched[where.language].add(where.term)
    bonus = 1 + TITLE_BONUS if titled == words else 1
    return Hit(item, total * (1 + covered / words) * bonus, matched)
