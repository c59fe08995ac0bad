"""CPU of the platform's processes, read from /proc: who works during a measurement, and when all is quiet.

Each service, the stats processor, the broker and the database run in their own process group (they are
started in new sessions), so a group's CPU time is the sum over the processes in it, children included.
The benchmark's own process (the load generator and, for in-process areas, the services under test) is
always counted too, as `bench` (itself only: under pytest its process group holds other workers).

`settle` is what every area starts with: an earlier area (or step) can leave a backlog behind, consumers
still reading usage events, an outbox still being relayed, the database still writing what it was sent,
and measuring on top of that charges the next area for the previous one's work. Consumer lag cannot be
read from the development broker (its end offsets are wrong after batches, see INFRA.md), but a backlog
being worked through shows as CPU: the platform is settled when every process has been near idle for a
while.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _stat(pid_dir: Path) -> tuple[int, float] | None:
    """(process group, CPU seconds) of one process, None when it is gone or unreadable."""
    try:
        text = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / TICKS


def group_cpu(groups: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each named process group (by its leader's pid), and by this process."""
    wanted = {pgid: name for name, pgid in groups.items()}
    used = dict.fromkeys(groups, 0.0)
    if wanted:
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            found = _stat(entry)
            if found is not None and found[0] in wanted:
                used[wanted[found[0]]] += found[1]
    own = _stat(PROC / "self")
    used["bench"] = own[1] if own else 0.0
    return used


@dataclass
class CpuMeter:
    """CPU used by each group between `start` and `stop`, in cores (1.0 = one core busy throughout)."""

    groups: Mapping[str, int]
    _before: dict[str, float] | None = None
    _started: float = 0.0

    def start(self) -> None:
        self._before = group_cpu(self.groups)
        self._started = time.monotonic()

    def stop(self) -> dict[str, float]:
        assert self._before is not None, "start the meter first"
        elapsed = max(time.monotonic() - self._started, 1e-9)
        after = group_cpu(self.groups)
        return {name: (after[name] - self._before[name]) / elapsed for name in after}


def load_average() -> float:
    return os.getloadavg()[0]


async def settle(
    groups: Mapping[str, int],
    *,
    quiet_cores: float = 0.05,
    window: float = 1.0,
    windows: int = 2,
    timeout: float = 90.0,
    own: bool = True,
) -> tuple[float, bool]:
    """Wait until every group used under `quiet_cores` for `windows` windows in a row (and this process
    too, with `own`: the benchmark's in-process services are part of what must settle).

    Returns (seconds waited, settled); when it times out the caller says so beside its figures rather
    than failing: a busy shared machine is not the platform's fault.
    """
    started = time.monotonic()
    calm = 0
    meter = CpuMeter(groups)
    while calm < windows:
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, False
        meter.start()
        await asyncio.sleep(window)
        busy = {name: used for name, used in meter.stop().items() if own or name != "bench"}
        calm = calm + 1 if max(busy.values(), default=0.0) < quiet_cores else 0
    return time.monotonic() - started, True
