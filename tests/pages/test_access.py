"""Who may open which page: anonymous, learner, the course's instructor, another instructor, staff."""

import pytest

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _url(world, name):
    return {
        "catalog": "/",
        "course": "/courses/data-1/",
        "draft_course": "/courses/data-3/",
        "open_cohort": f"/cohorts/{world['open_cohort'].pk}/",
        "running_cohort": f"/cohorts/{world['running'].pk}/",
        "draft_cohort": f"/cohorts/{world['draft_cohort'].pk}/",
        "mine": "/cohorts/mine/",
        "profile": "/accounts/profile/",
        "teach": "/teach/",
        "teach_new": "/teach/courses/new/",
        "teach_course": f"/teach/courses/{world['beginner'].pk}/",
        "teach_lessons": f"/teach/courses/{world['bootcamp'].pk}/lessons/",
        "teach_lesson_new": f"/teach/courses/{world['bootcamp'].pk}/lessons/new/",
        "teach_lesson": f"/teach/lessons/{world['bootcamp'].lessons.get(day=1).pk}/",
        "teach_cohorts": f"/teach/courses/{world['beginner'].pk}/cohorts/",
    }[name]


# page: (anonymous, learner, instructor, other instructor, staff)
MATRIX = {
    "catalog": (200, 200, 200, 200, 200),
    "course": (200, 200, 200, 200, 200),
    "draft_course": (404, 404, 200, 404, 200),
    "open_cohort": (200, 200, 200, 200, 200),
    "running_cohort": (200, 200, 200, 200, 200),
    "draft_cohort": (404, 404, 200, 404, 200),
    "mine": (302, 200, 200, 200, 200),
    "profile": (302, 200, 200, 200, 200),
    "teach": (302, 403, 200, 200, 200),
    "teach_new": (302, 403, 200, 200, 200),
    "teach_course": (302, 404, 200, 404, 200),
    "teach_lessons": (302, 404, 200, 404, 200),
    "teach_lesson_new": (302, 404, 200, 404, 200),
    "teach_lesson": (302, 404, 200, 404, 200),
    "teach_cohorts": (302, 404, 200, 404, 200),
}
PERSONAS = ("anonymous", "learner", "teacher", "other_teacher", "staff")


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_page_access_matrix(world, as_user, page):
    url = _url(world, page)
    for persona, expected in zip(PERSONAS, MATRIX[page], strict=True):
        client = as_user(None if persona == "anonymous" else world[persona])
        response = client.get(url)
        assert response.status_code == expected, f"{persona} GET {url}"
        if expected == 302:
            assert response["Location"].startswith(LOGIN + "?next=")


def test_teach_posts_from_another_instructor_are_404(world, as_user):
    # given: an instructor who does not teach the beginner course
    client = as_user(world["other_teacher"])
    course, cohort = world["beginner"], world["draft_cohort"]
    lesson = world["bootcamp"].lessons.get(day=1)
    # when / then: every write answers 404 and changes nothing
    assert client.post(f"/teach/courses/{course.pk}/publish/", {"published": "0"}).status_code == 404
    assert client.post(f"/teach/lessons/{lesson.pk}/publish/", {"published": "0"}).status_code == 404
    assert client.post(f"/teach/cohorts/{cohort.pk}/open/").status_code == 404
    assert client.post(f"/teach/courses/{course.pk}/", {"title": "Hijacked"}).status_code == 404
    course.refresh_from_db()
    lesson.refresh_from_db()
    cohort.refresh_from_db()
    assert course.is_published and lesson.is_published and cohort.status == "draft"
    assert course.title == "Spreadsheet basics"


def test_lessons_only_for_members_and_instructors(world, as_user):
    running = world["running"]
    url = f"/cohorts/{running.pk}/"
    member_page = as_user(world["learner"]).get(url).content.decode()
    outsider_page = as_user(world["outsider"]).get(url).content.decode()
    teacher_page = as_user(world["teacher"]).get(url).content.decode()
    # the member sees released, published lessons only
    assert "SELECT day 1" in member_page and "SELECT day 2" in member_page
    assert "Future lesson" not in member_page and "Unpublished lesson" not in member_page
    assert "<strong>chapter 1</strong>" in member_page  # markdown rendered
    # an outsider sees the cohort but no lesson
    assert "SELECT day 1" not in outsider_page
    # the instructor sees all, marked
    assert "Future lesson" in teacher_page and "Unpublished lesson" in teacher_page


def test_enroll_button_only_when_open_and_not_enrolled(world, as_user):
    open_url = f"/cohorts/{world['open_cohort'].pk}/"
    enroll = f'href="/cohorts/{world["open_cohort"].pk}/enroll/"'
    assert enroll in as_user(None).get(open_url).content.decode()
    assert enroll in as_user(world["outsider"]).get(open_url).content.decode()
    running = world["running"]
    assert (
        f"/cohorts/{running.pk}/enroll/"
        not in as_user(world["outsider"]).get(f"/cohorts/{running.pk}/").content.decode()
    )
    from tests import factories

    factories.enrollment(cohort=world["open_cohort"], learner=world["outsider"], status="pending_payment")
    assert enroll not in as_user(world["outsider"]).get(open_url).content.decode()


def test_unknown_pages_are_404_in_the_site_layout(world, as_user):
    response = as_user(None).get("/courses/no-such-course/")
    assert response.status_code == 404
    assert "This page doesn't exist" in response.content.decode()
    assert as_user(None).get("/cohorts/999999/").status_code == 404
