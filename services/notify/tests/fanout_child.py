"""Run one fan-out job in its own process, slowly, so a test can SIGKILL it half-way.

Usage: python fanout_child.py <kafka bootstrap> <mongo url> <dev key path> <sandbox name> <envelope json>
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from witaj.devkit.sandbox import Sandbox
from witaj.notify import handlers
from witaj.notify.fanout import Fanout
from witaj.notify.mailbox import Mailbox
from witaj.notify.settings import NotifyOptions, NotifySettings
from witaj.notify.stream import StreamHub
from witaj.shared.envelope import registry
from witaj.shared.runtime import Runtime


async def main() -> None:
    bootstrap, mongo_url, key_path, name, raw = sys.argv[1:6]
    sandbox = Sandbox(bootstrap, mongo_url, Path(key_path), name=name)
    settings = sandbox.settings(
        NotifySettings, notify=NotifyOptions(fanout_batch_size=50, fanout_lease_seconds=1)
    )
    async with Runtime(settings, source="witaj/notify") as runtime:
        fanout = Fanout(
            runtime,
            runtime.db,
            Mailbox(runtime.db, runtime.outbox, settings.notify.retention),
            StreamHub(),
            settings.notify,
        )
        original = fanout._flush

        async def slow_flush(*args, **kwargs):  # type: ignore[no-untyped-def]
            await original(*args, **kwargs)
            await asyncio.sleep(0.2)  # leave the test time to kill us between batches and inside them

        fanout._flush = slow_flush  # type: ignore[method-assign]
        await handlers.fanout(fanout)(registry.decode(raw))
        while await fanout.run_once():
            pass
        print("finished", flush=True)


asyncio.run(main())
