"""Search quality and speed, each beside SQLite FTS5 (Python's standard library) on the same corpus and
the same queries.

Quality: the judged queries in `search_queries.yaml` (at least five per language, typed as migrants type
them: inflected, misspelt, the local term in another script) run against the demo cities, seeded as
`make run` seeds them; a query is found when an item it expects is among the first three results. Each
language's share is printed beside FTS5's share for the same queries over the same texts (goal: at least
0.9 in every language).

Speed: the demo's sentences recombined into a large city (every page in Polish and five other
languages), and the judged queries run against it, alternately through Witaj's search route and through
an FTS5 route mounted on the same app (behind the same middleware, answering the top 20 with snippets and
the total), so both pay the same HTTP and JSON costs. FTS5 searches the reader's and the city's language
tables, as Witaj does (goal: Witaj's p95 at most twice FTS5's). The same queries asked as a migrant's
question (instant answers, on the same index) are timed in the same loop, beside Witaj's own search p95
(goal: at most 1.5 times: matching a question costs little more than a search).
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from witaj.content.cache import CityContent
from witaj.content.main import create_app
from witaj.content.search_index import flat_texts
from witaj.content.settings import ContentSettings
from witaj.devkit.demo.files import load_all
from witaj.devkit.demo.seeding import Stores, seed
from witaj.devkit.testing import serve, wait_until
from witaj.shared.translations import ItemTranslations, Translation, TranslationState

from bench.env import BenchEnv
from bench.results import Result, percentile

QUERIES = Path(__file__).with_name("search_queries.yaml")
TOP = 3
GOAL_FOUND = 0.9
BENCH_CITY = "search-bench"
EXTRA_LANGUAGES = 5
_SENTENCE = re.compile("(?<=[.!?\u3002\u061f\u06d4])\\s*|\n+")  # full stops of Latin, Chinese, Arabic, Urdu


@dataclass(frozen=True)
class Judged:
    language: str
    query: str
    expect: frozenset[str]
    city: str = "lublin"


def judged() -> list[Judged]:
    rows = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    return [Judged(row[0], str(row[1]), frozenset(row[2]), *(row[3:])) for row in rows]


class Fts5:
    """The peer: one FTS5 table per city and language (title weighted as Witaj weighs it), BM25."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.tables: dict[tuple[str, str], str] = {}

    def add(self, content: CityContent) -> None:
        rows: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for item in content.items.values():
            for language in item.languages:
                texts = flat_texts(item, language)
                rest = " ".join(text for path, text in texts.items() if path != "title")
                rows[language].append((item.id, texts.get("title", ""), rest))
        for language, found in rows.items():
            table = self.tables[(content.city, language)] = f"t{len(self.tables)}"
            self.db.execute(
                f"CREATE VIRTUAL TABLE {table} USING fts5(item UNINDEXED, title, body, "
                "tokenize='unicode61 remove_diacritics 2')"
            )
            self.db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", found)

    def search(self, city: str, languages: list[str], query: str, limit: int = 20) -> dict[str, Any]:
        match = " OR ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        best: dict[str, tuple[float, str]] = {}
        total = 0
        for language in dict.fromkeys(languages):
            table = self.tables.get((city, language))
            if table is None:
                continue
            total += self.db.execute(
                f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (match,)
            ).fetchone()[0]
            for item, score, snippet in self.db.execute(
                f"SELECT item, bm25({table}, 0, 3.0, 1.0), snippet({table}, 2, '[', ']', '…', 16) "
                f"FROM {table} WHERE {table} MATCH ? ORDER BY bm25({table}, 0, 3.0, 1.0) LIMIT ?",
                (match, limit),
            ):
                if item not in best or score < best[item][0]:
                    best[item] = (score, snippet)
        ranked = sorted(best.items(), key=lambda pair: pair[1][0])[:limit]
        return {
            "items": [{"id": item, "score": -score, "snippet": snippet} for item, (score, snippet) in ranked],
            "total": total,
        }


def _found(ids: list[str], case: Judged) -> bool:
    return bool(case.expect.intersection(ids[:TOP]))


async def _quality(client: httpx.AsyncClient, fts: Fts5, defaults: dict[str, str]) -> list[Result]:
    ours: dict[str, list[bool]] = defaultdict(list)
    peer: dict[str, list[bool]] = defaultdict(list)
    missed = []
    for case in judged():
        response = await client.get(
            f"/cities/{case.city}/search", params={"q": case.query, "lang": case.language}
        )
        assert response.status_code == 200, response.text
        found = _found([row["id"] for row in response.json()["items"]], case)
        ours[case.language].append(found)
        if not found:
            missed.append(f"{case.language}:{case.query}")
        answer = fts.search(case.city, [case.language, defaults[case.city]], case.query)
        peer[case.language].append(_found([row["id"] for row in answer["items"]], case))
    results = [
        Result(
            f"search.top{TOP}_found.{language}",
            sum(found) / len(found),
            "share",
            baseline=sum(peer[language]) / len(peer[language]),
            goal=GOAL_FOUND,
            goal_kind="value_at_least",
            note=f"{len(found)} judged queries; baseline: FTS5 on the same texts and queries",
        )
        for language, found in sorted(ours.items())
    ]
    every = [f for found in ours.values() for f in found]
    peers = [f for found in peer.values() for f in found]
    results.append(
        Result(
            f"search.top{TOP}_found",
            sum(every) / len(every),
            "share",
            baseline=sum(peers) / len(peers),
            goal=GOAL_FOUND,
            goal_kind="value_at_least",
            note=f"{len(every)} judged queries in {len(ours)} languages; missed: {', '.join(missed) or 'none'}",
        )
    )
    return results


