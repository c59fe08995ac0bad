"""Messages a consumer cannot use go to the dead-letter topic with the error; the consumer goes on."""

from __future__ import annotations

import json

from witaj.devkit.testing import read_topic, wait_until
from witaj.shared.envelope import MAX_EVENT_BYTES, registry
from witaj.shared.kafka import PermanentError
from witaj.shared.topics import CONTENT_FEEDBACK, dead_letter

from .conftest import feedback


def poison() -> dict[str, bytes]:
    """One message of each kind that must not reach a handler, by the error code it should get."""
    good = json.loads(registry.encode(feedback(0)))
    return {
        "malformed_event": b"{not json",
        "unknown_event_type": json.dumps({**good, "type": "content.teleported"}).encode(),
        "unsupported_event_version": json.dumps({**good, "version": 99}).encode(),
        "invalid_event_data": json.dumps({**good, "data": {"kind": "page"}}).encode(),
        "event_too_large": json.dumps({**good, "padding": "x" * (MAX_EVENT_BYTES + 10)}).encode(),
    }


async def test_poison_messages_are_dead_lettered_and_good_ones_still_handled(
    writer, reader, consumer_for, sandbox
) -> None:
    async def handle(envelope) -> None:
        if envelope.data.item_id == "page-13":
            raise PermanentError("page-13 contradicts what this service knows")
        await reader.inbox.apply(envelope, reader.apply)

    consumer = consumer_for(handle)
    async with consumer:
        bad = list(poison().values())
        for n in range(10):
            await writer.publisher.publish(CONTENT_FEEDBACK, feedback(n), key=b"same-partition")
            if n < len(bad):
                await writer.publisher.send_raw(CONTENT_FEEDBACK, bad[n], key=b"same-partition")
        await writer.publisher.publish(CONTENT_FEEDBACK, feedback(13), key=b"same-partition")
        await writer.publisher.publish(CONTENT_FEEDBACK, feedback(14), key=b"same-partition")

        await wait_until(lambda: consumer.handled >= 11, timeout=20, message="good events handled")
        assert consumer.running

    assert await reader.applied() == {f"page-{n}": 1 for n in [*range(10), 14]}
    parked = await read_topic(sandbox.kafka, dead_letter(CONTENT_FEEDBACK), count=6)
    codes = sorted(dict(r.headers)["witaj.error.code"].decode() for r in parked)
    expected = sorted(
        [
            "malformed_event",
            "unknown_event_type",
            "unsupported_event_version",
            "invalid_event_data",
            "event_too_large",
            "handler_rejected",
        ]
    )
    assert codes == expected
    for record in parked:
        headers = dict(record.headers)
        assert headers["witaj.error.message"]
        assert headers["witaj.original.topic"].decode() == sandbox.kafka.topics(CONTENT_FEEDBACK)
        assert int(headers["witaj.original.offset"]) >= 0


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(
    writer, consumer_for, sandbox
) -> None:
    attempts: dict[str, int] = {}

    async def handle(envelope) -> None:
        attempts[envelope.data.item_id] = attempts.get(envelope.data.item_id, 0) + 1
        if envelope.data.item_id == "page-1":
            raise ValueError("a bug in the handler")

    consumer = consumer_for(handle)
    async with consumer:
        for n in range(3):
            await writer.publisher.publish(CONTENT_FEEDBACK, feedback(n), key=b"k")
        await wait_until(
            lambda: attempts.get("page-2"), timeout=20, message="the event after the failing one"
        )

    assert attempts["page-1"] == sandbox.kafka.retry_attempts
    parked = await read_topic(sandbox.kafka, dead_letter(CONTENT_FEEDBACK), count=1)
    headers = dict(parked[0].headers)
    assert headers["witaj.error.code"] == b"handler_failed"
    assert b"a bug in the handler" in headers["witaj.error.message"]
