"""The days a staff report covers, as its reader counts them (no Django imports: unit-tested on its own).

A report asks for whole days, first to last inclusive, in the reader's time zone: "1–31 December" in Shanghai
starts at 16:00 UTC on 30 November. ``bounds`` turns them into the half-open UTC interval the database compares.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local midnight of ``first`` to local midnight after ``last``."""
        start = datetime.combine(self.first, time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
        return start, end


def last_days(today: date, days: int = DEFAULT_DAYS) -> DayRange:
    """The ``days`` days up to and including ``today``: the reports' default."""
    return DayRange(today - timedelta(days=days - 1), today)


def this_month(today: date) -> DayRange:
    return DayRange(today.replace(day=1), today)


def last_month(today: date) -> DayRange:
    end = today.replace(day=1) - timedelta(days=1)
    return DayRange(end.replace(day=1), end)


def day_range(first: date | None, last: date | None, *, today: date) -> DayRange:
    """The range asked for; a missing end defaults to today, a missing start to ``DEFAULT_DAYS`` before the end.

    ValueError when the start is after the end.
    """
    last = last or (today if first is None or first <= today else first)
    first = first or last_days(last).first
    if first > last:
        raise ValueError("first after last")
    return DayRange(first, last)
