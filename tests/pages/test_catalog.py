"""The ladder on the home page, and the lists built for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

pytestmark = pytest.mark.django_db


def test_catalog_shows_the_ladder_in_order_with_prices_and_cohorts(world, as_user):
    html = as_user(None).get("/").content.decode()
    # stages in order, each with its number, label, title, price and duration
    assert html.index("Spreadsheet basics") < html.index("SQL bootcamp")
    assert "Stage 1 · Beginner" in html and "Stage 2 · Bootcamp" in html
    assert "CN¥199.00" in html and "CN¥599.00" in html
    assert "7 days" in html and "21 days" in html
    # upcoming cohorts with seats; drafts and unpublished courses hidden from the public
    assert f'href="/cohorts/{world["open_cohort"].pk}/"' in html
    assert "30 seats left" in html
    assert f'href="/cohorts/{world["draft_cohort"].pk}/"' not in html
    assert "Modelling" not in html
    # markdown description is rendered
    assert "<strong>spreadsheets</strong>" in html


def test_catalog_shows_instructors_their_draft_courses(world, as_user):
    html = as_user(world["teacher"]).get("/").content.decode()
    assert "Modelling" in html


def test_catalog_query_count_does_not_grow_with_courses(world, as_user):
    client = as_user(world["learner"])
    client.get("/")  # warm up the session
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    track = factories.track(title="More")
    for stage in (1, 2, 3):
        course = factories.course(track=track, stage=stage)
        factories.cohort(course=course)
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after) == len(before)


def test_catalog_empty_state(db, as_user):
    html = as_user(None).get("/").content.decode()
    assert "No courses yet" in html


def test_course_page_shows_the_stage_ladder_and_cohorts(world, as_user):
    html = as_user(None).get("/courses/data-1/").content.decode()
    assert 'aria-current="step"' in html
    assert "Spring" in html and "Open for enrollment" in html
    assert "Summer draft" not in html
    assert "Teacher Li" in html
    assert "/courses/data-2/" in html  # the next rung


def test_my_cohorts_lists_enrollments(world, as_user):
    html = as_user(world["learner"]).get("/cohorts/mine/").content.decode()
    assert "SQL bootcamp" in html and "Winter" in html and "Active" in html
    assert "Day 3 of 21" in html
    empty = as_user(world["outsider"]).get("/cohorts/mine/").content.decode()
    assert "joined a cohort yet" in empty


def test_my_cohorts_query_count_does_not_grow_with_enrollments(world, as_user):
    learner = world["learner"]
    client = as_user(learner)
    client.get("/cohorts/mine/")
    with CaptureQueriesContext(connection) as before:
        client.get("/cohorts/mine/")
    for _ in range(3):
        factories.enrollment(cohort=factories.cohort(course=factories.course()), learner=learner)
    with CaptureQueriesContext(connection) as after:
        html = client.get("/cohorts/mine/").content.decode()
    assert html.count('class="title"') == 4
    assert len(after) == len(before)


def test_learners_see_their_own_status_and_others_an_enroll_button(world, as_user):
    from tests import factories as f

    open_cohort = world["open_cohort"]
    f.enrollment(cohort=open_cohort, learner=world["outsider"], status="pending_payment")
    mine = as_user(world["outsider"]).get("/courses/data-1/").content.decode()
    assert "Pending payment" in mine and f'href="/cohorts/{open_cohort.pk}/enroll/"' not in mine
    assert "Pending payment" in as_user(world["outsider"]).get("/").content.decode()
    theirs = as_user(world["learner"]).get("/courses/data-1/").content.decode()
    assert f'href="/cohorts/{open_cohort.pk}/enroll/"' in theirs
