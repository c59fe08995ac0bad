"""The dispatch table every consumer runs: which handlers an event reaches, in which order."""

from __future__ import annotations

from typing import Any

import pytest
from witaj.shared.envelope import Envelope, EventData, wrap
from witaj.shared.events import ContentKind, ContentPublished, ContentUnpublished, PageViewed
from witaj.shared.handlers import Handlers

pytestmark = pytest.mark.unit


def published(item: str = "p1") -> Envelope[ContentPublished]:
    data = ContentPublished(kind=ContentKind.PAGE, item_id=item, revision=1, path=f"/pages/{item}")
    return wrap(data, source="witaj/test", city="lublin", subject=item)


def recorder(calls: list[tuple[str, str]], name: str) -> Any:
    async def handle(envelope: Envelope[Any]) -> None:
        calls.append((name, envelope.data.item_id))

    return handle


async def test_an_event_reaches_the_handlers_of_its_class_in_the_order_they_were_added() -> None:
    calls: list[tuple[str, str]] = []
    table = (
        Handlers()
        .add(ContentPublished, recorder(calls, "first"), recorder(calls, "second"))
        .add(ContentUnpublished, recorder(calls, "unpublished"))
        .add(ContentPublished, recorder(calls, "third"))
    )
    await table(published("p7"))
    assert calls == [("first", "p7"), ("second", "p7"), ("third", "p7")]
    assert table.events == (ContentPublished, ContentUnpublished)


async def test_a_known_event_without_a_handler_is_passed_over() -> None:
    calls: list[tuple[str, str]] = []
    table = Handlers().add(ContentUnpublished, recorder(calls, "unpublished"))
    view = wrap(
        PageViewed(kind=ContentKind.PAGE, item_id="p1", language="uk"), source="t", city="c", subject="p1"
    )
    await table(published())
    await table(view)
    assert calls == []


async def test_a_handler_that_fails_stops_the_rest_so_the_consumer_retries_the_event() -> None:
    calls: list[tuple[str, str]] = []

    async def broken(_: Envelope[Any]) -> None:
        raise RuntimeError("database said no")

    table = Handlers().add(ContentPublished, broken, recorder(calls, "after"))
    with pytest.raises(RuntimeError, match="database said no"):
        await table(published())
    assert calls == []


def test_only_registered_event_types_and_at_least_one_handler_are_taken() -> None:
    class NotAnEvent(EventData):
        pass

    async def handle(_: Envelope[Any]) -> None:
        return None

    with pytest.raises(TypeError, match="NotAnEvent is not a registered event type"):
        Handlers().add(NotAnEvent, handle)
    with pytest.raises(ValueError, match="no handler"):
        Handlers().add(ContentPublished)
