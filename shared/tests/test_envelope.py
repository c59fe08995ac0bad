"""The envelope and registry: round trips, clear errors for bad messages, upcasting old versions."""

import json
from typing import ClassVar

import pytest
from witaj.shared.envelope import (
    MAX_EVENT_BYTES,
    EventData,
    EventRegistry,
    InvalidEventData,
    MalformedEvent,
    UnknownEventType,
    UnsupportedEventVersion,
    wrap,
)
from witaj.shared.events import CityConfig, CityConfigured, ContentKind, ContentPublished, registry

LUBLIN = CityConfig(id="lublin", name="Lublin", country="PL", default_language="pl", languages=["pl", "en"])


def published() -> ContentPublished:
    return ContentPublished(
        kind=ContentKind.PAGE,
        item_id="p1",
        revision=3,
        languages=["pl", "en"],
        path="/cities/lublin/pages/p1",
    )


def test_round_trip_keeps_every_field() -> None:
    envelope = wrap(published(), source="witaj/content", city="lublin", subject="p1")
    decoded = registry.decode(registry.encode(envelope))
    assert decoded == envelope
    assert isinstance(decoded.data, ContentPublished)
    assert decoded.type == "content.published" and decoded.version == 1
    assert decoded.specversion == "1.0"


def test_envelope_uses_cloudevents_field_names() -> None:
    doc = json.loads(registry.encode(wrap(published(), source="witaj/content", city="lublin", subject="p1")))
    assert {"id", "type", "version", "source", "time", "city", "subject", "data", "specversion"} == set(doc)


def test_every_platform_event_is_registered_and_frozen() -> None:
    assert "city.configured" in registry.types
    assert "usage.search_performed" in registry.types
    for model in registry.types.values():
        assert model.model_config.get("frozen") is True, model


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"{not json", MalformedEvent),
        (b"[1, 2]", MalformedEvent),
        (b'{"type": "content.published"}', MalformedEvent),
        (b'{"type": "content.exploded", "version": 1, "data": {}}', UnknownEventType),
        (b'{"type": "content.published", "version": 99, "data": {}}', UnsupportedEventVersion),
        (b'{"type": "content.published", "version": 1, "data": "x"}', MalformedEvent),
        (b"\xff\xfe", MalformedEvent),
    ],
)
def test_bad_messages_raise_clear_errors(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        registry.decode(raw)


def test_invalid_payload_names_the_field() -> None:
    envelope = wrap(published(), source="witaj/content", city="lublin", subject="p1")
    doc = json.loads(registry.encode(envelope))
    doc["data"]["revision"] = "three"
    with pytest.raises(InvalidEventData, match="revision"):
        registry.decode(json.dumps(doc))


def test_oversize_message_is_rejected_before_parsing() -> None:
    with pytest.raises(MalformedEvent, match="larger"):
        registry.decode(b" " * (MAX_EVENT_BYTES + 1))


def test_unregistered_payload_cannot_be_wrapped() -> None:
    class Stray(EventData):
        x: int

    with pytest.raises(TypeError):
        wrap(Stray(x=1), source="s", city="c", subject="s")


def test_upcasting_brings_old_versions_forward() -> None:
    local = EventRegistry()

    @local.register("test.renamed")
    class Renamed(EventData):
        class_version: ClassVar[int] = 3
        full_title: str
        language: str

        @staticmethod
        def upcast_v1_v2(data: dict) -> dict:
            data["full_title"] = data.pop("title")
            return data

        @staticmethod
        def upcast_v2_v3(data: dict) -> dict:
            data.setdefault("language", "pl")
            return data

    old = {
        "type": "test.renamed",
        "version": 1,
        "source": "s",
        "city": "c",
        "subject": "x",
        "data": {"title": "Hi"},
    }
    decoded = local.decode(json.dumps(old))
    assert decoded.version == 3
    assert decoded.data == Renamed(full_title="Hi", language="pl")


def test_a_version_bump_without_upcaster_is_refused_at_registration() -> None:
    local = EventRegistry()
    with pytest.raises(TypeError, match="upcast_v1_v2"):

        @local.register("test.bumped")
        class Bumped(EventData):
            class_version: ClassVar[int] = 2


def test_city_snapshot_round_trip() -> None:
    envelope = wrap(
        CityConfigured(config=LUBLIN, revision=1), source="witaj/content", city="lublin", subject="lublin"
    )
    assert registry.decode(envelope.to_json()).data.config == LUBLIN


def test_key_order_and_nested_type_fields_do_not_confuse_decoding() -> None:
    """The type is peeked at before parsing; a payload field called `type`, placed first, must not win."""
    local = EventRegistry()

    @local.register("test.shape")
    class Shape(EventData):
        type: str

    @local.register("test.other")
    class Other(EventData):
        type: str

    raw = json.dumps(
        {
            "data": {"type": "test.other"},
            "type": "test.shape",
            "version": 1,
            "source": "s",
            "city": "c",
            "subject": "x",
        },
        separators=(",", ":"),  # as Witaj's encoder writes it, so the nested `type` is found first
    )
    decoded = local.decode(raw)
    assert decoded.type == "test.shape" and isinstance(decoded.data, Shape)


def test_version_must_be_an_integer_not_a_boolean() -> None:
    doc = json.loads(registry.encode(wrap(published(), source="witaj/content", city="lublin", subject="p1")))
    doc["version"] = True
    with pytest.raises(MalformedEvent, match="integer 'version'"):
        registry.decode(json.dumps(doc))


def _valid_doc() -> dict:
    return json.loads(registry.encode(wrap(published(), source="witaj/content", city="lublin", subject="p1")))


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than Python's own parser can recurse
        b'{"type":"content.published","version":1,"data":' + b'{"a":' * 300 + b"1" + b"}" * 301,
        b'{"type":"content.published","version":' + b"9" * 5_000 + b"}",  # past int conversion limits
        json.dumps({**_valid_doc(), "subject": "\ud800"}).encode(),  # a lone surrogate: no encoder takes it
    ],
    ids=["deep", "deep-data", "huge-number", "surrogate"],
)
def test_hostile_json_is_malformed_not_a_crash(raw: bytes) -> None:
    with pytest.raises(MalformedEvent):
        registry.decode(raw)


@pytest.mark.parametrize(
    "time", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2300-01-01T00:00:00Z"]
)
def test_times_no_event_has_are_refused(time: str) -> None:
    with pytest.raises(InvalidEventData, match="time"):
        registry.decode(json.dumps({**_valid_doc(), "time": time}))


def test_an_upcast_that_fails_on_odd_old_data_is_invalid_data() -> None:
    local = EventRegistry()

    @local.register("test.renamed")
    class Renamed(EventData):
        class_version: ClassVar[int] = 2
        full_title: str

        @staticmethod
        def upcast_v1_v2(data: dict) -> dict:
            return {"full_title": data.pop("title")}  # KeyError when the old field is missing

    old = {"type": "test.renamed", "version": 1, "source": "s", "city": "c", "subject": "x", "data": {}}
    with pytest.raises(InvalidEventData, match="KeyError"):
        local.decode(json.dumps(old))
