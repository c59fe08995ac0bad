"""The event envelope every Witaj message travels in, and the registry that turns bytes back into events.

Field names follow CloudEvents (`id`, `type`, `source`, `time`, `subject`, `specversion`) with two
extensions every Witaj event needs: `version` (the schema version of `data`) and `city` (the tenant).
Payloads are frozen pydantic models registered under a stable type name. A model declares its current
`class_version`; older payloads are brought forward by `upcast_v<n>_v<n+1>` static methods beside the
model, so producers and consumers can be upgraded one at a time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_EVENT_BYTES = 1_000_000
"""Largest serialised event accepted; Kafka's default message limit is about the same."""

EARLIEST_EVENT_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_EVENT_TIME = datetime(2200, 1, 1, tzinfo=UTC)
"""An event's `time` lies between these: far beyond any real event, and far enough from the ends of
the calendar that converting it to UTC or adding a day to it (as every rollup window does) cannot fail."""


class EventData(BaseModel):
    """Base of every event payload: immutable, strict about unknown fields, versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    class_version: ClassVar[int] = 1
    event_type: ClassVar[str] = ""


class EventDecodeError(ValueError):
    """A message could not be turned into a known event; it belongs in a dead-letter topic."""

    code = "invalid_event"


class MalformedEvent(EventDecodeError):
    code = "malformed_event"


class EventTooLarge(MalformedEvent):
    code = "event_too_large"


class UnknownEventType(EventDecodeError):
    code = "unknown_event_type"


class UnsupportedEventVersion(EventDecodeError):
    code = "unsupported_event_version"


class InvalidEventData(EventDecodeError):
    code = "invalid_event_data"


D = TypeVar("D", bound=EventData)

_TYPE_KEY = b'"type":"'
"""How Witaj's encoder writes the type key; the first one in a message names its event type when the
producer put it before `data` (a message written differently simply takes the general path)."""


class Envelope(BaseModel, Generic[D]):
    """One event with its metadata. `data` is the typed payload after decoding and upcasting."""

    model_config = ConfigDict(frozen=True)

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    version: int = Field(ge=1, strict=True)
    source: str = Field(min_length=1, max_length=100)
    time: datetime = Field(
        default_factory=lambda: datetime.now(UTC), ge=EARLIEST_EVENT_TIME, lt=LATEST_EVENT_TIME
    )
    city: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=200)
    data: D

    @property
    def key(self) -> bytes:
        """Default partition key: the aggregate, so one entity's events stay in order."""
        return self.subject.encode()

    def to_json(self) -> bytes:
        return self.model_dump_json().encode()

    def to_document(self) -> dict[str, Any]:
        """JSON-compatible dict, as stored in an outbox document."""
        return json.loads(self.model_dump_json())


def wrap(data: D, *, source: str, city: str, subject: str, **extra: Any) -> Envelope[D]:
    """Put a payload in a fresh envelope stamped with its registered type and current version."""
    cls = type(data)
    if not cls.event_type:
        raise TypeError(f"{cls.__name__} is not a registered event type")
    return Envelope[type(data)](  # type: ignore[misc]
        type=cls.event_type,
        version=cls.class_version,
        source=source,
        city=city,
        subject=subject,
        data=data,
        **extra,
    )


