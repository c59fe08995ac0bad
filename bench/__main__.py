"""`make bench`: run every benchmark once on a fresh embedded broker and database, print one table,
write `bench/results.json`.

Each area starts from a settled platform: what an earlier area left behind (a backlog on the broker,
writes the database is still working through, objects waiting for the collector) is done with first
(`bench.processes.settle`), so no area is charged for another's work.

    python -m bench                 # everything
    python -m bench content stats   # some areas
    python -m bench --quick         # small sizes, a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import importlib.util
import json
import math
import tempfile
from pathlib import Path

from witaj.devkit.infra import embedded_infrastructure, mongo_url
from witaj.shared.devtokens import DevSigningKey
from witaj.shared.logging import configure_logging

from bench.env import BenchEnv
from bench.processes import load_average, settle
from bench.results import Result

AREAS = ("content", "search", "events", "notify", "stats", "web", "load", "saturation")
RESULTS = Path(__file__).with_name("results.json")


def available(areas: list[str]) -> list[str]:
    return [a for a in areas if importlib.util.find_spec(f"bench.{a}") is not None]


def fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"


def table(results: list[Result]) -> str:
    rows = [("figure", "value", "unit", "baseline", "ratio", "goal", "met")]
    for r in results:
        goal = (
            "-"
            if r.goal is None
            else f"{'ratio' if r.goal_kind.startswith('ratio') else 'value'} {'>=' if r.goal_kind.endswith('least') else '<='} {r.goal:g}"
        )
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        rows.append((r.name, fmt(r.value), r.unit, fmt(r.baseline), fmt(r.ratio), goal, met))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


async def run(areas: list[str], quick: bool) -> list[Result]:
    results: list[Result] = []
    with (
        tempfile.TemporaryDirectory(prefix="witaj-bench-") as tmp,
        embedded_infrastructure(Path(tmp)) as (kafka, mongo),
    ):
        key = Path(tmp) / "dev-key.pem"
        DevSigningKey.load_or_create(key)
        env = BenchEnv(f"127.0.0.1:{kafka.port}", mongo_url(mongo.port), key, quick=quick)
        shared = {s.name: s.process.pid for s in (kafka, mongo) if s.process is not None}
        for area in areas:
            module = importlib.import_module(f"bench.{area}")
            gc.collect()
            waited, calm = await settle(shared)
            print(
                f"== {area} (settled after {waited:.0f} s{'' if calm else ', never quite quiet'}; "
                f"load average {load_average():.1f})",
                flush=True,
            )
            found = await module.run(env)
            for result in found:
                print(
                    f"   {result.name}: {fmt(result.value)} {result.unit} (baseline {fmt(result.baseline)}, ratio {fmt(result.ratio)})",
                    flush=True,
                )
            results.extend(found)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=list(AREAS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    configure_logging("WARNING", "console")
    areas = available(args.areas)
    results = asyncio.run(run(areas, args.quick))
    print()
    print(table(results))
    args.output.write_text(json.dumps([r.as_json() for r in results], indent=2) + "\n")
    print(f"\nwritten {args.output}")


if __name__ == "__main__":
    main()
