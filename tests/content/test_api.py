"""Tracks, courses and lessons through the JSON API: instructors build and publish, everyone else reads."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from content.models import Course, Lesson, Track
from tests import factories
from tests.assertions import assert_error

JSON = "application/json"


@pytest.fixture
def teacher(db):
    return factories.instructor(name="Teacher")


def course_payload(track, **overrides):
    return {
        "track_id": track.pk,
        "stage": 1,
        "stage_label": "Beginner",
        "title": "Writing every day",
        "price_minor": 19900,
        "currency": "CNY",
        "duration_days": 7,
    } | overrides


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


# Tracks --------------------------------------------------------------------------------------------------------


def test_instructor_creates_a_track_with_a_slug_from_its_title(teacher, api_client):
    response = api_client(teacher).post("/api/v1/tracks", {"title": "Creative Writing"}, content_type=JSON)

    assert response.status_code == 201
    assert response.json()["slug"] == "creative-writing"
    assert Client().get(f"/api/v1/tracks/{response.json()['id']}").json()["title"] == "Creative Writing"


def test_tracks_with_chinese_titles_get_distinct_slugs(teacher, api_client):
    client = api_client(teacher)
    factories.track(slug="track-2", title="Taken")  # a numbered slug already in use

    first = client.post("/api/v1/tracks", {"title": "写作"}, content_type=JSON)
    second = client.post("/api/v1/tracks", {"title": "演讲"}, content_type=JSON)

    assert (first.status_code, second.status_code) == (201, 201), (first.content, second.content)
    assert first.json()["slug"] != second.json()["slug"]
    assert Track.objects.count() == 3


def test_a_taken_slug_is_409(teacher, api_client):
    client = api_client(teacher)
    client.post("/api/v1/tracks", {"title": "Writing"}, content_type=JSON)

    assert_error(client.post("/api/v1/tracks", {"title": "Writing"}, content_type=JSON), 409, "slug_taken")


def test_track_detail_of_a_missing_track_is_404(db):
    assert_error(Client().get("/api/v1/tracks/4040"), 404, "track_not_found")


# Courses -------------------------------------------------------------------------------------------------------


def test_a_new_course_is_unpublished_until_its_instructor_publishes_it(teacher, api_client):
    # given an instructor who created a course
    track = factories.track(owner=teacher)
    client = api_client(teacher)
    created = client.post("/api/v1/courses", course_payload(track), content_type=JSON)
    assert created.status_code == 201, created.content
    course_id = created.json()["id"]
    learner = api_client(factories.learner())

    # then only its instructor sees it
    assert created.json()["is_published"] is False
    assert ids(client.get("/api/v1/courses")) == [course_id]
    assert ids(learner.get("/api/v1/courses")) == []
    assert ids(Client().get("/api/v1/courses")) == []
    assert_error(learner.get(f"/api/v1/courses/{course_id}"), 404)

    # when it is published everyone sees it
    assert client.post(f"/api/v1/courses/{course_id}/publish").json()["is_published"] is True
    assert ids(learner.get("/api/v1/courses")) == [course_id]
    assert Client().get(f"/api/v1/courses/{course_id}").status_code == 200

    # and unpublishing hides it again
    client.post(f"/api/v1/courses/{course_id}/unpublish")
    assert_error(Client().get(f"/api/v1/courses/{course_id}"), 404)


def test_the_creator_teaches_the_course(teacher, api_client):
    body = (
        api_client(teacher)
        .post("/api/v1/courses", course_payload(factories.track(owner=teacher)), content_type=JSON)
        .json()
    )

    assert list(Course.objects.get(pk=body["id"]).instructors.all()) == [teacher]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"currency": "ZZZ"}, 422, "invalid_currency"),
        ({"currency": "US"}, 422, "validation_error"),
        ({"duration_days": 0}, 422, "validation_error"),
        ({"duration_days": 367}, 422, "validation_error"),
        ({"price_minor": -1}, 422, "validation_error"),
        ({"checkin_grace_hours": 13}, 422, "validation_error"),
        ({"completion_min_rate_percent": 101}, 422, "validation_error"),
        ({"prerequisite": "bribe"}, 422, "validation_error"),
        ({"title": "   "}, 422, "invalid_title"),
    ],
)
def test_course_rules(teacher, api_client, overrides, status, code):
    response = api_client(teacher).post(
        "/api/v1/courses", course_payload(factories.track(owner=teacher), **overrides), content_type=JSON
    )

    assert_error(response, status, code)
    assert not Course.objects.exists()


@pytest.mark.parametrize(("given", "stored"), [("usd", "USD"), ("JPY", "JPY"), ("cny", "CNY")])
def test_currency_codes_are_normalised(teacher, api_client, given, stored):
    response = api_client(teacher).post(
        "/api/v1/courses", course_payload(factories.track(owner=teacher), currency=given), content_type=JSON
    )

    assert response.json()["currency"] == stored


def test_an_instructor_adds_courses_only_to_tracks_they_own(teacher, api_client):
    # given a track another instructor started, and one where they teach a course
    other = factories.instructor()
    theirs = api_client(other).post("/api/v1/tracks", {"title": "Their ladder"}, content_type=JSON).json()
    shared = factories.course(teacher=teacher, stage=1).track
    client = api_client(teacher)

    # when the instructor adds a course to each
    refused = client.post("/api/v1/courses", course_payload(Track(pk=theirs["id"]), stage=2), content_type=JSON)
    added = client.post("/api/v1/courses", course_payload(shared, stage=2), content_type=JSON)

    # then the other's track gets nothing, and the one they teach in gets the course
    assert_error(refused, 403, "not_track_owner")
    assert not Course.objects.filter(track_id=theirs["id"]).exists()
    assert added.status_code == 201, added.content
    # and the one who started the track, and staff, still may
    owner = api_client(other).post("/api/v1/courses", course_payload(Track(pk=theirs["id"])), content_type=JSON)
    staff = api_client(factories.staff())
    by_staff = staff.post("/api/v1/courses", course_payload(Track(pk=theirs["id"]), stage=3), content_type=JSON)
    assert (owner.status_code, by_staff.status_code) == (201, 201)


def test_course_list_filters_by_track_and_orders_by_stage(db):
    track, other = factories.track(title="A"), factories.track(title="B")
    advanced = factories.course(track=track, stage=3)
    beginner = factories.course(track=track, stage=1)
    elsewhere = factories.course(track=other, stage=1)

    assert ids(Client().get(f"/api/v1/courses?track_id={track.pk}")) == [beginner.pk, advanced.pk]
    assert ids(Client().get("/api/v1/courses")) == [beginner.pk, advanced.pk, elsewhere.pk]


def test_a_course_with_two_instructors_is_listed_once(teacher, api_client):
    course = factories.course(teacher=teacher, is_published=False)
    course.instructors.add(factories.instructor())

    assert ids(api_client(teacher).get("/api/v1/courses")) == [course.pk]


def test_course_update_changes_what_was_sent(teacher, api_client):
    course = factories.course(teacher=teacher, title="Old", price_minor=100)

    body = (
        api_client(teacher)
        .patch(f"/api/v1/courses/{course.pk}", {"title": "New", "currency": "usd"}, content_type=JSON)
        .json()
    )

    assert (body["title"], body["price_minor"], body["currency"]) == ("New", 100, "USD")


def test_a_course_cannot_be_shortened_below_its_lessons(teacher, api_client):
    course = factories.course(teacher=teacher, duration_days=10)
    factories.lesson(course=course, day=9)
    client = api_client(teacher)

    too_short = client.patch(f"/api/v1/courses/{course.pk}", {"duration_days": 8}, content_type=JSON)
    enough = client.patch(f"/api/v1/courses/{course.pk}", {"duration_days": 9}, content_type=JSON)

    body = assert_error(too_short, 422, "lessons_beyond_duration")
    assert body["details"]["last_lesson_day"] == 9
    assert enough.json()["duration_days"] == 9


def test_course_list_query_count_does_not_grow(teacher, api_client, django_assert_num_queries):
    client = api_client(teacher)
    client.get("/api/v1/me")  # the token's last_used_at is written once
    factories.course(teacher=teacher)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/courses")
    for _ in range(12):
        course = factories.course(teacher=teacher, is_published=False)
        course.instructors.add(factories.instructor())

    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/courses").json()["count"] == 13


# Lessons -------------------------------------------------------------------------------------------------------


def test_instructor_builds_and_publishes_lessons(teacher, api_client):
    course = factories.course(teacher=teacher)
    client = api_client(teacher)

    created = client.post(
        f"/api/v1/courses/{course.pk}/lessons",
        {
            "day": 1,
            "title": "Warm-up",
            "body": "# Hello\n\nWrite **300** words.",
            "links": [{"title": "Guide", "url": "https://example.com/guide"}],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    lesson = created.json()
    assert lesson["is_published"] is False
    assert "<strong>300</strong>" in lesson["body_html"]
    assert lesson["links"] == [{"title": "Guide", "url": "https://example.com/guide"}]

    updated = client.patch(f"/api/v1/lessons/{lesson['id']}", {"title": "Warm-up, revised"}, content_type=JSON)
    published = client.post(f"/api/v1/lessons/{lesson['id']}/publish")

    assert updated.json()["title"] == "Warm-up, revised"
    assert published.json()["is_published"] is True
    assert client.post(f"/api/v1/lessons/{lesson['id']}/unpublish").json()["is_published"] is False


def test_instructors_list_every_lesson_including_drafts(teacher, api_client):
    course = factories.course(teacher=teacher)
    for day in (3, 1, 2):
        factories.lesson(course=course, day=day, is_published=day != 2)

    body = api_client(teacher).get(f"/api/v1/courses/{course.pk}/lessons").json()

    assert [(item["day"], item["is_published"]) for item in body["items"]] == [(1, True), (2, False), (3, True)]


def test_lesson_list_query_count_does_not_grow(teacher, api_client, django_assert_num_queries):
    course = factories.course(teacher=teacher, duration_days=30)
    client = api_client(teacher)
    client.get("/api/v1/me")
    factories.lesson(course=course, day=1)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/courses/{course.pk}/lessons")
    for day in range(2, 21):
        factories.lesson(course=course, day=day)

    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(f"/api/v1/courses/{course.pk}/lessons").json()["count"] == 20


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"day": 8, "title": "Beyond the course"}, "invalid_day"),
        ({"day": 1, "title": "x", "links": [{"url": "javascript:alert(1)"}]}, "invalid_link"),
        ({"day": 1, "title": "x", "links": [{"url": "ftp://example.com/file"}]}, "invalid_link"),
        ({"day": 1, "title": "   "}, "invalid_title"),
        ({"day": 0, "title": "x"}, "validation_error"),
    ],
)
def test_lesson_rules(teacher, api_client, payload, code):
    course = factories.course(teacher=teacher, duration_days=7)

    response = api_client(teacher).post(f"/api/v1/courses/{course.pk}/lessons", payload, content_type=JSON)

    assert_error(response, 422, code)
    assert not Lesson.objects.exists()


def test_lesson_markdown_is_sanitized(teacher, api_client):
    course = factories.course(teacher=teacher)
    body = (
        "Hi <script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://example.com)"
    )

    html = (
        api_client(teacher)
        .post(f"/api/v1/courses/{course.pk}/lessons", {"day": 1, "title": "XSS", "body": body}, content_type=JSON)
        .json()["body_html"]
    )

    # raw HTML is shown as text, never run; only http(s) links become links
    assert "<script" not in html and "&lt;script&gt;" in html
    assert not re.search(r"<[a-z]+[^>]*onerror", html)
    assert 'href="javascript' not in html
    assert 'href="https://example.com"' in html


def test_markdown_preview_shows_what_learners_will_see(db, api_client):
    client = api_client(factories.learner())

    html = client.post(
        "/api/v1/markdown/preview", {"text": "**bold** <b onclick=x>raw</b> | 中文"}, content_type=JSON
    ).json()["html"]

    assert "<strong>bold</strong>" in html
    assert not re.search(r"<[a-z]+[^>]*onclick", html)
    assert "中文" in html


def test_learners_cannot_read_lessons_through_the_course_endpoints(teacher, api_client):
    course = factories.course(teacher=teacher)
    lesson = factories.lesson(course=course, day=1)
    learner = api_client(factories.learner())

    assert_error(learner.get(f"/api/v1/courses/{course.pk}/lessons"), 404)
    assert_error(learner.get(f"/api/v1/lessons/{lesson.pk}"), 404, "lesson_not_found")


def test_publishing_a_course_with_no_published_lesson_answers_a_warning(teacher, api_client):
    course = factories.course(teacher=teacher, is_published=False)
    lesson = factories.lesson(course=course, day=1, is_published=False)
    client = api_client(teacher)

    body = client.post(f"/api/v1/courses/{course.pk}/publish").json()

    assert body["is_published"] is True
    assert [w["code"] for w in body["warnings"]] == ["no_published_lessons"]
    client.post(f"/api/v1/lessons/{lesson.pk}/publish")
    assert client.post(f"/api/v1/courses/{course.pk}/publish").json()["warnings"] == []
