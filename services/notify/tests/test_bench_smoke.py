"""The notify benchmark runs end to end at its quick size and reports every figure with a baseline."""

from __future__ import annotations

from bench import notify
from bench.env import BenchEnv


async def test_notify_bench_reports_figures_against_same_run_baselines(
    kafka_bootstrap, mongo_server_url, dev_key_path
) -> None:
    results = await notify.run(BenchEnv(kafka_bootstrap, mongo_server_url, dev_key_path, quick=True))
    assert [r.name for r in results] == [
        "notify fan-out to inboxes",
        "notify publish -> live stream p50",
        "notify publish -> live stream p95",
    ]
    for result in results:
        assert result.value > 0 and result.baseline and result.ratio is not None
