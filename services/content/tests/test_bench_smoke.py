"""The search benchmark runs end to end at its quick size: every language meets the quality goal on the
judged queries, search speed is reported beside SQLite FTS5's, and instant answers beside the search."""

from __future__ import annotations

from bench import search
from bench.env import BenchEnv


async def test_search_bench_finds_the_judged_items_in_every_language(
    kafka_bootstrap, mongo_server_url, dev_key_path
) -> None:
    results = {
        r.name: r
        for r in await search.run(BenchEnv(kafka_bootstrap, mongo_server_url, dev_key_path, quick=True))
    }
    shares = {name: r for name, r in results.items() if name.startswith("search.top3_found.")}
    assert len(shares) == 12
    assert all(r.met for r in shares.values()), {n: r.value for n, r in shares.items()}
    assert results["search.top3_found"].note.endswith("missed: none")
    for name in ("search.p95", "search.p50", "search.instant_answers_p95"):
        assert results[name].value > 0 and results[name].baseline and results[name].ratio is not None
