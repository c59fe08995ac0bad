"""Content benchmark: cached page reads against a bare FastAPI endpoint (search is in `search.py`).

The figure comes from one running content service (in-process through httpx's ASGI transport, so the
network is left out on both sides). The bare endpoint is mounted on the same app, behind the same
middleware, and returns a JSON body of similar size. Documents are bulk-inserted as published items and
loaded through the real cache.

Every page read queues a usage event. Clients give the event loop a turn after each answer, as a
server's sockets would, so the background sender runs during the load, and a run is timed until its
events are with the producer: a page read is charged for its event. The producer batches as it does
against real Kafka.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from witaj.content.main import create_app
from witaj.content.settings import ContentSettings
from witaj.devkit.demo.files import load_city
from witaj.devkit.testing import serve, wait_until
from witaj.shared.kafka import EventPublisher
from witaj.shared.translations import ItemTranslations, Translation, TranslationState

from bench.env import BenchEnv
from bench.results import Result

LANGUAGES = ["pl", "en", "uk", "ru", "ar"]
WORDS = {
    "pl": "mieszkanie praca lekarz szkoła urząd karta pobytu ubezpieczenie kurs język rodzina dziecko".split(),
    "en": "housing work doctor school office residence card insurance course language family child".split(),
    "uk": "житло робота лікар школа офіс посвідка страхування курс мова сімя дитина".split(),
    "ru": "жильё работа врач школа офис вид жительства страховка курс язык семья ребёнок".split(),
    "ar": "سكن عمل طبيب مدرسة مكتب إقامة تأمين دورة لغة عائلة طفل".split(),
}
CONCURRENCY = 50
LUBLIN = load_city("lublin").config


def _text(rng: random.Random, language: str, words: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _ in range(words))


def _document(rng: random.Random, index: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    translations = {
        lang: Translation(
            language=lang,
            state=TranslationState.PUBLISHED,
            source_revision=1,
            fields={
                "title": _text(rng, lang, 4),
                "summary": _text(rng, lang, 12),
                "body": _text(rng, lang, 80),
            },
        )
        for lang in LANGUAGES[1:]
    }
    return {
        "_id": f"bench{index:06d}",
        "city": LUBLIN.id,
        "kind": "page",
        "organisation": "bench",
        "status": "published",
        "content": {
            "title": _text(rng, "pl", 4),
            "summary": _text(rng, "pl", 12),
            "body": _text(rng, "pl", 80),
            "topics": ["housing"],
            "user_types": [],
        },
        "translations": ItemTranslations(source_language="pl", translations=translations).model_dump(
            mode="json"
        ),
        "revision": 1,
        "version": 1,
        "created_by": "bench",
        "created_at": now,
        "updated_by": "bench",
        "updated_at": now,
    }


async def _load(
    client: httpx.AsyncClient, paths: list[str], total: int, publisher: EventPublisher
) -> tuple[float, list[float]]:
    """Requests per second with CONCURRENCY clients, and every request's latency in ms.

    The clock stops only once the usage events the requests queued are handed to the producer, so a
    page read is charged for its event even where the run ends before the background sender catches up.
    """
    latencies: list[float] = []
    queue = iter(range(total))

    async def worker() -> None:
        for i in queue:
            started = time.perf_counter()
            response = await client.get(paths[i % len(paths)])
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            # httpx's in-process transport never waits on a socket, so nothing else would run between
            # requests; a server does, and a page read pays there for sending its usage event.
            await asyncio.sleep(0)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    await publisher.usage_handed_over()
    return total / (time.perf_counter() - started), latencies


async def run(env: BenchEnv) -> list[Result]:
    settings = env.sandbox().settings(ContentSettings, count_demand=False)
    # The producer batches as against real Kafka (the sandbox sends one record per batch, for faust
    # table recovery on the development broker): usage events cost what they cost in production.
    settings.kafka = settings.kafka.model_copy(update={"producer_max_batch_size": None})
    documents = env.size(10_000, 300)
    requests = env.size(5_000, 300)
    rng = random.Random(7)
    app = create_app(settings)
    sample = _document(random.Random(1), 0)

    @app.get("/bench/bare", include_in_schema=False)
    async def bare() -> dict[str, Any]:
        return {
            "id": "bare",
            "language": "en",
            "fallback": False,
            "rtl": False,
            "content": sample["content"],
            "html": {},
        }

    async with serve(app) as client:
        runtime = app.state.runtime
        await app.state.content.cities.create(LUBLIN, by="bench")
        await wait_until(lambda: runtime.cities.get(LUBLIN.id), message="the bench city")
        docs = [_document(rng, i) for i in range(documents)]
        for start in range(0, len(docs), 1_000):
            await app.state.content.items.items.insert_many(docs[start : start + 1_000])
        await app.state.content.published.city(LUBLIN.id)

        publisher = runtime.publisher
        pages = [f"/cities/lublin/pages/{d['_id']}?lang={rng.choice(LANGUAGES)}" for d in docs[:200]]
        await _load(client, pages, 400, publisher)  # warm the rendering memo, as a running service would be
        await _load(client, ["/bench/bare"], 200, publisher)
        bare_rps, _ = await _load(client, ["/bench/bare"], requests, publisher)
        page_rps, _ = await _load(client, pages, requests, publisher)

    return [
        Result(
            "content.cached_page_read_throughput",
            page_rps,
            "req/s",
            baseline=bare_rps,
            goal=0.8,
            note=f"{CONCURRENCY} concurrent clients; baseline: bare FastAPI JSON endpoint on the same app",
        ),
    ]
