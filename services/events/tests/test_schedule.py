"""Recurrence rules without a database: validation, time zones, moved and cancelled occurrences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


NASTY_RULES = [
    ("FREQ=DAILY;BYYEARDAY=100;BYMONTH=1", "schedule_never_happens"),  # day 100 is in April
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "invalid_schedule"),  # said plainly: never happens
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=-30", "invalid_schedule"),
    ("FREQ=YEARLY;BYYEARDAY=366;BYMONTH=1", "schedule_never_happens"),
    ("FREQ=WEEKLY;BYYEARDAY=-366;BYDAY=MO;BYMONTH=6", "schedule_never_happens"),
    ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=10", "schedule_never_happens"),  # no month has ten Mondays
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYSETPOS=-6", "schedule_never_happens"),
    ("FREQ=DAILY;BYSETPOS=" + ",".join(map(str, range(2, 120))), "schedule_too_complex"),
    ("FREQ=YEARLY;BYWEEKNO=60", "schedule_never_happens"),
    ("FREQ=YEARLY;BYWEEKNO=53;BYMONTH=6", "schedule_never_happens"),  # week 53 ends December
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "schedule_never_happens"),  # next in 2044
    ("FREQ=DAILY;BYMONTHDAY=31;BYMONTH=1;COUNT=2000", "schedule_too_complex"),  # 2000 years of days
    ("FREQ=YEARLY;BYMONTHDAY=29;BYMONTH=2;COUNT=300", "invalid_schedule"),  # ends in 1200 years
    ("FREQ=DAILY;INTERVAL=99999999", "invalid_schedule"),
    ("FREQ=YEARLY;UNTIL=29991231T000000", "invalid_schedule"),
]


@pytest.mark.parametrize(("rrule", "code"), NASTY_RULES)
def test_rules_that_match_nothing_or_almost_nothing_are_refused_within_the_work_bound(rrule, code) -> None:
    """Before, the recurrence library stepped through every day up to the year 9999 looking for an
    occurrence (seconds of CPU each); now every step is counted and the search has a horizon."""
    schedule = Schedule(start=datetime(2030, 3, 1, 10), end=datetime(2030, 3, 1, 11), rrule=rrule)
    work = sched.Work()
    with pytest.raises(sched.InvalidSchedule) as refused:
        sched.bounds(sched.normalise(schedule, "Europe/Warsaw"), work=work)
    assert refused.value.code == code and refused.value.status == 422
    assert work.spent <= sched.WORK_LIMIT + 400 * 366  # at most one period past the limit


@pytest.mark.parametrize(
    ("rrule", "first"),
    [
        ("FREQ=DAILY;COUNT=2000", datetime(2030, 3, 1)),
        ("FREQ=WEEKLY;BYDAY=MO,WE;COUNT=1999", datetime(2030, 3, 4)),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", datetime(2030, 9, 13)),  # Friday the 13th
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", datetime(2030, 3, 29)),  # last working day
        ("FREQ=YEARLY;BYYEARDAY=366", datetime(2032, 12, 31)),
        ("FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", datetime(2032, 12, 30)),
        ("FREQ=YEARLY;INTERVAL=4;UNTIL=20700101T000000", datetime(2030, 3, 1)),
    ],
)
def test_sparse_but_real_rules_are_kept(rrule, first) -> None:
    schedule = Schedule(start=datetime(2030, 3, 1, 10), end=datetime(2030, 3, 1, 11), rrule=rrule)
    found = sched.bounds(sched.normalise(schedule, "UTC")).first_start
    assert found.date() == first.date()


def test_every_expansion_is_bounded_in_work_not_only_in_results() -> None:
    daily = sched.normalise(
        Schedule(start=datetime(2030, 3, 1, 9), end=datetime(2030, 3, 1, 10), rrule="FREQ=DAILY"), "UTC"
    )
    far = datetime(2200, 1, 1, tzinfo=UTC)
    with pytest.raises(sched.TooMuchWork):  # 170 years of days before the first one asked for
        list(sched.expand(daily, {}, far, far + timedelta(days=30), limit=10))
    assert not sched.is_occurrence(daily, far)  # too far to check: not an occurrence it will list
    assert sched.is_occurrence(daily, datetime(2031, 3, 1, 9, tzinfo=UTC))

    shared = sched.Work(100_000)  # one request's budget across many events
    near = datetime(2035, 1, 1, tzinfo=UTC)
    with pytest.raises(sched.TooMuchWork):
        for _ in range(50):
            list(
                sched.expand(
                    daily, {}, near, near + timedelta(days=7), limit=10, work=sched.Work(parent=shared)
                )
            )
    assert shared.spent <= 100_000 + 400


def test_an_open_ended_rule_is_refused_when_today_is_out_of_its_reach() -> None:
    old = Schedule(start=datetime(1900, 1, 1, 9), end=datetime(1900, 1, 1, 10), rrule="FREQ=DAILY")
    with pytest.raises(sched.TooMuchWork):
        sched.bounds(sched.normalise(old, "UTC"))
    recent = Schedule(start=datetime(2010, 1, 1, 9), end=datetime(2010, 1, 1, 10), rrule="FREQ=DAILY")
    assert sched.bounds(sched.normalise(recent, "UTC")).last_end is None


def test_all_day_schedules_start_and_end_at_midnight() -> None:
    days = Schedule(start=datetime(2030, 6, 1), end=datetime(2030, 6, 3), all_day=True, rrule="FREQ=YEARLY")
    assert sched.normalise(days, "Europe/Warsaw").all_day
    with pytest.raises(sched.InvalidSchedule, match="midnight"):
        sched.normalise(days.model_copy(update={"end": datetime(2030, 6, 2, 18)}), "Europe/Warsaw")
