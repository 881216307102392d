from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cohorts import checkins
from cohorts.statuses import CohortStatus
from cohorts.streaks import (
    daily_rate_list_for_instructor,
    roster_list_for_instructor,
    streak_compute,
    streak_for_enrollment,
    streak_get_for_member,
)
from stagewise.errors import NotFound
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


@pytest.mark.django_db
def test_in_the_grace_window_today_is_the_new_day_once_the_previous_one_is_checked_in():
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    night = datetime(2026, 3, 4, 0, 30, tzinfo=ZoneInfo("UTC"))  # day 3, inside the grace: day 2 still open
    assert streak_for_enrollment(enrollment=enrollment, now=night).today == 2
    checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="late", now=night)
    streak = streak_for_enrollment(enrollment=enrollment, now=night)
    assert (streak.today, streak.current, streak.elapsed_days) == (3, 1, 2)
    assert [d.state for d in streak.days][:4] == ["missed", "counted", "today", "future"]


@pytest.mark.django_db
def test_a_members_streak_and_the_instructors_rates_and_roster_answer_only_them():
    # given a running cohort whose one member checked in on day 1, seen on day 2
    utc = ZoneInfo("UTC")
    teacher, other_teacher = factories.instructor(), factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    member, visitor = factories.learner(), factories.learner()
    factories.enrollment(cohort=cohort, learner=member)
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=utc), tick=False):
        checkins.checkin_record(learner=member, cohort_id=cohort.pk, text="done")
    day_2 = datetime(2026, 3, 3, 12, tzinfo=utc)

    # when
    streak = streak_get_for_member(user=member, cohort_id=cohort.pk, now=day_2)
    rates = daily_rate_list_for_instructor(user=teacher, cohort_id=cohort.pk, now=day_2)
    roster = roster_list_for_instructor(user=teacher, cohort_id=cohort.pk, now=day_2)

    # then
    assert (streak.current, streak.counted_days, streak.today) == (1, 1, 2)
    assert [(r.day, r.counted, r.members) for r in rates] == [(1, 1, 1), (2, 0, 1)]
    assert [(r.learner_id, r.counted_days, r.checked_in_today) for r in roster] == [(member.pk, 1, False)]
    with pytest.raises(NotFound) as error:
        streak_get_for_member(user=visitor, cohort_id=cohort.pk, now=day_2)
    assert error.value.code == "not_enrolled"
    for outsider in (member, other_teacher):
        for read in (daily_rate_list_for_instructor, roster_list_for_instructor):
            with pytest.raises(NotFound) as error:
                read(user=outsider, cohort_id=cohort.pk, now=day_2)
            assert error.value.code == "cohort_not_found"
