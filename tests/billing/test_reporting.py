"""The revenue report's days: whole days in the reader's zone, first to last included."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from billing.reporting import DayRange, day_range, last_days, last_month, this_month


def test_a_day_in_shanghai_starts_at_16_utc_the_day_before():
    start, end = DayRange(date(2026, 12, 1), date(2026, 12, 31)).bounds(ZoneInfo("Asia/Shanghai"))
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)


def test_a_range_over_a_dst_change_ends_at_the_local_midnight():
    start, end = DayRange(date(2026, 3, 28), date(2026, 3, 29)).bounds(ZoneInfo("Europe/Berlin"))
    assert start == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)  # CET
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # CEST: the 29th has 23 hours


def test_defaults_and_presets():
    today = date(2027, 1, 5)
    assert day_range(None, None, today=today) == last_days(today) == DayRange(date(2026, 12, 7), today)
    assert day_range(date(2026, 12, 24), None, today=today) == DayRange(date(2026, 12, 24), today)
    assert day_range(None, date(2026, 12, 31), today=today) == DayRange(date(2026, 12, 2), date(2026, 12, 31))
    assert this_month(today) == DayRange(date(2027, 1, 1), today)
    assert last_month(today) == DayRange(date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        day_range(date(2026, 12, 2), date(2026, 12, 1), today=today)
