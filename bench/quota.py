"""Run the benchmarks with everything they start held to a CPU quota, standing in for a slower machine.

    python -m bench.quota 1 saturation load     # the platform and the generator share one core's time
    python -m bench.quota 0.5 --quick           # every area, quick, on half a core

A control group with a CPU quota (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us`) is made for this run;
the benchmark runs in it, and so does every process it starts (broker, database, services), whatever
session they start in. Making a control group needs root or a delegated cgroup tree; where neither is
there, it says so and stops: pinning to fewer cores (`taskset`) is a different experiment (whole cores,
not a slower one), so it is not silently used instead. The group is removed afterwards (the benchmark
stops everything it started).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PERIOD_US = 100_000
QUOTA_ENV = "WITAJ_BENCH_CPU_QUOTA"
"""Tells the benchmarks how many cores' time they have (`bench.saturation` judges saturation by it)."""
ROOT = Path("/sys/fs/cgroup")


def _group(cores: float) -> tuple[Path, Path]:
    """(the new group, the file its processes are listed in), with its quota set."""
    name = f"witaj-bench-{os.getpid()}"
    quota = max(1000, round(cores * PERIOD_US))
    if (ROOT / "cgroup.controllers").exists():  # v2: one tree
        group = ROOT / name
        group.mkdir()
        (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
    else:  # v1: the cpu controller's own tree
        group = ROOT / "cpu" / name
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(quota))
    return group, group / "cgroup.procs"


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    cores = float(sys.argv[1])
    try:
        group, procs = _group(cores)
    except OSError as exc:
        print(
            f"cannot make a control group with a CPU quota here ({exc}); run as root or with a delegated cgroup"
        )
        return 1
    try:
        bench = subprocess.Popen(
            [sys.executable, "-m", "bench", *sys.argv[2:]],
            env={**os.environ, QUOTA_ENV: f"{cores:g}"},
            preexec_fn=lambda: procs.write_text(str(os.getpid())),  # in the child, before exec
        )
        print(f"bench runs held to {cores:g} of a core's time (control group {group})", flush=True)
        return bench.wait()
    finally:
        try:
            group.rmdir()
        except OSError:
            print(f"control group {group} still holds processes {procs.read_text().split()}; remove it later")


if __name__ == "__main__":
    sys.exit(main())
