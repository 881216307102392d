"""A small world for page tests: one track with three stages, cohorts in several states, lessons, people."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories


@pytest.fixture
def world(db):
    teacher = factories.instructor(name="Teacher Li", language="en")
    other_teacher = factories.instructor(name="Other Teacher")
    learner = factories.learner(name="张伟")
    outsider = factories.learner(name="José 🙂")
    staff = factories.staff(name="Staff")

    track = factories.track(title="Data analysis", slug="data", description="From **spreadsheets** to models.")
    beginner = factories.course(
        teacher=teacher, track=track, stage=1, stage_label="Beginner", slug="data-1", title="Spreadsheet basics"
    )
    bootcamp = factories.course(
        teacher=teacher,
        track=track,
        stage=2,
        stage_label="Bootcamp",
        slug="data-2",
        title="SQL bootcamp",
        price_minor=59900,
        duration_days=21,
    )
    draft = factories.course(
        teacher=teacher,
        track=track,
        stage=3,
        stage_label="Advanced",
        slug="data-3",
        title="Modelling",
        is_published=False,
    )
    others = factories.course(teacher=other_teacher, slug="others", title="Someone else's course")

    today = factories.local_today()  # the cohorts are in Asia/Shanghai
    open_cohort = factories.cohort(course=beginner, name="Spring", starts_on=today + timedelta(days=10))
    running = factories.cohort(
        course=bootcamp, name="Winter", starts_on=today - timedelta(days=2), status=CohortStatus.RUNNING
    )
    draft_cohort = factories.cohort(
        course=beginner, name="Summer draft", starts_on=today + timedelta(days=40), status=CohortStatus.DRAFT
    )
    for day in (1, 2):
        factories.lesson(
            course=bootcamp, day=day, title=f"SELECT day {day}", body=f"Read **chapter {day}**.", task="Write a query."
        )
    factories.lesson(course=bootcamp, day=5, title="Future lesson", body="Not yet.")
    factories.lesson(course=bootcamp, day=3, title="Unpublished lesson", is_published=False)
    factories.enrollment(cohort=running, learner=learner, status=EnrollmentStatus.ACTIVE)
    return {
        "teacher": teacher,
        "other_teacher": other_teacher,
        "learner": learner,
        "outsider": outsider,
        "staff": staff,
        "track": track,
        "beginner": beginner,
        "bootcamp": bootcamp,
        "draft_course": draft,
        "others_course": others,
        "open_cohort": open_cohort,
        "running": running,
        "draft_cohort": draft_cohort,
    }


@pytest.fixture
def as_user():
    """as_user(user, language=None) -> a Client logged in as ``user`` (None: anonymous), optionally with a language cookie."""

    def make(user=None, language: str | None = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make