def _sentences(cities: list[Any]) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = defaultdict(list)
    for city in cities:
        for item in city.items:
            for language in item.bodies:
                for text in item.texts(language).values():
                    pools[language] += [s.strip(" -*#") for s in _SENTENCE.split(text) if len(s.strip()) > 12]
    return pools


def _document(rng: random.Random, index: int, pools: dict[str, list[str]], config: Any) -> dict[str, Any]:
    def texts(language: str) -> dict[str, str]:
        pool = pools[language]
        return {
            "title": " ".join(rng.choice(pool).split()[:6]) or rng.choice(pool)[:40],
            "summary": rng.choice(pool),
            "body": "\n\n".join(rng.sample(pool, 5)),
        }

    others = rng.sample([code for code in config.languages if code != "pl"], EXTRA_LANGUAGES)
    translations = {
        code: Translation(
            language=code, state=TranslationState.PUBLISHED, source_revision=1, fields=texts(code)
        )
        for code in others
    }
    now = datetime.now(UTC)
    return {
        "_id": f"bench{index:06d}", "city": BENCH_CITY, "kind": "page", "organisation": "bench",
        "status": "published", "content": {**texts("pl"), "topics": ["housing"], "user_types": []},
        "translations": ItemTranslations(source_language="pl", translations=translations).model_dump(mode="json"),
        "revision": 1, "version": 1, "created_by": "bench", "created_at": now, "updated_by": "bench",
        "updated_at": now,
    }  # fmt: skip


async def run(env: BenchEnv) -> list[Result]:
    settings = env.sandbox().settings(ContentSettings, count_demand=False)
    # Usage events are batched as against real Kafka (see bench/content.py): a search pays for its event.
    settings.kafka = settings.kafka.model_copy(update={"producer_max_batch_size": None})
    app = create_app(settings)
    fts = Fts5()

    @app.get("/bench/fts5", include_in_schema=False)
    async def fts5(city: str, lang: str, q: str) -> dict[str, Any]:
        return fts.search(city, [lang, "pl"], q)

    cities = load_all()
    async with serve(app) as client:
        state = app.state.content
        await seed(Stores(cities=state.cities, items=state.items), cities)
        runtime = state.runtime
        for city in cities:
            await wait_until(lambda city=city: runtime.cities.get(city.config.id), message="the demo cities")
            fts.add(await state.published.city(city.config.id))
        results = await _quality(
            client, fts, {city.config.id: city.config.default_language for city in cities}
        )

        config = cities[0].config.model_copy(update={"id": BENCH_CITY, "name": "Search bench"})
        await state.cities.create(config, by="bench")
        await wait_until(lambda: runtime.cities.get(BENCH_CITY), message="the bench city")
        rng, pools = random.Random(11), _sentences(cities)
        documents = env.size(10_000, 300)
        docs = [_document(rng, i, pools, config) for i in range(documents)]
        for start in range(0, len(docs), 1_000):
            await state.items.items.insert_many(docs[start : start + 1_000])
        started = time.perf_counter()
        fts.add(await state.published.city(BENCH_CITY))
        loaded = time.perf_counter() - started
        ours, peer, answers = [], [], []
        answered = 0
        for case in judged() * env.size(3, 1):
            params = {"q": case.query, "lang": case.language}
            for path, samples in (
                (f"/cities/{BENCH_CITY}/search", ours),
                ("/bench/fts5", peer),
                (f"/cities/{BENCH_CITY}/answers", answers),
            ):
                started = time.perf_counter()
                response = await client.get(path, params={**params, "city": BENCH_CITY})
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
                answered += samples is answers and bool(response.json()["answers"])
    note = (
        f"{documents} pages in Polish and {EXTRA_LANGUAGES} of the other languages each, made of the demo's "
        f"sentences ({loaded:.1f}s to index both); {len(ours)} judged queries; baseline: FTS5 through the "
        "same app"
    )
    return [
        *results,
        Result(
            "search.p95",
            percentile(ours, 95),
            "ms",
            baseline=percentile(peer, 95),
            goal=2.0,
            goal_kind="ratio_at_most",
            note=note,
        ),
        Result("search.p50", percentile(ours, 50), "ms", baseline=percentile(peer, 50), note=note),
        Result(
            "search.instant_answers_p95",
            percentile(answers, 95),
            "ms",
            baseline=percentile(ours, 95),
            goal=1.5,
            goal_kind="ratio_at_most",
            note=f"the same {len(answers)} queries asked as questions ({answered} found answers) over the "
            f"same {documents} pages; baseline: their search p95",
        ),
    ]
