"""The saturation benchmark's instruments: CPU per process group from /proc, the wait for a settled
platform, and what counts as a step that held."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from witaj.devkit.ledger import Report, RouteStats
from witaj.devkit.testing import wait_until

from bench.processes import CpuMeter, settle
from bench.saturation import Step


@contextmanager
def process(code: str) -> Iterator[int]:
    """A Python process in a session (and process group) of its own, as the platform's are started."""
    child = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


async def test_the_meter_tells_a_busy_process_from_an_idle_one_and_settling_waits_for_quiet() -> None:
    with process("while True: pass") as busy, process("import time; time.sleep(600)") as idle:
        # past the interpreter's start, which alone can use a tenth of a core over a short reading
        assert (await settle({"idle": idle}, window=0.2, timeout=10.0, own=False))[1]
        meter = CpuMeter({"busy": busy, "idle": idle})
        meter.start()
        used: dict[str, float] = {}

        def measured() -> bool:
            used.update(meter.stop())
            return used["busy"] > 0.2

        await wait_until(measured, message="the busy process to show CPU")
        assert used["idle"] < 0.05
        assert "bench" in used  # this process is always counted
        waited, calm = await settle({"busy": busy}, window=0.2, timeout=1.0)
        assert not calm and waited >= 1.0
    with process("import time; time.sleep(600)") as idle:
        # Not this process: inside the whole test session it also runs other tests' servers and threads.
        waited, calm = await settle({"idle": idle}, window=0.2, timeout=10.0, own=False)
        assert calm


def _step(latencies: list[float], errors: int = 0, abandoned: int = 0) -> Step:
    report = Report({"page": RouteStats(latency=latencies, errors=errors)}, 10.0, [], abandoned)
    return Step(50.0, report, {}, 0.0, True)


def test_a_step_holds_only_within_the_p99_bound_and_the_error_share() -> None:
    fast = [0.01] * 2000
    assert _step(fast).held
    assert _step(fast, errors=2).held  # 0.1 %
    assert not _step(fast, errors=3).held
    assert not _step(fast, abandoned=3).held  # requests never sent count against it
    assert not _step([0.01] * 980 + [0.3] * 30).held  # p99 above 250 ms
    assert not _step([]).held
