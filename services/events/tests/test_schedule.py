"""Recurrence rules without a database: validation, time zones, moved and cancelled occurrences."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from witaj.events import schedule as sched
from witaj.events.schemas import Schedule


def _weekly(**extra) -> Schedule:
    return sched.normalise(
        Schedule(
            start=datetime(2030, 10, 21, 17), end=datetime(2030, 10, 21, 18), rrule="FREQ=WEEKLY", **extra
        ),
        "Europe/Warsaw",
    )


def _window(schedule: Schedule, overrides=None, limit=100) -> list[sched.Occurrence]:
    return list(
        sched.expand(
            schedule,
            overrides or {},
            datetime(2030, 10, 1, tzinfo=UTC),
            datetime(2030, 11, 10, tzinfo=UTC),
            limit=limit,
        )
    )


def test_wall_clock_time_is_kept_across_the_autumn_clock_change() -> None:
    starts = [o.start.isoformat() for o in _window(_weekly())]
    assert starts == ["2030-10-21T15:00:00+00:00", "2030-10-28T16:00:00+00:00", "2030-11-04T16:00:00+00:00"]
    assert sched.bounds(_weekly()).last_end is None  # open-ended


def test_an_offset_time_is_converted_into_the_events_time_zone() -> None:
    schedule = sched.normalise(
        Schedule(start=datetime(2030, 10, 21, 15, tzinfo=UTC), end=datetime(2030, 10, 21, 16, tzinfo=UTC)),
        "Europe/Warsaw",
    )
    assert schedule.start == datetime(2030, 10, 21, 17) and schedule.timezone == "Europe/Warsaw"


def test_until_in_utc_as_calendars_write_it_ends_the_series() -> None:
    schedule = sched.normalise(
        Schedule(
            start=datetime(2030, 10, 21, 17),
            end=datetime(2030, 10, 21, 18),
            rrule="FREQ=WEEKLY;UNTIL=20301028T160000Z",
        ),
        "Europe/Warsaw",
    )
    assert len(_window(schedule)) == 2
    assert sched.bounds(schedule).last_end == datetime(2030, 10, 28, 17, tzinfo=UTC)


def test_moved_and_cancelled_occurrences_keep_their_identity() -> None:
    schedule = _weekly()
    moved_key = sched.occurrence_key(datetime(2030, 10, 28, 16, tzinfo=UTC))
    cancelled_key = sched.occurrence_key(datetime(2030, 11, 4, 16, tzinfo=UTC))
    overrides = {
        moved_key: {
            "start": datetime(2030, 10, 1, 9, tzinfo=UTC),
            "end": datetime(2030, 10, 1, 10, tzinfo=UTC),
        },
        cancelled_key: {"cancelled": True},
    }
    found = _window(schedule, overrides)
    assert [(o.start.day, o.key.day, o.cancelled) for o in found] == [
        (1, 28, False),
        (21, 21, False),
        (4, 4, True),
    ]
    assert sched.is_occurrence(schedule, datetime(2030, 10, 28, 16, tzinfo=UTC))
    assert not sched.is_occurrence(schedule, datetime(2030, 10, 28, 17, tzinfo=UTC))


def test_expansion_stops_at_the_limit() -> None:
    daily = sched.normalise(
        Schedule(start=datetime(2030, 10, 1, 9), end=datetime(2030, 10, 1, 10), rrule="FREQ=DAILY"), "UTC"
    )
    assert len(_window(daily, limit=5)) == 5


EXCLUDE_BOTH = [datetime(2030, 10, 21, 17), datetime(2030, 10, 22, 17)]


@pytest.mark.parametrize(
    ("rrule", "exdates", "message"),
    [
        ("FREQ=HOURLY", [], "at most daily"),
        ("FREQ=WEEKLY;BYDAY=XX", [], "RRULE is invalid"),
        ("FREQ=DAILY;COUNT=2001", [], "at most 2000"),
        ("FREQ=WEEKLY\nEXDATE:20301021", [], "one RRULE"),
        ("FREQ=DAILY;COUNT=2", EXCLUDE_BOTH, "no occurrences"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", [], "can never happen"),
        ("FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31,-31", [], "can never happen"),
    ],
)
def test_invalid_rules_say_what_is_wrong(rrule, exdates, message) -> None:
    schedule = Schedule(
        start=datetime(2030, 10, 21, 17), end=datetime(2030, 10, 21, 18), rrule=rrule, exdates=exdates
    )
    with pytest.raises(sched.InvalidSchedule) as caught:
        sched.bounds(sched.normalise(schedule, "UTC"))
    assert message in caught.value.message


def test_rare_but_possible_dates_are_kept() -> None:
    """29 February exists, if only every fourth year: refusing impossible dates must not refuse it."""
    schedule = Schedule(
        start=datetime(2030, 1, 1, 17),
        end=datetime(2030, 1, 1, 18),
        rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2",
    )
    first = sched.bounds(sched.normalise(schedule, "UTC")).first_start
    assert (first.year, first.month, first.day) == (2032, 2, 29)
