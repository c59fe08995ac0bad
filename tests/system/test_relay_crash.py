"""A writer killed between its database write and publishing (or marking) still delivers, exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.topics import CONTENT_FEEDBACK

WRITER = Path(__file__).with_name("crashing_writer.py")


def run_until_killed(sandbox, moment: str, count: int) -> str:
    kafka, mongo = sandbox.kafka, sandbox.mongo("_writer")
    done = subprocess.run(
        [
            sys.executable,
            str(WRITER),
            kafka.bootstrap_servers,
            kafka.topic_prefix,
            mongo.url.get_secret_value(),
            mongo.database,
            moment,
            str(count),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("moment", "copies_on_the_topic"),
    [("after-write", 1), ("after-publish", 2)],
)
async def test_a_killed_writer_still_delivers_each_event_exactly_once(
    writer, reader, consumer_for, sandbox, moment, copies_on_the_topic
) -> None:
    output = run_until_killed(sandbox, moment, count=5)
    assert "written" in output
    assert await writer.outbox.pending_count() == 5  # the process died before marking anything

    # The service restarts: a new relay finds the pending events and publishes them.
    relay = writer.relay(lease_seconds=1)
    relay.start()
    consumer = consumer_for(reader.inbox.handler(reader.apply))
    async with consumer:
        await wait_until(
            lambda: consumer.handled >= 5 * copies_on_the_topic,
            timeout=30,
            message="every copy of every event handled",
        )
    await relay.stop()

    assert await reader.applied() == {f"page-{n}": 1 for n in range(5)}
    assert await writer.outbox.pending_count() == 0
    records = await read_topic(sandbox.kafka, CONTENT_FEEDBACK, count=5 * copies_on_the_topic)
    assert len(records) == 5 * copies_on_the_topic
