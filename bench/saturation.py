"""Saturation: the highest rate the whole platform holds, beside the highest its `/health` routes hold.

The mixed workload of `bench.load` (migrant reads, search, events, registrations, subscriptions, inbox,
the web app's pages, an editor publishing every 5 s) is offered at rising rates, each step 1.4 times the last, until its p99
exceeds 250 ms or more than 0.1 % of its requests fail (a shed request, 503, is a failure here; so is a
request the generator fell so far behind on that it never sent it). The load is open: each simulated
user plans its next request a random think time (mean 2 s) after the *planned* start of the previous
one, and latency counts from that planned start (coordinated omission corrected), so a platform that
stalls is charged for the requests people would have sent meanwhile. The rate is raised with the
number of users. Between the last step that held and the first that did not, one step more is tried
half-way (geometrically). The same search is run with every request sent to `/health` of the service it
would have used: the same generator, schedule and connections on the cheapest answer each service has.
Goal: the mixed rate held is at least 0.35 of the `/health` rate held.

A step's subscriptions are erased after it (their users unsubscribe), so each step fans the editor's
news out to the same subscribers. Before every step the platform settles (`bench.processes.settle`:
every process near idle, consumers and outbox relays caught up). During each step the CPU of every process is read from /proc: the
services, the stats processor, the broker (Tansu), the database (SecantusDB) and the benchmark's own
process, which is the load generator. At the first step that failed, the busiest process is the part
that saturated first (one Python process cannot use more than one core); when all of them together
use about every core the machine has, the machine itself was the limit.

Latency percentiles against offered rate are drawn with matplotlib to `docs/benchmarks-saturation.png`
(a quick run draws to the temporary directory instead). Sizes: `WITAJ_BENCH_SATURATION_STEP` (seconds
per step, 20, longer at low rates so a step has about 300 requests; 4 when quick), `..._START` (first
rate, 20/s; 10 when quick), `..._STEPS` (most steps per search, 12; 3 when quick).
"""

from __future__ import annotations

import asyncio
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from witaj.devkit.cluster import LocalPlatform, local_platform
from witaj.devkit.ledger import Report, RouteStats, percentile
from witaj.devkit.load import Load
from witaj.notify.access import TOKEN_HEADER

from bench.env import BenchEnv, platform_logs
from bench.load import ENV, Prepared, prepare
from bench.processes import CpuMeter, load_average, settle
from bench.results import Result

P99_LIMIT = 0.250
ERROR_LIMIT = 0.001
FACTOR = 1.4
THINK = 2.0
PUBLISH_EVERY = 5.0
GOAL = 0.35
MIN_ANSWERS = 300
"""A step lasts long enough for about this many requests (a p99 of 30 answers is their slowest one)."""
MIN_RATE = 2.0
PLOT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks-saturation.png"


@dataclass
class Step:
    rate: float
    """Offered requests per second (users / think time)."""
    report: Report
    cpu: dict[str, float]
    settled_after: float
    calm: bool

    @property
    def failures(self) -> int:
        return self.report.error_count + self.report.abandoned

    @property
    def failed_share(self) -> float:
        attempted = self.report.requests + self.report.abandoned
        return self.failures / attempted if attempted else 1.0

    def p(self, q: float) -> float:
        return self.report.overall(q)

    @property
    def held(self) -> bool:
        p99 = self.p(99)
        return not math.isnan(p99) and p99 <= P99_LIMIT and self.failed_share <= ERROR_LIMIT

    def describe(self) -> str:
        routes = self.report.routes or {"nothing": RouteStats()}
        slowest = max(routes, key=lambda r: percentile(routes[r].latency, 99) if routes[r].latency else 0.0)
        slow_p99 = percentile(routes[slowest].latency, 99) if routes[slowest].latency else math.nan
        return (
            f"{self.rate:.1f}/s: p99 {self.p(99) * 1000:.0f} ms (slowest {slowest} {slow_p99 * 1000:.0f} ms), "
            f"{self.failed_share:.2%} failed, {'held' if self.held else 'did not hold'}"
        )


