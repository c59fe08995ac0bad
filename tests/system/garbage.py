"""Generated garbage for consumers: messages no Witaj event could be, and a producer that sends them.

`garbage(valid)` is a hypothesis strategy of messages derived from one valid event of a topic (so they
look like what a consumer expects, only broken) and of bytes that look like nothing at all: invalid
UTF-8, JSON nested deeper than any limit, numbers and strings too long, wrong types, unknown types and
versions, times outside the calendar, tombstones (no value), odd headers, and header keys that are not
UTF-8, which the Kafka client itself cannot parse. `draw(strategy, n)` runs hypothesis to generate n of
them at once, so a test can send them in one batch and wait once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiokafka.producer.message_accumulator as accumulator
import aiokafka.producer.producer as producer_module
from aiokafka import AIOKafkaProducer
from aiokafka.record import default_records
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from witaj.shared.envelope import MAX_EVENT_BYTES, EventDecodeError, registry

Headers = list[tuple[str, bytes | None]]


@dataclass(frozen=True)
class Garbage:
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes | None], ...] = ()

    @property
    def unreadable(self) -> bool:
        return any(isinstance(k, RawKey) for k, _ in self.headers)

    def summary(self) -> str:
        """What a failing test shows of it: its expected code, sizes and the start of its parts."""
        value = self.value or b""
        return (
            f"{self.reason()}: key={self.key!r:.40} headers={[(str(k)[:20], v) for k, v in self.headers]!r:.200} "
            f"value ({len(value)} bytes)={value[:200]!r}"
        )

    def reason(self) -> str | None:
        """The dead-letter code every consumer must give it; None if it is a valid event after all."""
        if self.unreadable:
            return "unreadable_record"
        try:
            registry.decode(self.value or b"")
        except EventDecodeError as exc:
            return exc.code
        except Exception as exc:  # the decoder itself failed: no consumer can say what is wrong
            return f"(decoder raised {type(exc).__name__})"
        return None


class RawKey(str):
    """A header key sent as the given bytes, which need not be UTF-8 (the Kafka protocol does not check;
    aiokafka's own producer would refuse, so `raw_producer` sends with its pure-Python record builder)."""

    raw: bytes

    def __new__(cls, raw: bytes) -> RawKey:
        key = super().__new__(cls, raw.decode("latin-1"))
        key.raw = raw
        return key

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return self.raw


NOT_UTF8 = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82", b"\x80abc"]
"""Byte sequences no UTF-8 decoder accepts: a stray byte, a broken pair, an encoded surrogate, a
five-byte form, a truncated sequence, a lone continuation byte."""

OUT_OF_RANGE_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-23:59",
    "1969-12-31T23:59:59Z",
    "2300-01-01T00:00:00Z",
]

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
header_keys = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
headers = st.lists(st.tuples(header_keys, st.none() | st.binary(max_size=40)), max_size=3)


