"""The one day function: instants to a cohort's local days and back, in any zone, across DST."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cohorts.days import cohort_day_number, day_start, local_date, local_hour, local_midnight

UTC = ZoneInfo("UTC")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def second_before(instant: datetime) -> datetime:
    return instant - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("tz", "on", "expected"),
    [
        ("UTC", date(2026, 5, 1), utc(2026, 5, 1)),
        ("Asia/Shanghai", date(2026, 5, 1), utc(2026, 4, 30, 16)),
        ("Asia/Kathmandu", date(2026, 5, 1), utc(2026, 4, 30, 18, 15)),  # +05:45
        ("Pacific/Kiritimati", date(2026, 5, 1), utc(2026, 4, 30, 10)),  # +14
        ("Pacific/Honolulu", date(2026, 5, 1), utc(2026, 5, 1, 10)),  # -10
        # America/New_York: spring forward on 2026-03-08 at 02:00, fall back on 2026-11-01 at 02:00
        ("America/New_York", date(2026, 3, 8), utc(2026, 3, 8, 5)),  # midnight still EST
        ("America/New_York", date(2026, 3, 9), utc(2026, 3, 9, 4)),  # now EDT
        ("America/New_York", date(2026, 11, 1), utc(2026, 11, 1, 4)),  # midnight still EDT
        ("America/New_York", date(2026, 11, 2), utc(2026, 11, 2, 5)),  # now EST
        # Europe/London: BST from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC
        ("Europe/London", date(2026, 3, 29), utc(2026, 3, 29, 0)),
        ("Europe/London", date(2026, 3, 30), utc(2026, 3, 29, 23)),
        ("Europe/London", date(2026, 10, 25), utc(2026, 10, 24, 23)),
        ("Europe/London", date(2026, 10, 26), utc(2026, 10, 26, 0)),
    ],
)
def test_local_midnight(tz, on, expected):
    assert local_midnight(tz=tz, on=on) == expected
    # it is the very first instant of that local date
    assert local_date(tz=tz, at=expected) == on
    assert local_date(tz=tz, at=second_before(expected)) == on - timedelta(days=1)


@pytest.mark.parametrize(
    ("tz", "day", "length_hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/London", date(2026, 3, 29), 23),
        ("Europe/London", date(2026, 10, 25), 25),
        ("Asia/Kathmandu", date(2026, 3, 8), 24),
    ],
)
def test_dst_days_are_23_or_25_hours_long(tz, day, length_hours):
    start = local_midnight(tz=tz, on=day)
    end = local_midnight(tz=tz, on=day + timedelta(days=1))

    assert end - start == timedelta(hours=length_hours)


def _skips_midnight(tz: str, on: date) -> bool:
    wall = datetime(on.year, on.month, on.day, tzinfo=ZoneInfo(tz))
    return wall.astimezone(UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None) != wall.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("tz", "on", "first_instant", "first_wall_time"),
    [
        # at 24:00 on Saturday clocks jump to 01:00 Sunday: 00:00 never happens
        ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4), "01:00"),
        ("Asia/Beirut", date(2026, 3, 29), utc(2026, 3, 28, 22), "01:00"),
        ("America/Havana", date(2026, 3, 8), utc(2026, 3, 8, 5), "01:00"),
    ],
)
def test_a_day_whose_midnight_does_not_exist_starts_at_its_first_instant(tz, on, first_instant, first_wall_time):
    # given a zone and date where local midnight is skipped (checked with zoneinfo, not assumed)
    assert _skips_midnight(tz, on)

    # when asking when that day begins
    start = local_midnight(tz=tz, on=on)

    # then it is the first instant that exists on that date: the wall clock reads 01:00 there
    assert start == first_instant
    assert start.astimezone(ZoneInfo(tz)).strftime("%H:%M") == first_wall_time
    assert local_date(tz=tz, at=start) == on
    assert local_date(tz=tz, at=second_before(start)) == on - timedelta(days=1)
    # and the day before it ends exactly there, 24 hours after it began (the short day is this one)
    assert start - local_midnight(tz=tz, on=on - timedelta(days=1)) == timedelta(hours=24)
    assert local_midnight(tz=tz, on=on + timedelta(days=1)) - start == timedelta(hours=23)


def test_an_ambiguous_midnight_starts_the_day_at_its_first_occurrence():
    """America/Havana falls back at 01:00 to 00:00 on 2026-11-01: midnight happens twice; the day starts at the first."""
    start = local_midnight(tz="America/Havana", on=date(2026, 11, 1))

    assert start == utc(2026, 11, 1, 4)  # 00:00 CDT (-04:00), not 00:00 CST an hour later
    assert local_date(tz="America/Havana", at=second_before(start)) == date(2026, 10, 31)
    assert local_midnight(tz="America/Havana", on=date(2026, 11, 2)) - start == timedelta(hours=25)


# Day numbers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Honolulu"])
def test_day_numbers_before_at_and_after_start_and_end(tz):
    starts_on, length = date(2026, 6, 1), 7
    ends_on = starts_on + timedelta(days=length - 1)
    first = local_midnight(tz=tz, on=starts_on)
    after_end = local_midnight(tz=tz, on=ends_on + timedelta(days=1))

    def day(at):
        return cohort_day_number(tz=tz, starts_on=starts_on, at=at)

    assert day(first - timedelta(days=3)) == -2
    assert day(second_before(first)) == 0
    assert day(first) == 1
    assert day(first + timedelta(hours=23, minutes=59)) == 1
    assert day(first + timedelta(hours=24)) == 2
    assert day(second_before(after_end)) == length
    assert day(after_end) == length + 1


def test_the_same_instant_is_a_different_day_in_different_zones():
    """02:00 UTC on 1 June is already day 1 in Kiritimati and Shanghai, still day 0 in Honolulu."""
    at = utc(2026, 6, 1, 2)

    days = {
        tz: cohort_day_number(tz=tz, starts_on=date(2026, 6, 1), at=at)
        for tz in ("Pacific/Kiritimati", "Asia/Shanghai", "Asia/Kathmandu", "UTC", "Pacific/Honolulu")
    }

    assert days == {
        "Pacific/Kiritimati": 1,
        "Asia/Shanghai": 1,
        "Asia/Kathmandu": 1,
        "UTC": 1,
        "Pacific/Honolulu": 0,
    }


def test_day_numbers_across_spring_forward_and_fall_back():
    tz = "America/New_York"

    # a cohort starting the day clocks spring forward
    spring = date(2026, 3, 8)
    assert cohort_day_number(tz=tz, starts_on=spring, at=utc(2026, 3, 9, 3, 59)) == 1  # 23:59 EDT
    assert cohort_day_number(tz=tz, starts_on=spring, at=utc(2026, 3, 9, 4)) == 2  # 00:00 EDT

    # a cohort starting the day clocks fall back: 01:30 happens twice, both are day 1
    autumn = date(2026, 11, 1)
    assert cohort_day_number(tz=tz, starts_on=autumn, at=utc(2026, 11, 1, 5, 30)) == 1  # 01:30 EDT
    assert cohort_day_number(tz=tz, starts_on=autumn, at=utc(2026, 11, 1, 6, 30)) == 1  # 01:30 EST
    assert cohort_day_number(tz=tz, starts_on=autumn, at=utc(2026, 11, 2, 4, 59)) == 1  # 23:59 EST
    assert cohort_day_number(tz=tz, starts_on=autumn, at=utc(2026, 11, 2, 5)) == 2


@pytest.mark.parametrize(
    ("tz", "starts_on", "day", "expected"),
    [
        ("America/New_York", date(2026, 3, 1), 8, utc(2026, 3, 8, 5)),
        ("America/New_York", date(2026, 3, 1), 9, utc(2026, 3, 9, 4)),
        ("Europe/London", date(2026, 10, 20), 7, utc(2026, 10, 26)),
        ("America/Santiago", date(2026, 9, 1), 6, utc(2026, 9, 6, 4)),
        ("Asia/Kathmandu", date(2026, 1, 1), 1, utc(2025, 12, 31, 18, 15)),
    ],
)
def test_day_start_is_local_midnight_of_that_day(tz, starts_on, day, expected):
    assert day_start(tz=tz, starts_on=starts_on, day=day) == expected


# Grace -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Honolulu"])
def test_grace_keeps_the_previous_day_until_the_grace_hour(tz):
    grace = timedelta(hours=3)
    starts_on = date(2026, 6, 1)
    day2 = local_midnight(tz=tz, on=date(2026, 6, 2))

    def day(at):
        return cohort_day_number(tz=tz, starts_on=starts_on, at=at, grace=grace)

    assert day(day2 + timedelta(hours=2, minutes=59)) == 1  # 02:59 local still counts for day 1
    assert day(day2 + timedelta(hours=3)) == 2  # 03:00 local is day 2
    assert day(day2 - timedelta(minutes=1)) == 1
    assert local_date(tz=tz, at=day2 + timedelta(hours=1), grace=grace) == date(2026, 6, 1)
    assert local_date(tz=tz, at=day2 + timedelta(hours=1)) == date(2026, 6, 2)


@pytest.mark.parametrize("tz", ["Asia/Kathmandu", "Pacific/Kiritimati", "Asia/Shanghai", "Pacific/Honolulu"])
def test_grace_never_reaches_back_before_day_1(tz):
    """Day 0 is not a day of the cohort: day 1 begins at its local midnight, when lesson 1 comes out."""
    grace = timedelta(hours=3)
    starts_on = date(2026, 6, 1)
    first = local_midnight(tz=tz, on=starts_on)

    def day(at):
        return cohort_day_number(tz=tz, starts_on=starts_on, at=at, grace=grace)

    assert day(second_before(first)) == 0
    assert day(first) == 1
    assert day(first + timedelta(seconds=30)) == 1
    assert day(first + timedelta(hours=2, minutes=59)) == 1
    assert day(first - timedelta(days=2)) == -1


def test_grace_follows_the_wall_clock_on_dst_nights():
    """ "Until 03:00" means the local clock reads 03:00, also on the nights it jumps or repeats an hour."""
    tz, grace = "America/New_York", timedelta(hours=3)

    # spring forward: 02:00 EST jumps to 03:00 EDT, so the grace ends two real hours after midnight
    assert local_date(tz=tz, at=utc(2026, 3, 8, 6, 59), grace=grace) == date(2026, 3, 7)  # 01:59 EST
    assert local_date(tz=tz, at=utc(2026, 3, 8, 7), grace=grace) == date(2026, 3, 8)  # 03:00 EDT

    # fall back: 01:00-02:00 happens twice, so the grace lasts four real hours
    assert local_date(tz=tz, at=utc(2026, 11, 1, 7, 59), grace=grace) == date(2026, 10, 31)  # 02:59 EST
    assert local_date(tz=tz, at=utc(2026, 11, 1, 8), grace=grace) == date(2026, 11, 1)  # 03:00 EST


def test_zero_grace_is_plain_local_date():
    at = utc(2026, 6, 1, 16)

    assert local_date(tz="Asia/Shanghai", at=at, grace=timedelta(0)) == date(2026, 6, 2)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        local_date(tz="UTC", at=datetime(2026, 6, 1))


def test_local_hour_is_the_wall_clock_hour():
    assert local_hour(tz="Asia/Kathmandu", on=date(2026, 6, 1), hour=20) == utc(2026, 6, 1, 14, 15)
    assert local_hour(tz="America/New_York", on=date(2026, 11, 1), hour=9) == utc(2026, 11, 1, 14)