@dataclass
class Search:
    baseline: bool
    steps: list[Step] = field(default_factory=list)

    @property
    def held(self) -> Step | None:
        passing = [s for s in self.steps if s.held]
        return max(passing, key=lambda s: s.rate) if passing else None

    @property
    def broke(self) -> Step | None:
        failing = [s for s in self.steps if not s.held]
        return min(failing, key=lambda s: s.rate) if failing else None


def _setting(name: str, full: float, quick: float, env: BenchEnv) -> float:
    value = os.environ.get(f"WITAJ_BENCH_SATURATION_{name}")
    return float(value) if value else (quick if env.quick else full)


async def run(env: BenchEnv) -> list[Result]:
    starting = local_platform(extra_env=ENV, log_dir=platform_logs("saturation"))
    platform: LocalPlatform = await asyncio.to_thread(starting.__enter__)
    try:
        ready = await prepare(env, platform)
        seconds = _setting("STEP", 20, 4, env)
        start = _setting("START", 20, 10, env)
        most = int(_setting("STEPS", 12, 3, env))
        load_before = load_average()
        searches = [
            await _search(ready, baseline, seconds, start, most, env.quick) for baseline in (False, True)
        ]
        mixed, health = searches
        plot = PLOT if not env.quick else Path(tempfile.gettempdir()) / "witaj-saturation.png"
        _plot(mixed, health, plot)
        return _results(mixed, health, seconds, plot, load_before, load_average())
    finally:
        await asyncio.to_thread(starting.__exit__, None, None, None)


async def _search(
    ready: Prepared, baseline: bool, seconds: float, start: float, most: int, quick: bool
) -> Search:
    search = Search(baseline)
    name = "/health" if baseline else "mixed"
    await _step(ready, baseline, start, min(5.0, seconds), seed=99, quick=True)  # warm-up, not kept
    rate = start
    while len(search.steps) < most and rate >= MIN_RATE:
        step = await _step(ready, baseline, rate, seconds, seed=len(search.steps) + 1, quick=quick)
        search.steps.append(step)
        print(f"   saturation {name} {step.describe()}", flush=True)
        if step.held and search.broke is None:
            rate *= FACTOR  # climbing
        elif not step.held and search.held is None:
            rate /= FACTOR  # the first rate was already too much: come down until one holds
        else:
            break
    held, broke = search.held, search.broke
    if held is not None and broke is not None and len(search.steps) < most + 1:
        between = math.sqrt(held.rate * broke.rate)
        step = await _step(ready, baseline, between, seconds, seed=len(search.steps) + 1, quick=quick)
        search.steps.append(step)
        print(f"   saturation {name} {step.describe()}", flush=True)
    search.steps.sort(key=lambda s: s.rate)
    return search


async def _step(ready: Prepared, baseline: bool, rate: float, seconds: float, seed: int, quick: bool) -> Step:
    waited, calm = await settle(ready.groups)
    users = max(4, round(rate * THINK))
    duration = seconds if quick else max(seconds, MIN_ANSWERS / rate)
    load = Load(
        ready.urls, ready.catalog, users=users, duration=duration, think=users / rate, seed=seed,
        editor_token=ready.token, publish_every=PUBLISH_EVERY, baseline=baseline,
    )  # fmt: skip
    meter = CpuMeter(ready.groups)
    meter.start()
    report = await load.run()
    cpu = meter.stop()
    await _unsubscribe(ready, load)
    return Step(rate, report, cpu, waited, calm)


async def _unsubscribe(ready: Prepared, load: Load) -> None:
    """Erase the subscriptions a step made, as their users would, so that every step fans the editor's
    news out to the same subscribers: kept, each step's would add to the next ones' fan-out, and a
    higher rate would be charged for the steps before it."""
    notify = ready.urls["notify"]
    async with httpx.AsyncClient(timeout=30) as client:
        for subscription, subscribed in load.ledger.subscriptions.items():
            answer = await client.delete(
                f"{notify}/subscriptions/{subscription}", headers={TOKEN_HEADER: subscribed.token}
            )
            if answer.status_code not in (204, 404):
                answer.raise_for_status()


