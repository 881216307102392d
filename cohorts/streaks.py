"""Streak reads: current and longest streak, check-in rate, and the per-day states the heatmap draws."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from accounts.types import Viewer
from cohorts.checkins import checkin_day, checkin_day_for
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.selectors import cohort_get_for_instructor, enrollment_get_for_member
from cohorts.statuses import MEMBER_STATUSES, CheckInStatus


@dataclass(frozen=True)
class DayState:
    day: int
    date: date
    state: str  # "counted", "makeup", "rejected", "missed", "today", "future"


@dataclass(frozen=True)
class Streak:
    current: int
    longest: int
    counted_days: int
    elapsed_days: int
    rate: float  # counted / elapsed, 0..1
    today: int  # the day the learner checks in for now (``checkin_day_for``); 0 before the start, duration+1 after
    days: list[DayState]


def streak_compute(*, counted: set[int], today: int, duration: int) -> tuple[int, int, int]:
    """(current, longest, elapsed) for a set of counted days. Today still open doesn't break the streak."""
    last_closed = min(today - 1, duration)
    start = today if today <= duration and today in counted else last_closed
    current = 0
    day = start
    while day >= 1 and day in counted:
        current += 1
        day -= 1
    longest = run = 0
    for day in range(1, duration + 1):
        run = run + 1 if day in counted else 0
        longest = max(longest, run)
    elapsed = max(last_closed, 0) + (1 if 1 <= today <= duration and today in counted else 0)
    return current, longest, elapsed


def streak_for_enrollment(*, enrollment: Enrollment, now: datetime | None = None) -> Streak:
    """One query for the check-ins; the cohort (with its course) should come select_related."""
    now = now or timezone.now()
    cohort: Cohort = enrollment.cohort
    rows = list(CheckIn.objects.filter(enrollment=enrollment).values_list("day", "status", "is_makeup"))
    counted = {day for day, status, _ in rows if status == CheckInStatus.COUNTED}
    today = checkin_day_for(cohort=cohort, at=now, counted=counted)
    duration = cohort.duration_days
    current, longest, elapsed = streak_compute(counted=counted, today=today, duration=duration)
    by_day = {day: (status, makeup) for day, status, makeup in rows}
    states = []
    for day in range(1, duration + 1):
        status, makeup = by_day.get(day, (None, False))
        if status == CheckInStatus.COUNTED:
            state = "makeup" if makeup else "counted"
        elif status == CheckInStatus.REJECTED:
            state = "rejected"
        elif day == today:
            state = "today"
        elif day > today:
            state = "future"
        else:
            state = "missed"
        states.append(DayState(day=day, date=cohort.starts_on + timedelta(days=day - 1), state=state))
    return Streak(
        current=current,
        longest=longest,
        counted_days=len(counted),
        elapsed_days=elapsed,
        rate=(len(counted) / elapsed) if elapsed else 0.0,
        today=today,
        days=states,
    )


def streak_get_for_member(*, user: Viewer, cohort_id: int, now: datetime | None = None) -> Streak:
    """The member's own streak in a cohort (NotFound as ``selectors.enrollment_get_for_member``)."""
    return streak_for_enrollment(enrollment=enrollment_get_for_member(user=user, cohort_id=cohort_id), now=now)


@dataclass(frozen=True)
class DayRate:
    day: int
    date: date
    counted: int
    members: int

    @property
    def rate(self) -> float:
        return self.counted / self.members if self.members else 0.0


def cohort_daily_rates(*, cohort: Cohort, now: datetime | None = None) -> list[DayRate]:
    """Counted check-ins per day so far against the cohort's members: the instructor's chart. Two queries."""
    now = now or timezone.now()
    members = Enrollment.objects.filter(cohort=cohort, status__in=MEMBER_STATUSES).count()
    counts = dict(
        CheckIn.objects.filter(enrollment__cohort=cohort, status=CheckInStatus.COUNTED)
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    last = min(checkin_day(cohort=cohort, at=now), cohort.duration_days)
    return [
        DayRate(day=day, date=cohort.starts_on + timedelta(days=day - 1), counted=counts.get(day, 0), members=members)
        for day in range(1, last + 1)
    ]


def daily_rate_list_for_instructor(*, user: Viewer, cohort_id: int, now: datetime | None = None) -> list[DayRate]:
    """``cohort_daily_rates`` for someone who teaches the cohort's course (or staff); NotFound for anyone else."""
    cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    return cohort_daily_rates(cohort=cohort, now=now)


@dataclass(frozen=True)
class RosterRow:
    enrollment_id: int
    learner_id: int
    display_name: str
    checked_in_today: bool
    counted_days: int
    last_checkin_day: int | None


def cohort_roster(*, cohort: Cohort, now: datetime | None = None) -> list[RosterRow]:
    """Every member with whether they checked in today: the instructor's roster. Two queries."""
    now = now or timezone.now()
    today = checkin_day(cohort=cohort, at=now)
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, status__in=MEMBER_STATUSES)
        .select_related("learner")
        .order_by("learner__display_name", "id")
    )
    days_by_enrollment: dict[int, list[int]] = {}
    for enrollment_id, day in CheckIn.objects.filter(
        enrollment__cohort=cohort, status=CheckInStatus.COUNTED
    ).values_list("enrollment_id", "day"):
        days_by_enrollment.setdefault(enrollment_id, []).append(day)
    rows = []
    for enrollment in enrollments:
        counted = days_by_enrollment.get(enrollment.pk, [])
        rows.append(
            RosterRow(
                enrollment_id=enrollment.pk,
                learner_id=enrollment.learner_id,
                display_name=enrollment.learner.display_name,
                checked_in_today=today in counted,
                counted_days=len(counted),
                last_checkin_day=max(counted) if counted else None,
            )
        )
    return rows


def roster_list_for_instructor(*, user: Viewer, cohort_id: int, now: datetime | None = None) -> list[RosterRow]:
    """``cohort_roster`` for someone who teaches the cohort's course (or staff); NotFound for anyone else."""
    cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    return cohort_roster(cohort=cohort, now=now)
