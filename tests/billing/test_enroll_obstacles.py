"""The enroll page of a later stage says what stands in the way (the stage before) and what to do, with the price."""

import re
from datetime import timedelta

import pytest

from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    teacher = factories.instructor(name="Teacher")
    track = factories.track(title="Data")
    beginner = factories.course(teacher=teacher, track=track, stage=1, title="Spreadsheet basics", prerequisite="none")
    bootcamp = factories.course(
        teacher=teacher, track=track, stage=2, title="SQL bootcamp", price_minor=129900, prerequisite="previous_stage"
    )
    today = factories.local_today()
    return {
        "teacher": teacher,
        "beginner": beginner,
        "bootcamp": bootcamp,
        "bootcamp_open": factories.cohort(course=bootcamp, name="Bootcamp #4", starts_on=today + timedelta(days=12)),
        "today": today,
    }


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_newcomer_on_stage_2_is_told_to_finish_stage_1_and_when_its_next_cohort_starts(client, ladder):
    # given stage 1 has an open cohort, and a learner who never took it
    spring = factories.cohort(course=ladder["beginner"], name="Spring", starts_on=ladder["today"] + timedelta(days=5))
    client.force_login(factories.learner())

    # when they open stage 2's enroll page
    html = client.get(f"/cohorts/{ladder['bootcamp_open'].pk}/enroll/").content.decode()

    # then it names the obstacle, links stage 1's next cohort, still offers to apply, and shows the price
    text = _text(html)
    assert "Stage 2 builds on stage 1" in text
    assert "finish stage 1 first: Spreadsheet basics" in text
    assert "Its next cohort, Spring, starts on" in text
    assert f'href="/cohorts/{spring.pk}/"' in html
    assert "Or apply to skip it" in text
    assert "CN¥1,299.00" in text
    assert "by application" not in text


def test_with_no_stage_1_cohort_open_the_newcomer_can_ask_to_be_told(client, ladder):
    client.force_login(factories.learner())
    html = client.get(f"/cohorts/{ladder['bootcamp_open'].pk}/enroll/").content.decode()
    assert "Notify me when a cohort opens" in html
    assert f'action="/courses/{ladder["beginner"].slug}/notify/"' in html


def test_a_course_by_application_shows_its_price_and_says_when_there_are_no_questions(client, ladder):
    course = factories.course(teacher=ladder["teacher"], prerequisite="approval", price_minor=50000)
    cohort = factories.cohort(course=course)
    client.force_login(factories.learner())
    text = _text(client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode())
    assert "admits learners by application" in text
    assert "CN¥500.00" in text
    assert "The instructor has no questions for this course" in text


def test_a_learner_who_completed_stage_1_pays_directly(client, ladder):
    learner = factories.learner()
    ended = factories.cohort(
        course=ladder["beginner"], starts_on=ladder["today"] - timedelta(days=30), status=CohortStatus.ENDED
    )
    factories.enrollment(cohort=ended, learner=learner, status=EnrollmentStatus.COMPLETED)
    client.force_login(learner)
    text = _text(client.get(f"/cohorts/{ladder['bootcamp_open'].pk}/enroll/").content.decode())
    assert "Hold my seat and pay" in text and "builds on stage 1" not in text


def test_the_stage_2_course_page_tells_a_newcomer_to_start_with_stage_1(client, ladder):
    client.force_login(factories.learner())
    html = client.get(f"/courses/{ladder['bootcamp'].slug}/").content.decode()
    note = _text(re.search(r'data-testid="previous-stage-first">(.*?)</p>', html, flags=re.S).group(1))
    assert "You haven't completed stage 1 yet: start with Spreadsheet basics" in note.replace("&#39;", "'")
    assert f'href="/courses/{ladder["beginner"].slug}/"' in html