def _busiest(step: Step) -> str:
    ordered = sorted(step.cpu.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{name} {cores:.2f}" for name, cores in ordered if cores >= 0.01)


def _saturated(step: Step) -> tuple[str, float, str]:
    """(the busiest process, its cores, what that says) at a step."""
    name, cores = max(step.cpu.items(), key=lambda kv: kv[1])
    total = sum(step.cpu.values())
    quota = os.environ.get("WITAJ_BENCH_CPU_QUOTA")  # set by `python -m bench.quota`
    cpus = float(quota) if quota else float(os.cpu_count() or 1)
    if total >= 0.9 * cpus:
        held_to = "the CPU quota" if quota else "the machine's cores"
        verdict = f"all processes together used {total:.2f} of {cpus:g} cores: {held_to} were full"
    elif cores >= 0.85 * min(1.0, cpus):
        verdict = f"{name} used {cores:.2f} cores, as much as one process gets: it saturated first"
    else:
        verdict = f"no process near a full core (together {total:.2f} of {cpus:g}): waiting, not CPU"
    return name, cores, verdict


def _results(
    mixed: Search, health: Search, seconds: float, plot: Path, load_before: float, load_after: float
) -> list[Result]:
    held, base = mixed.held, health.held
    context = (
        f"steps of {seconds:g} s, x{FACTOR} each; load average {load_before:.1f} before, {load_after:.1f} "
        f"after; plot {plot.name}"
    )
    mixed_steps = "; ".join(s.describe() for s in mixed.steps)
    health_steps = "; ".join(s.describe() for s in health.steps)
    results = [
        Result(
            "saturation.mixed_rate_held", held.rate if held else 0.0, "requests/s",
            baseline=base.rate if base else None, goal=GOAL,
            note=f"highest offered rate with p99 <= 250 ms and <= 0.1 % failed; baseline: the same search "
            f"on /health; {context}; mixed: {mixed_steps}; /health: {health_steps}",
        ),
    ]  # fmt: skip
    if held is not None:
        results.append(
            Result(
                "saturation.mixed_p99_at_rate_held", held.p(99) * 1000, "ms",
                baseline=base.p(99) * 1000 if base else None,
                note=f"p50 {held.p(50) * 1000:.1f} ms, p95 {held.p(95) * 1000:.1f} ms",
            )
        )  # fmt: skip
    limit = mixed.broke or held
    if limit is not None:
        name, cores, verdict = _saturated(limit)
        results.append(
            Result(
                f"saturation.busiest_process ({name})", cores, "cores",
                note=f"at {limit.rate:.0f}/s ({'the first step that failed' if mixed.broke else 'the last step; none failed'}): "
                f"{verdict}; per process (cores): {_busiest(limit)}",
            )
        )  # fmt: skip
    return results


def _plot(mixed: Search, health: Search, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    styles = {50: ":", 95: "--", 99: "-"}
    for search, colour, label in ((mixed, "tab:blue", "mixed workload"), (health, "tab:grey", "/health")):
        rates = [s.rate for s in search.steps]
        for q, style in styles.items():
            axes.plot(
                rates, [s.p(q) * 1000 for s in search.steps], style, color=colour, marker="o",
                markersize=3, label=f"{label} p{q}",
            )  # fmt: skip
        failed = [s for s in search.steps if not s.held]
        axes.scatter(
            [s.rate for s in failed], [s.p(99) * 1000 for s in failed], marker="x", s=60, color=colour
        )
    axes.axhline(P99_LIMIT * 1000, color="tab:red", linewidth=0.8)
    axes.text(
        0.01, P99_LIMIT * 1000 * 1.08, "p99 bound 250 ms", color="tab:red", fontsize=8,
        transform=axes.get_yaxis_transform(),
    )  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.yaxis.set_major_formatter(ScalarFormatter())
    axes.xaxis.set_minor_formatter(NullFormatter())
    rates = sorted({round(s.rate, 1) for search in (mixed, health) for s in search.steps})
    axes.set_xticks(rates, [f"{r:g}" for r in rates], fontsize=7)
    axes.set_xlabel("offered rate (requests/s, open model)")
    axes.set_ylabel("latency from planned start (ms)")
    axes.set_title("Witaj: latency against offered rate (x: the step did not hold)")
    axes.grid(True, which="both", linewidth=0.3)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
