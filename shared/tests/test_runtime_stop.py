"""A service stops within its grace period even when one part never finishes stopping."""

from __future__ import annotations

import asyncio
import time

import pytest
from witaj.shared import runtime as runtime_module
from witaj.shared.runtime import Runtime


class Part:
    def __init__(self, hangs: bool = False) -> None:
        self.hangs = hangs
        self.stopped = False

    async def stop(self) -> None:
        if self.hangs:
            await asyncio.Event().wait()  # a broker or database that stopped answering
        self.stopped = True

    close = stop


async def test_a_stuck_part_is_left_behind_and_the_rest_still_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime_module, "STOP_STEP_SECONDS", 0.05)
    stuck, consumer, relay, publisher, client = Part(hangs=True), Part(), Part(), Part(), Part()
    runtime = Runtime.__new__(Runtime)  # only what stopping touches: no broker or database here
    runtime.consumers = [consumer, stuck]  # type: ignore[list-item]
    runtime.relay, runtime.publisher, runtime.client = relay, publisher, client  # type: ignore[assignment]

    started = time.monotonic()
    await runtime.__aexit__(None, None, None)

    assert time.monotonic() - started < 1
    assert not stuck.stopped
    assert all(part.stopped for part in (consumer, relay, publisher, client))
