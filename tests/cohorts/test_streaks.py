from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cohorts import checkins
from cohorts.statuses import CohortStatus
from cohorts.streaks import (
    cohort_daily_rates,
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
        (set(), 4, 7, (0, 0, 3)),  # no check-in at all: nothing counted, three days gone
        (set(), -9, 7, (0, 0, 0)),  # ten days before the start: no day has gone, none is owed
        ({1}, 1, 7, (1, 1, 1)),  # day 1, checked in: one day out of one
        (set(), 1, 7, (0, 0, 0)),  # day 1, not yet: nothing is owed yet
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


@pytest.mark.django_db
@pytest.mark.parametrize("local_time", [(0, 0, 30), (9, 0, 0), (23, 59, 0)], ids=["just-after-midnight", "9h", "23h59"])
def test_on_day_1_a_checked_in_learner_is_at_100_percent(local_time):
    # given a cohort in Kathmandu (UTC+05:45) on its first day, at any hour of it
    tz = ZoneInfo("Asia/Kathmandu")
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(
        course=course, starts_on=date(2026, 3, 2), timezone="Asia/Kathmandu", status=CohortStatus.RUNNING
    )
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    at = datetime(2026, 3, 2, *local_time, tzinfo=tz)

    # when the learner checks in and looks at their streak
    checkins.checkin_record(learner=learner, cohort_id=cohort.pk, text="done", now=at)
    streak = streak_for_enrollment(enrollment=enrollment, now=at)

    # then one day of one is counted: 100 %
    assert (streak.today, streak.current, streak.longest, streak.counted_days, streak.elapsed_days) == (1, 1, 1, 1, 1)
    assert streak.rate == 1.0
    assert [r.rate for r in cohort_daily_rates(cohort=cohort, now=at)] == [1.0]


@pytest.mark.django_db
def test_days_without_check_ins_count_zero_never_less():
    # given a member who never checked in, and a second member who did only on day 2
    utc = ZoneInfo("UTC")
    course = factories.course(duration_days=7, checkin_min_text_length=0)
    cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), timezone="UTC", status=CohortStatus.RUNNING)
    quiet, other = factories.learner(), factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=quiet)
    factories.enrollment(cohort=cohort, learner=other)
    checkins.checkin_record(learner=other, cohort_id=cohort.pk, text="done", now=datetime(2026, 3, 3, 12, tzinfo=utc))

    # when the streaks are read ten days before the start, on day 4 and after the end
    before = streak_for_enrollment(enrollment=enrollment, now=datetime(2026, 2, 20, 12, tzinfo=utc))
    day_4 = streak_for_enrollment(enrollment=enrollment, now=datetime(2026, 3, 5, 12, tzinfo=utc))
    after = streak_for_enrollment(enrollment=enrollment, now=datetime(2026, 3, 20, 12, tzinfo=utc))
    rates_before = cohort_daily_rates(cohort=cohort, now=datetime(2026, 2, 20, 12, tzinfo=utc))
    rates_day_4 = cohort_daily_rates(cohort=cohort, now=datetime(2026, 3, 5, 12, tzinfo=utc))

    # then nothing is counted, nothing is negative, and no day is owed before the start
    assert (before.current, before.longest, before.counted_days, before.elapsed_days, before.rate) == (0, 0, 0, 0, 0.0)
    assert {d.state for d in before.days} == {"future"}
    assert (day_4.current, day_4.longest, day_4.counted_days, day_4.elapsed_days, day_4.rate) == (0, 0, 0, 3, 0.0)
    assert [d.state for d in day_4.days][:4] == ["missed", "missed", "missed", "today"]
    assert (after.current, after.longest, after.counted_days, after.elapsed_days, after.rate) == (0, 0, 0, 7, 0.0)
    assert rates_before == []
    assert [(r.day, r.counted, r.rate) for r in rates_day_4] == [(1, 0, 0.0), (2, 1, 0.5), (3, 0, 0.0), (4, 0, 0.0)]
