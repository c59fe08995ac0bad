"""What one event counts, without a broker or a database: minutes, shared tallies, outdated demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from witaj.shared.envelope import Envelope, EventData, registry, wrap
from witaj.shared.events import (
    AgendaItemPublished,
    AgendaItemViewed,
    ContentKind,
    PageViewed,
    RegistrationCreated,
    RegistrationStatus,
    SearchPerformed,
    TranslationStateChanged,
)
from witaj.stats.metrics import Counter, Effects, PageViews, epoch_minute


def event(data: EventData, moment: datetime) -> Envelope[Any]:
    """As the processor gets it: encoded by a producer, decoded from bytes."""
    return registry.decode(
        registry.encode(wrap(data, source="witaj/test", city="lublin", subject="s", time=moment))
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 12, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 3, 2, 0, 30, 10, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 3, 2, 23, 30, 10, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        datetime(2026, 3, 2, 12, 0, 20, tzinfo=timezone(timedelta(seconds=30))),
        datetime(1969, 12, 31, 23, 59, 30, tzinfo=UTC),
    ],
)
def test_epoch_minute_is_the_utc_minute_holding_the_moment(moment: datetime) -> None:
    assert epoch_minute(moment) == int(moment.timestamp() // 60)


def test_naive_times_are_read_as_utc() -> None:
    naive = datetime(2026, 3, 2, 12, 7, 45)
    assert epoch_minute(naive) == epoch_minute(naive.replace(tzinfo=UTC))


def test_views_alike_share_one_tally_and_still_count_each() -> None:
    counter = Counter("salt")
    noon = datetime(2026, 3, 2, 12, 0, 5, tzinfo=UTC)
    view = PageViewed(kind=ContentKind.PAGE, item_id="rent", language="uk", topics=["housing"])
    first = counter.read(event(view, noon))
    second = counter.read(event(view, noon + timedelta(seconds=30)))
    later = counter.read(event(view, noon + timedelta(minutes=1)))
    assert first is not None and second is first, "same city, minute and view: one shared tally"
    assert later is not None and later is not first and later[2] == first[2]

    effects = Effects(tallies=[first, second, later])
    counts = effects.counts()
    twelve = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert counts[("lublin", twelve, "page_views", "item", "rent")] == 2
    assert counts[("lublin", twelve + timedelta(minutes=1), "page_views", "kind", "page")] == 1


def test_a_view_of_an_outdated_translation_is_counted_as_demand_from_then_on() -> None:
    counter = Counter("salt")
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    view = PageViewed(kind=ContentKind.PAGE, item_id="rent", language="uk", topics=[])
    before = counter.read(event(view, noon))
    outdated = TranslationStateChanged(
        kind=ContentKind.PAGE,
        item_id="rent",
        language="uk",
        state="published",
        source_revision=2,
        outdated=True,
    )
    counter.read(event(outdated, noon))
    after = counter.read(event(view, noon))
    assert before is not None and after is not None
    assert isinstance(before[2], PageViews) and before[2].outdated is None
    assert isinstance(after[2], PageViews) and after[2].outdated == "uk"


NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (PageViewed(kind=ContentKind.PAGE, item_id="rent", language="uk"), False),
        (AgendaItemViewed(event_id="e1", language="uk"), False),
        (SearchPerformed(query="meldunek", language="uk", result_count=3), False),
        (SearchPerformed(query="  ", language="uk", result_count=0), False),
        (SearchPerformed(query=" Meldunek ", language="uk", result_count=0, session="s1"), True),
        (
            AgendaItemPublished(
                event_id="e1", revision=1, event_kind="workshop", organisation="o", capacity=20, path="/e1"
            ),
            True,
        ),
        (
            TranslationStateChanged(
                kind=ContentKind.PAGE, item_id="rent", language="uk", state="missing", source_revision=1
            ),
            True,
        ),
        (
            RegistrationCreated(
                registration_id="r1",
                event_id="e1",
                organisation="o",
                registrant="p1",
                status=RegistrationStatus.CONFIRMED,
            ),
            True,  # counted per occurrence besides its rollups
        ),
    ],
)
def test_an_event_is_kept_whole_exactly_when_it_notes_more_than_counts(data: EventData, kept: bool) -> None:
    """The processor keeps an event after reading only if `has_effects` says so; `note` must then
    find something to keep, and nothing for the others (the two are written apart)."""
    counter = Counter("salt")
    envelope = event(data, NOON)
    effects = Effects()
    counter.note(envelope, effects)
    noted = bool(
        effects.queries or effects.capacities or effects.datasets or effects.translations or effects.places
    )
    assert counter.has_effects(envelope) is kept
    assert noted is kept
    if effects.queries:
        assert effects.queries[0][2] == "meldunek", "queries are kept trimmed and lower-cased"
