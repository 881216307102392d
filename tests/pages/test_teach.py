"""An instructor builds a course, its lessons and a cohort through the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cohorts.models import Cohort
from content.models import Course, Lesson, Track
from tests import factories

pytestmark = pytest.mark.django_db


def _course_data(**overrides):
    data = {
        "title": "Python for analysts",
        "stage_label": "Bootcamp",
        "description": "Learn **pandas**.",
        "price": "299.50",
        "currency": "CNY",
        "duration_days": "14",
        "prerequisite": "none",
        "checkin_grace_hours": "3",
        "checkin_min_text_length": "20",
        "makeup_limit": "2",
        "makeup_max_days_back": "3",
        "completion_min_rate_percent": "80",
        "completion_requires_final_task": "on",
    }
    data.update(overrides)
    return data


def test_instructor_creates_course_lesson_and_cohort(db, as_user):
    teacher = factories.instructor(name="王老师")
    client = as_user(teacher)

    # a course on a new track
    response = client.post("/teach/courses/new/", _course_data(new_track_title="Data 数据", stage="1"))
    assert response.status_code == 302
    course = Course.objects.get(title="Python for analysts")
    assert course.price_minor == 29950 and course.currency == "CNY" and not course.is_published
    assert Track.objects.get(pk=course.track_id).title == "Data 数据"
    assert response["Location"] == f"/teach/courses/{course.pk}/lessons/"
    assert "Course created" in client.get(response["Location"]).content.decode()

    # a lesson, with links
    response = client.post(
        f"/teach/courses/{course.pk}/lessons/new/",
        {
            "day": "1",
            "title": "Day one",
            "body": "# Hello",
            "task": "Install it.",
            "links": "Docs | https://pandas.pydata.org\nhttps://python.org",
        },
    )
    assert response.status_code == 302
    lesson = Lesson.objects.get(course=course, day=1)
    assert lesson.links == [
        {"title": "Docs", "url": "https://pandas.pydata.org"},
        {"title": "https://python.org", "url": "https://python.org"},
    ]
    # edit it, then publish it
    response = client.post(
        f"/teach/lessons/{lesson.pk}/", {"day": "1", "title": "Day one, revised", "body": "", "task": "", "links": ""}
    )
    assert response.status_code == 302
    client.post(f"/teach/lessons/{lesson.pk}/publish/", {"published": "1"})
    lesson.refresh_from_db()
    assert lesson.title == "Day one, revised" and lesson.is_published

    # publish the course
    client.post(f"/teach/courses/{course.pk}/publish/", {"published": "1"})
    course.refresh_from_db()
    assert course.is_published

    # edit the course
    response = client.post(f"/teach/courses/{course.pk}/", _course_data(title="Python for analysts II", price="10"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Python for analysts II" and course.price_minor == 1000

    # schedule a cohort, then open enrollment
    starts = timezone.now().date() + timedelta(days=14)
    response = client.post(
        f"/teach/courses/{course.pk}/cohorts/",
        {"name": "第 1 期", "timezone_name": "Asia/Shanghai", "starts_on": starts.isoformat(), "capacity": "25"},
    )
    assert response.status_code == 302
    cohort = Cohort.objects.get(course=course)
    assert cohort.status == "draft" and cohort.ends_on == starts + timedelta(days=13)
    client.post(f"/teach/cohorts/{cohort.pk}/schedule/")
    cohort.refresh_from_db()
    assert cohort.scheduled
    client.post(f"/teach/cohorts/{cohort.pk}/open/")
    cohort.refresh_from_db()
    assert cohort.status == "open"

    # and the ladder shows it to everyone
    html = as_user(None).get("/").content.decode()
    assert "Python for analysts II" in html and f"/cohorts/{cohort.pk}/" in html


def test_cohort_cancel_and_a_refused_transition_shows_the_message(world, as_user):
    client = as_user(world["teacher"])
    cohort = world["draft_cohort"]
    response = client.post(f"/teach/cohorts/{cohort.pk}/cancel/", follow=True)
    assert "Cohort cancelled." in response.content.decode()
    response = client.post(f"/teach/cohorts/{cohort.pk}/open/", follow=True)
    cohort.refresh_from_db()
    assert cohort.status == "cancelled"
    assert "can&#39;t become" in response.content.decode() or "can't become" in response.content.decode()


def test_service_errors_appear_on_the_forms(world, as_user):
    client = as_user(world["teacher"], language="en")
    course = world["bootcamp"]
    # a day beyond the course's length
    response = client.post(
        f"/teach/courses/{course.pk}/lessons/new/",
        {"day": "99", "title": "Too late", "body": "", "task": "", "links": ""},
    )
    assert response.status_code == 200
    assert "Day must be between 1 and 21 for this course." in response.content.decode()
    # a day that already has a lesson
    response = client.post(
        f"/teach/courses/{course.pk}/lessons/new/", {"day": "1", "title": "Again", "body": "", "task": "", "links": ""}
    )
    assert "Day 1 already has a lesson." in response.content.decode()
    # a bad link
    response = client.post(
        f"/teach/courses/{course.pk}/lessons/new/", {"day": "9", "title": "Links", "links": "Bad | javascript:alert(1)"}
    )
    assert "Links must start with http:// or https://." in response.content.decode()
    # a cohort starting in the past
    response = client.post(
        f"/teach/courses/{course.pk}/cohorts/",
        {"name": "Past", "timezone_name": "UTC", "starts_on": "2020-01-01", "capacity": "5"},
    )
    assert response.status_code == 422
    assert "The first day must be in the future" in response.content.decode()
    # a stage already taken on the track
    response = client.post("/teach/courses/new/", _course_data(track=str(world["track"].pk), stage="1", slug="dup"))
    assert "already has a course at that stage" in response.content.decode()


def test_an_instructor_cannot_add_a_course_to_another_instructors_track(world, as_user):
    # given a track only the other instructor teaches in
    client = as_user(world["other_teacher"])
    option = f'<option value="{world["track"].pk}">Data analysis</option>'
    assert option not in client.get("/teach/courses/new/").content.decode()  # not offered

    # when they post a course to it anyway
    response = client.post("/teach/courses/new/", _course_data(track=str(world["track"].pk), stage="4", slug="mine"))

    # then the form says no and the track has no new course
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Course.objects.filter(slug="mine").exists()
    # while the track's own instructor is offered it
    assert option in as_user(world["teacher"]).get("/teach/courses/new/").content.decode()


def test_service_errors_in_chinese(world, as_user):
    teacher = world["teacher"]
    teacher.language = "zh-hans"
    teacher.save(update_fields=["language"])
    client = as_user(teacher)
    response = client.post(
        f"/teach/courses/{world['bootcamp'].pk}/lessons/new/", {"day": "99", "title": "x", "links": ""}
    )
    assert "本课程的天数必须在 1 到 21 之间。" in response.content.decode()


def test_learner_cannot_create_courses(world, as_user):
    response = as_user(world["learner"]).post("/teach/courses/new/", _course_data(new_track_title="X", stage="1"))
    assert response.status_code == 403
    assert not Course.objects.filter(title="Python for analysts").exists()


def test_lesson_editor_has_the_live_preview_hooks(world, as_user):
    html = as_user(world["teacher"]).get(f"/teach/courses/{world['bootcamp'].pk}/lessons/new/").content.decode()
    assert 'data-markdown-preview="body-preview"' in html and 'id="body-preview"' in html
    assert "csrfmiddlewaretoken" in html
    assert (
        'value="4"'
        in as_user(world["teacher"]).get(f"/teach/courses/{world['bootcamp'].pk}/lessons/new/?day=4").content.decode()
    )


def test_markdown_preview_api_accepts_the_session_with_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["teacher"])
    page = client.get(f"/teach/courses/{world['bootcamp'].pk}/lessons/new/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/markdown/preview",
        {"text": "**hi** <script>x</script>"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert "<strong>hi</strong>" in response.json()["html"] and "<script>" not in response.json()["html"]


def test_publishing_a_course_with_no_published_lesson_warns(world, as_user):
    """Allowed (the lessons may be on their way), but its learners would find nothing: the instructor is told."""
    course = world["draft_course"]
    lesson = factories.lesson(course=course, day=1, title="Draft lesson", is_published=False)
    client = as_user(world["teacher"])
    warning = "The course is published, but none of its lessons is"

    response = client.post(f"/teach/courses/{course.pk}/publish/", {"published": "1"}, follow=True)

    html = response.content.decode()
    assert "Course published." in html and warning in html and "flash-warning" in html
    assert warning in client.get(f"/teach/courses/{course.pk}/lessons/").content.decode()
    # one published lesson is enough
    client.post(f"/teach/lessons/{lesson.pk}/publish/", {"published": "1"})
    assert warning not in client.get(f"/teach/courses/{course.pk}/lessons/").content.decode()
    response = client.post(f"/teach/courses/{course.pk}/publish/", {"published": "1"}, follow=True)
    assert warning not in response.content.decode()
