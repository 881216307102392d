from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cohorts import checkins
from cohorts.statuses import CohortStatus
from cohorts.streaks import streak_compute, streak_for_enrollment
from tests import factories


@pytest.mark.parametrize(
    ("counted", "today", "duration", "expected"),
    [
        (set(), 1, 7, (0, 0, 0)),
        ({1, 2, 3}, 4, 7, (3, 3, 3)),  # today not done yet: the streak is still alive
        ({1, 2, 3, 4}, 4, 7, (4, 4, 4)),  # today done counts
        ({1, 2, 4}, 5, 7, (1, 2, 4)),  # a missed day breaks it
        ({1, 2, 3}, 5, 7, (0, 3, 4)),  # yesterday missed: current is 0
        ({1, 2, 3, 4, 5, 6, 7}, 9, 7, (7, 7, 7)),  # after the end
        (set(), 0, 7, (0, 0, 0)),  # before the start
    ],
)
def test_streak_compute(counted, today, duration, expected):
    assert streak_compute(counted=counted, today=today, duration=duration) == expected


@pytest.mark.django_db
def test_streak_ignores_rejected_checkins_and_marks_makeups():
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    utc = ZoneInfo("UTC")
    for day in (1, 2, 3):
        with time_machine.travel(datetime(2026, 3, day + 1, 12, tzinfo=utc), tick=False):
            checkin = checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="done")
    checkins.checkin_reject(actor=teacher, checkin_id=checkin.pk, reason="blurry photo")
    with time_machine.travel(datetime(2026, 3, 6, 12, tzinfo=utc), tick=False):  # day 5
        checkins.checkin_makeup(learner=learner, cohort_id=cohort.pk, day=4, reason="ill", text="done later")
        streak = streak_for_enrollment(enrollment=enrollment)
    assert (streak.current, streak.longest, streak.counted_days, streak.elapsed_days) == (1, 2, 3, 4)
    assert streak.rate == pytest.approx(0.75)
    assert [d.state for d in streak.days] == ["counted", "counted", "rejected", "makeup", "today", "future", "future"]
