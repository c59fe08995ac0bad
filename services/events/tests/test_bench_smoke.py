"""The events benchmark runs end to end at its quick size and reports every figure with a baseline."""

from __future__ import annotations

from bench import events
from bench.env import BenchEnv


async def test_events_bench_reports_figures_against_same_run_baselines(
    kafka_bootstrap, mongo_server_url, dev_key_path
) -> None:
    results = await events.run(BenchEnv(kafka_bootstrap, mongo_server_url, dev_key_path, quick=True))
    assert [r.name for r in results] == [
        "events.registrations_under_contention",
        "events.listing_with_recurrence_expansion",
    ]
    for result in results:
        assert result.value > 0 and result.baseline and result.ratio is not None