class EventRegistry:
    """Maps type names to payload models; decodes bytes into envelopes, upcasting old versions."""

    def __init__(self) -> None:
        self._types: dict[str, type[EventData]] = {}
        self._envelopes: dict[type[EventData], type[Envelope[Any]]] = {}
        self._current: dict[bytes, tuple[type[Envelope[Any]], str, int]] = {}
        """Type name as bytes -> (its envelope model, the name, its current version), for `_decode_current`."""

    def register(self, event_type: str) -> Callable[[type[D]], type[D]]:
        def decorator(cls: type[D]) -> type[D]:
            if event_type in self._types and self._types[event_type] is not cls:
                raise ValueError(f"event type {event_type!r} is registered twice")
            for version in range(1, cls.class_version):
                if not hasattr(cls, f"upcast_v{version}_v{version + 1}"):
                    raise TypeError(f"{cls.__name__} lacks upcast_v{version}_v{version + 1}")
            cls.event_type = event_type
            self._types[event_type] = cls
            self._envelopes[cls] = Envelope[cls]  # type: ignore[valid-type]
            self._current[event_type.encode()] = (self._envelopes[cls], event_type, cls.class_version)
            return cls

        return decorator

    def model_for(self, event_type: str) -> type[EventData]:
        try:
            return self._types[event_type]
        except KeyError:
            raise UnknownEventType(f"unknown event type {event_type[:100]!r}") from None

    @property
    def types(self) -> dict[str, type[EventData]]:
        return dict(self._types)

    def decode(self, raw: bytes | str | dict[str, Any]) -> Envelope[EventData]:
        """Parse and validate one message; raise an EventDecodeError subclass saying what is wrong.

        Messages are hostile input: whatever the bytes, the only exception that leaves is an
        EventDecodeError, so a consumer can always park the message and go on.
        """
        if isinstance(raw, dict):
            doc = dict(raw)
        else:
            if len(raw) > MAX_EVENT_BYTES:
                raise EventTooLarge(f"event is {len(raw)} bytes, larger than {MAX_EVENT_BYTES}")
            current = self._decode_current(raw if type(raw) is bytes else raw.encode())
            if current is not None:
                return current
            try:
                # pydantic's parser, as on the fast path, not `json`: it refuses nesting deeper than
                # 200 levels, numbers too long to convert, invalid UTF-8 and lone surrogates with a
                # ValueError, where `json` recurses into a RecursionError or hands on text that no
                # database or encoder will take.
                doc = pydantic_core.from_json(raw)
            except ValueError as exc:
                raise MalformedEvent(f"event is not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise MalformedEvent("event must be a JSON object")
        event_type, version = doc.get("type"), doc.get("version")
        if not isinstance(event_type, str) or not isinstance(version, int) or isinstance(version, bool):
            raise MalformedEvent("event needs a string 'type' and an integer 'version'")
        model = self.model_for(event_type)
        if version > model.class_version or version < 1:
            raise UnsupportedEventVersion(
                f"{event_type[:100]} version {str(version)[:20]} is not supported "
                f"(this build knows 1..{model.class_version})"
            )
        data = doc.get("data")
        if not isinstance(data, dict):
            raise MalformedEvent("event 'data' must be a JSON object")
        try:
            for step in range(version, model.class_version):
                data = getattr(model, f"upcast_v{step}_v{step + 1}")(dict(data))
            payload = model.model_validate(data)
            # `Envelope[model]` is looked up once, at registration: pydantic's lookup of a
            # parametrised generic is about a tenth of decoding a small event, and stream consumers
            # decode thousands a second.
            return self._envelopes[model](**{**doc, "version": model.class_version, "data": payload})
        except ValidationError as exc:
            raise InvalidEventData(f"{event_type} v{version}: {_summarise(exc)}") from None
        except Exception as exc:  # an upcast or a validator met data it did not expect
            raise InvalidEventData(f"{event_type} v{version}: {type(exc).__name__}: {exc}"[:1000]) from None

    def _decode_current(self, raw: bytes) -> Envelope[EventData] | None:
        """The envelope in one pass of pydantic's JSON parser, when the message is a well-formed event
        of its type's current version; otherwise None, and `decode` takes the general path that upcasts
        old versions and explains what is wrong.

        Stream consumers decode thousands of events a second and nearly all are current: one validation
        of the raw bytes costs about a third of parsing to Python objects and validating them in two
        steps. The type is read ahead of parsing, so the result is accepted only if the parsed envelope
        names that same type (a producer may order keys differently) at the current version.
        """
        start = raw.find(_TYPE_KEY) + len(_TYPE_KEY)
        if start < len(_TYPE_KEY):
            return None
        current = self._current.get(raw[start : raw.find(b'"', start)])
        if current is None:
            return None
        model, event_type, version = current
        try:
            envelope: Envelope[EventData] = model.__pydantic_validator__.validate_json(raw)
        except Exception:  # invalid, or a validator that raised something else: `decode` explains
            return None
        if envelope.type == event_type and envelope.version == version:
            return envelope
        return None

    def encode(self, envelope: Envelope[Any]) -> bytes:
        raw = envelope.to_json()
        if len(raw) > MAX_EVENT_BYTES:
            raise ValueError(f"event {envelope.type} is {len(raw)} bytes, larger than {MAX_EVENT_BYTES}")
        return raw


def _summarise(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]]
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


registry = EventRegistry()
"""The platform's one registry; `witaj.shared.events` registers every event type in it on import."""

event_type = registry.register