def _dump(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _paths(valid: dict[str, Any]) -> list[tuple[str, ...]]:
    return [(k,) for k in valid] + [("data", k) for k in valid["data"]]


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def _delete(doc: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    out = json.loads(json.dumps(doc))
    target = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


def _nest(depth: int, opener: bytes) -> bytes:
    """`depth` arrays (opener `[`) or objects (opener `{"a":`) inside each other around a 1."""
    return opener * depth + b"1" + (b"]" if opener == b"[" else b"}") * depth


def _values(valid: dict[str, Any]) -> st.SearchStrategy[bytes | None]:
    """Message values built around one valid event (as JSON)."""
    paths = _paths(valid)
    current = registry.model_for(valid["type"]).class_version
    marker = "\u0000GARBAGE\u0000"
    placeholder = _dump(marker).strip(b'"')

    def broken_text(path: tuple[str, ...], bad: bytes) -> bytes:
        return _dump(_set(valid, path, marker)).replace(placeholder, bad)

    def deep(depth: int, opener: bytes, where: str) -> bytes:
        if where == "whole":
            return _nest(depth, opener)
        doc = _dump(_delete(valid, ("data",)) if where == "data" else valid)
        return doc[:-1] + (b',"data":' if where == "data" else b',"extra":') + _nest(depth, opener) + b"}"

    wrong_type = st.sampled_from(paths).flatmap(
        lambda p: json_values.filter(lambda v: type(v) is not type(_get(valid, p))).map(
            lambda v: _dump(_set(valid, p, v))
        )
    )
    return st.one_of(
        st.none(),  # a tombstone
        st.binary(max_size=300),
        st.text(max_size=100).map(str.encode),
        json_values.filter(lambda v: not isinstance(v, dict)).map(_dump),
        wrong_type,
        st.sampled_from(paths).map(lambda p: _dump(_delete(valid, p))),
        st.dictionaries(st.text(max_size=10), json_values, min_size=1, max_size=3).map(
            lambda extra: _dump(
                _set(valid, ("data",), {**valid["data"], **{f"x-{k}": v for k, v in extra.items()}})
            )
        ),
        (st.integers(max_value=0) | st.integers(min_value=current + 1)).map(
            lambda v: _dump(_set(valid, ("version",), v))
        ),
        st.text(max_size=40)
        .filter(lambda t: t not in registry.types)
        .map(lambda t: _dump(_set(valid, ("type",), t))),
        st.builds(
            broken_text,
            st.sampled_from([p for p in paths if isinstance(_get(valid, p), str)]),
            st.sampled_from(NOT_UTF8),
        ),
        st.sampled_from([p for p in paths if isinstance(_get(valid, p), str)]).map(
            lambda p: _dump(_set(valid, p, marker)).replace(placeholder, b"\\ud800")
        ),
        st.builds(
            deep,
            st.integers(250, 30_000),
            st.sampled_from([b"[", b'{"a":']),
            st.sampled_from(["whole", "data", "extra"]),
        ),
        st.integers(4_400, 20_000).map(
            lambda digits: _dump(_set(valid, ("version",), 0)).replace(
                b'"version":0', b'"version":' + b"9" * digits
            )
        ),
        st.builds(
            lambda field, size: _dump(_set(valid, (field,), "x" * size)),
            st.sampled_from(["city", "subject", "source"]),
            st.integers(201, 200_000),
        ),
        st.sampled_from(OUT_OF_RANGE_TIMES).map(lambda t: _dump(_set(valid, ("time",), t))),
    )


def _get(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = doc
    for part in path:
        value = value[part]
    return value


def garbage(valid: bytes) -> st.SearchStrategy[Garbage]:
    """Messages a consumer of `valid`'s topic must park: never a valid event (those are filtered out)."""
    doc = json.loads(valid)
    keys = st.none() | st.binary(max_size=20)
    messages = st.builds(Garbage, keys, _values(doc), headers.map(tuple))
    # A record needs a key or a value (the client refuses neither); a tombstone gets an empty key.
    return messages.map(lambda g: g if g.key or g.value else Garbage(b"", g.value, g.headers)).filter(
        lambda g: g.reason() is not None
    )


def crafted(valid: bytes) -> list[Garbage]:
    """Garbage always sent besides the generated kind: the largest, the deepest, the unreadable."""
    doc = json.loads(valid)
    bad_key = (RawKey(b"\xff\xfewitaj"), b"x")
    return [
        Garbage(b"k", _dump({**doc, "padding": "x" * MAX_EVENT_BYTES})),  # larger than any event
        Garbage(None, _nest(100_000, b"[")),  # deeper than Python's own parser can go
        Garbage(None, valid, (bad_key,)),  # a valid event behind a header no client can read
        Garbage(b"k", b"{not json", (bad_key, ("trace", None))),
        Garbage(b"tombstone", None, (("", None),)),
    ]


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` examples of `strategy`, generated by hypothesis in one go."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found


@contextmanager
def _python_record_builder() -> Iterator[None]:
    """Build record batches with aiokafka's pure-Python builder, which sends `RawKey` bytes as given."""
    saved = (producer_module.DefaultRecordBatchBuilder, accumulator.DefaultRecordBatchBuilder)
    builder = default_records._DefaultRecordBatchBuilderPy
    producer_module.DefaultRecordBatchBuilder = accumulator.DefaultRecordBatchBuilder = builder  # type: ignore[misc]
    try:
        yield
    finally:
        producer_module.DefaultRecordBatchBuilder, accumulator.DefaultRecordBatchBuilder = saved  # type: ignore[misc]


async def send_all(bootstrap: str, topic: str, messages: list[Garbage], partition: int = 0) -> list[int]:
    """Send the messages to one partition in as few batches as possible; the offset each got, in order.

    A message the client cannot read goes in a batch of its own: a client reads a producer's batch
    from its start, so it could not read any record behind that one in the same batch either.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=4 * MAX_EVENT_BYTES, linger_ms=5, acks="all"
    )
    await producer.start()
    offsets: list[int] = []
    try:
        with _python_record_builder():
            runs: list[list[Garbage]] = []
            for message in messages:
                if message.unreadable or not runs or runs[-1][-1].unreadable:
                    runs.append([])
                runs[-1].append(message)
            for run in runs:
                sent = [
                    await producer.send(
                        topic, m.value, key=m.key, partition=partition, headers=list(m.headers) or None
                    )
                    for m in run
                ]
                offsets += [meta.offset for meta in await asyncio.gather(*sent)]
    finally:
        await producer.stop()
    return offsets
