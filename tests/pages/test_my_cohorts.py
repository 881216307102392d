"""A learner's cohorts in the order they matter (running, with a "check in today" button while it is due, then
upcoming, then past), and the Lessons page with only today's lesson open.

The clock is fixed: day 3 of a 7-day cohort in Asia/Shanghai, at 12:00 local time.
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from cohorts import checkins
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, day 3
STARTS = date(2026, 3, 9)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mine(db):
    learner = factories.learner(name="张伟")
    track = factories.track(title="Data")
    running = factories.cohort(
        course=factories.course(track=track, stage=2, title="SQL bootcamp"),
        name="Winter",
        starts_on=STARTS,
        status=CohortStatus.RUNNING,
    )
    upcoming = factories.cohort(
        course=factories.course(track=track, stage=3, title="Modelling"), name="Spring", starts_on=date(2026, 4, 2)
    )
    past = factories.cohort(
        course=factories.course(track=track, stage=1, title="Spreadsheets"),
        name="Autumn",
        starts_on=STARTS - timedelta(days=30),
        status=CohortStatus.ENDED,
    )
    # Enrolled in the past one first, the running one last: the page orders them, not the enrollment dates.
    factories.enrollment(cohort=past, learner=learner, status=EnrollmentStatus.COMPLETED)
    factories.enrollment(cohort=upcoming, learner=learner)
    factories.enrollment(cohort=running, learner=learner)
    return {"learner": learner, "running": running, "upcoming": upcoming, "past": past}


def _html(client, url: str) -> str:
    return client.get(url).content.decode()


def test_my_cohorts_lists_running_then_upcoming_then_past(mine, as_user):
    html = _html(as_user(mine["learner"]), "/cohorts/mine/")
    sections = re.findall(r'data-testid="mine-([a-z]+)"', html)
    assert sections == ["running", "upcoming", "past"]
    titles = re.findall(r'class="title" href="/cohorts/(\d+)/"', html)
    assert titles == [str(mine[key].pk) for key in ("running", "upcoming", "past")]
    assert "Day 3 of 7" in html
    upcoming = html[html.index('data-testid="mine-upcoming"') : html.index('data-testid="mine-past"')]
    assert "Starts April 2" in upcoming and "Active" not in upcoming


def test_upcoming_cohort_in_chinese_is_not_called_enrolled_and_studying(mine, as_user):
    mine["learner"].language = "zh-hans"
    mine["learner"].save(update_fields=["language"])
    html = _html(as_user(mine["learner"]), "/cohorts/mine/")
    upcoming = html[html.index('data-testid="mine-upcoming"') : html.index('data-testid="mine-past"')]
    assert "即将开始" in upcoming and "4月2日开始" in upcoming
    assert "在读" not in upcoming
    assert "进行中" in html and "已结束" in html


def test_check_in_today_button_until_the_learner_has_checked_in(mine, as_user):
    client = as_user(mine["learner"])
    running = mine["running"]
    html = _html(client, "/cohorts/mine/")
    assert f'href="/cohorts/{running.pk}/today/#checkin" data-testid="checkin-due">Check in today</a>' in html
    assert html.count('data-testid="checkin-due"') == 1  # not for the upcoming or the past cohort

    checkins.checkin_record(learner=mine["learner"], cohort_id=running.pk, text="Wrote three SELECT queries.")
    html = _html(client, "/cohorts/mine/")
    assert 'data-testid="checkin-due"' not in html
    assert "Checked in today" in html


def test_lessons_page_opens_only_todays_lesson(db, as_user):
    teacher = factories.instructor()
    learner = factories.learner()
    course = factories.course(teacher=teacher, duration_days=7)
    for day in range(1, 8):
        factories.lesson(course=course, day=day, title=f"Lesson {day}")
    cohort = factories.cohort(course=course, starts_on=STARTS, status=CohortStatus.RUNNING)
    factories.enrollment(cohort=cohort, learner=learner)
    for user, days_listed in ((learner, ["3", "2", "1"]), (teacher, [str(d) for d in range(1, 8)])):
        html = _html(as_user(user), f"/cohorts/{cohort.pk}/")
        lessons = re.findall(r'<details class="lesson" id="day-(\d+)"( open)?>', html)
        assert [day for day, _ in lessons] == days_listed
        assert [day for day, is_open in lessons if is_open] == ["3"]


def test_the_page_of_a_cohort_not_started_yet_does_not_call_its_member_studying(mine, as_user):
    mine["learner"].language = "zh-hans"
    mine["learner"].save(update_fields=["language"])
    client = as_user(mine["learner"])
    upcoming = _html(client, f"/cohorts/{mine['upcoming'].pk}/")
    assert "已报名，尚未开始" in upcoming and "在读" not in upcoming
    running = _html(client, f"/cohorts/{mine['running'].pk}/")
    assert '<span class="badge badge-active">在读</span>' in running
