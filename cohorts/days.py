"""The one place that turns instants into a cohort's local days, and back.

Everything is stored in UTC. A cohort has one IANA time zone; "day n" of the cohort and a learner's
"today" are computed here, DST-safe: local midnights are found with zoneinfo, never by adding 24 hours.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(*, tz: str, at: datetime, grace: timedelta = timedelta(0)) -> date:
    """The local calendar date at instant ``at``; during the first ``grace`` of a day it is still yesterday."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return (at.astimezone(zone(tz)) - grace).date()


def local_midnight(*, tz: str, on: date) -> datetime:
    """The UTC instant at which local date ``on`` begins.

    Where a DST change skips midnight (e.g. America/Santiago), the day begins at the first instant that
    exists, which is what zoneinfo's fold=0 reading of the missing wall time gives once normalised.
    """
    local = datetime.combine(on, time(0), tzinfo=zone(tz))
    return local.astimezone(UTC)


def cohort_day_number(*, tz: str, starts_on: date, at: datetime, grace: timedelta = timedelta(0)) -> int:
    """Day n of a cohort at instant ``at``: 1 on ``starts_on``, 0 the day before, duration+1 the day after the end.

    The grace keeps the previous day open only when there is one: day 0 is not a day of the cohort, so day 1 begins
    at its local midnight (when its lesson comes out), grace or not.
    """
    day = (local_date(tz=tz, at=at, grace=grace) - starts_on).days + 1
    if day < 1 and grace:
        day = (local_date(tz=tz, at=at) - starts_on).days + 1
    return day


def day_date(*, starts_on: date, day: int) -> date:
    """The local date of day ``day`` of a cohort."""
    return starts_on + timedelta(days=day - 1)


def day_start(*, tz: str, starts_on: date, day: int) -> datetime:
    """The UTC instant at which day ``day`` of a cohort begins (lesson release time)."""
    return local_midnight(tz=tz, on=day_date(starts_on=starts_on, day=day))


def local_hour(*, tz: str, on: date, hour: int) -> datetime:
    """The UTC instant of ``hour``:00 local time on ``on`` (for reminders and notices)."""
    return datetime.combine(on, time(hour), tzinfo=zone(tz)).astimezone(UTC)
