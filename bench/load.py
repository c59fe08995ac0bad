"""Mixed load: simulated users on the whole platform, each service in its own process, as `make run` has it.

200 users for 60 s (20 for 10 s with `--quick`) read localized pages, search, list and open events,
register for events (meeting full events' waitlists), subscribe to notifications and open the web app's
pages (a fifth of the requests; see `witaj.devkit.load.MIX`), each with a
pseudonymous session, while an editor publishes a page every few seconds. Each user plans its next
request a random think time (mean 5 s: reading a page or a form; 1 s when quick) after the planned start
of the previous one, so the offered load is about users / think requests per second (40/s), and latency
counts from the planned start (coordinated omission corrected; see `witaj.devkit.load`). With a 2 s think
time (100/s) the whole platform on two shared cores fell behind at about 60/s and latency became queueing.

Baseline, same run: the same users, schedule and connection pool sending every action to `/health` of
the service it would have used. Ratios say what the real work costs over the cheapest answer each
service can give, on the same machine at the same moment; zero errors is the goal.

The platform gets its own broker and database (`local_platform`), not the ones the other benchmarks
filled, with rate limits off. Sizes can be changed with `WITAJ_BENCH_LOAD_USERS`, `..._SECONDS` and
`..._THINK`.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from typing import Any

import httpx
from witaj.devkit.catalog import CITY, Catalog, Editor, seed
from witaj.devkit.cluster import LocalPlatform, local_platform
from witaj.devkit.ledger import Report, percentile
from witaj.devkit.load import SERVICE_OF, Load
from witaj.shared.devtokens import DevSigningKey

from bench.env import BenchEnv, platform_logs
from bench.processes import settle
from bench.results import Result

SERVICES = ("CONTENT", "EVENTS", "NOTIFY", "STATS")
ENV = {
    **{f"WITAJ_{s}_SERVICE__RATE_LIMITS": "false" for s in SERVICES},
    **{f"WITAJ_{s}_SERVICE__LOG_LEVEL": "WARNING" for s in SERVICES},
}
ROUTE_ORDER = ("page", "search", "events", "event", "register", "subscribe", "inbox", "web_page", "web_events", "editor: create", "editor: status")  # fmt: skip


def _setting(name: str, full: float, quick: float, env: BenchEnv) -> float:
    value = os.environ.get(f"WITAJ_BENCH_LOAD_{name}")
    return float(value) if value else (quick if env.quick else full)


async def run(env: BenchEnv) -> list[Result]:
    users = int(_setting("USERS", 200, 20, env))
    seconds = _setting("SECONDS", 60, 10, env)
    think = _setting("THINK", 5.0, 1.0, env)
    starting = local_platform(extra_env=ENV, log_dir=platform_logs("load"))
    platform: LocalPlatform = await asyncio.to_thread(starting.__enter__)
    try:
        return await _measure(env, platform, users, seconds, think)
    finally:
        await asyncio.to_thread(starting.__exit__, None, None, None)


@dataclass(frozen=True)
class Prepared:
    """A started platform with the bench's pages and events in it, and an editor's token to publish."""

    urls: dict[str, str]
    token: str
    catalog: Catalog
    groups: dict[str, int]
    """Its processes' groups, to watch their CPU (`bench.processes`)."""


async def prepare(env: BenchEnv, platform: LocalPlatform) -> Prepared:
    urls = {name: platform.url(name) for name in platform.plan.ports}
    token = DevSigningKey.load_or_create(platform.plan.dev_key_path).mint(
        roles=["city_admin"], city=CITY, subject="bench-editor"
    )
    async with httpx.AsyncClient(timeout=60) as client:
        editor = Editor(client, urls["content"], urls["events"], token)
        catalog = await seed(editor, pages=env.size(40, 10), events=env.size(12, 5))
    return Prepared(urls, token, catalog, platform.process_groups())


async def _measure(
    env: BenchEnv, platform: LocalPlatform, users: int, seconds: float, think: float
) -> list[Result]:
    ready = await prepare(env, platform)
    urls, token, catalog = ready.urls, ready.token, ready.catalog
    options: dict[str, Any] = {"users": users, "think": think, "editor_token": token, "publish_every": 5.0}
    warm_up = min(10.0, seconds / 5)
    runs: dict[bool, Report] = {}
    settled: list[str] = []
    for baseline in (True, False):
        waited, calm = await settle(ready.groups)
        settled.append(f"{waited:.0f} s{'' if calm else ' (never quite quiet)'}")
        await Load(urls, catalog, duration=warm_up, baseline=baseline, seed=7, **options).run()
        runs[baseline] = await Load(urls, catalog, duration=seconds, baseline=baseline, **options).run()
    return _results(runs[False], runs[True], users, seconds, think, catalog, settled)


def _ms(samples: list[float], p: float) -> float | None:
    return percentile(samples, p) * 1000 if samples else None


def _baseline_samples(base: Report, route: str) -> list[float]:
    """The route's own /health latencies; for the inbox (users subscribe first), its service's."""
    if route in base.routes:
        return base.routes[route].latency
    service = SERVICE_OF.get(route, "content")
    return [s for name, r in base.routes.items() if SERVICE_OF.get(name) == service for s in r.latency]


def _results(
    mixed: Report,
    base: Report,
    users: int,
    seconds: float,
    think: float,
    catalog: Catalog,
    settled: list[str],
) -> list[Result]:
    setup = (
        f"{users} users, {seconds:g} s, think {think:g} s; {len(catalog.pages)} pages, "
        f"{len(catalog.events)} events; platform settled before each run after {' and '.join(settled)}"
    )
    all_base = [s for r in base.routes.values() for s in r.latency]
    results = [
        Result(
            "mixed-load throughput", mixed.throughput, "requests/s", baseline=base.throughput, goal=0.9,
            note=f"{setup}; offered ~{users / think:.0f}/s; baseline: same schedule to /health"
            + (f"; {mixed.abandoned} requests abandoned (fell behind)" if mixed.abandoned else ""),
        ),
        Result(
            "mixed-load errors", mixed.error_count, "errors", baseline=base.error_count, goal=0,
            goal_kind="value_at_most", note="; ".join(mixed.errors[:3]),
        ),
    ]  # fmt: skip
    for p in (50, 95, 99):
        results.append(
            Result(
                f"mixed-load p{p}", mixed.overall(p) * 1000, "ms", baseline=_ms(all_base, p),
                note="every route, from planned start (coordinated omission corrected)",
            )
        )  # fmt: skip
    for route in sorted(mixed.routes, key=lambda r: ROUTE_ORDER.index(r) if r in ROUTE_ORDER else 99):
        stats, samples = mixed.routes[route], _baseline_samples(base, route)
        for p in (50, 95, 99):
            results.append(
                Result(
                    f"mixed-load {route} p{p}", percentile(stats.latency, p) * 1000, "ms",
                    baseline=_ms(samples, p),
                    note=f"{len(stats.latency)} answered, {stats.errors} errors; "
                    f"service time p{p} {percentile(stats.service, p) * 1000:.1f} ms",
                )
            )  # fmt: skip
    return results
