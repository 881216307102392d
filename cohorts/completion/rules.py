"""The course's completion rule, as a pure function of a member's check-ins (unit-tested without a database)."""

from collections.abc import Iterable
from dataclasses import dataclass

from cohorts.statuses import CheckInStatus, EnrollmentStatus
from cohorts.streaks import streak_compute


@dataclass(frozen=True)
class Rule:
    min_rate_percent: int
    requires_final_task: bool
    counts_makeups: bool


@dataclass(frozen=True)
class Evaluation:
    outcome: str  # EnrollmentStatus.COMPLETED or NOT_COMPLETED
    counted_days: int
    makeup_days: int
    total_days: int
    rate_percent: int
    final_task_done: bool
    longest_streak: int


def completion_evaluate(*, rule: Rule, duration: int, checkins: Iterable[tuple[int, str, bool]]) -> Evaluation:
    """``checkins``: (day, status, is_makeup) of one member. Completed when counted days reach the rate (compared in
    whole numbers: 17 of 21 days is 80.95 %, enough for 80 %) and, if the course asks, the last day counts."""
    counted = {
        day
        for day, status, makeup in checkins
        if status == CheckInStatus.COUNTED and 1 <= day <= duration and (rule.counts_makeups or not makeup)
    }
    makeups = {day for day, status, makeup in checkins if makeup and day in counted}
    final_task_done = duration in counted
    rate_ok = len(counted) * 100 >= rule.min_rate_percent * duration
    completed = rate_ok and (final_task_done or not rule.requires_final_task)
    _, longest, _ = streak_compute(counted=counted, today=duration + 1, duration=duration)
    return Evaluation(
        outcome=EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.NOT_COMPLETED,
        counted_days=len(counted),
        makeup_days=len(makeups),
        total_days=duration,
        rate_percent=len(counted) * 100 // duration if duration else 0,
        final_task_done=final_task_done,
        longest_streak=longest,
    )
