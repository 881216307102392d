"""Cohorts through the JSON API: lists and details with seats left, instructors' lifecycle actions, released lessons."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cohorts.days import local_midnight
from cohorts.models import Cohort
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.assertions import assert_error

UTC = ZoneInfo("UTC")
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db):
    teacher = factories.instructor(name="Teacher")
    course = factories.course(teacher=teacher, duration_days=7, price_minor=19900, currency="CNY")
    other = factories.course(teacher=factories.instructor(), track=course.track, stage=2, slug="other")
    return {"teacher": teacher, "course": course, "other": other}


def ids(body) -> list[int]:
    return [item["id"] for item in body["items"]]


# List and detail ------------------------------------------------------------------------------------------------


def test_list_filters_by_status_and_course(world, frozen):
    course, other = world["course"], world["other"]
    open_a = factories.cohort(course=course, starts_on=TODAY + timedelta(days=5))
    running_a = factories.cohort(course=course, starts_on=TODAY - timedelta(days=1), status=CohortStatus.RUNNING)
    open_b = factories.cohort(course=other, starts_on=TODAY + timedelta(days=9))
    client = Client()

    assert ids(client.get("/api/v1/cohorts").json()) == [running_a.pk, open_a.pk, open_b.pk]
    assert ids(client.get("/api/v1/cohorts?status=open").json()) == [open_a.pk, open_b.pk]
    assert ids(client.get(f"/api/v1/cohorts?course_id={course.pk}").json()) == [running_a.pk, open_a.pk]
    assert ids(client.get(f"/api/v1/cohorts?status=open&course_id={other.pk}").json()) == [open_b.pk]


def test_public_list_hides_drafts_cancelled_archived_and_unpublished_courses(world, frozen):
    course = world["course"]
    visible = factories.cohort(course=course)
    for status in (CohortStatus.DRAFT, CohortStatus.CANCELLED, CohortStatus.ARCHIVED):
        factories.cohort(course=course, status=status)
    factories.cohort(course=factories.course(is_published=False))

    assert ids(Client().get("/api/v1/cohorts").json()) == [visible.pk]


def test_instructors_see_their_drafts_and_members_their_archived_cohorts(world, api_client, frozen):
    course = world["course"]
    draft = factories.cohort(course=course, status=CohortStatus.DRAFT)
    archived = factories.cohort(course=course, starts_on=TODAY - timedelta(days=60), status=CohortStatus.ARCHIVED)
    alumna = factories.learner()
    factories.enrollment(cohort=archived, learner=alumna, status=EnrollmentStatus.COMPLETED)

    assert set(ids(api_client(world["teacher"]).get("/api/v1/cohorts").json())) == {draft.pk, archived.pk}
    assert ids(api_client(alumna).get("/api/v1/cohorts").json()) == [archived.pk]
    assert ids(api_client(factories.learner()).get("/api/v1/cohorts").json()) == []


def test_detail_shows_seats_left(world, frozen):
    cohort = factories.cohort(course=world["course"], capacity=5)
    for _ in range(2):
        factories.enrollment(cohort=cohort, learner=factories.learner())
    factories.held_seat(cohort=cohort)  # a learner paying
    for status in (EnrollmentStatus.EXPIRED, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.WAITLISTED):
        factories.enrollment(cohort=cohort, learner=factories.learner(), status=status)

    body = Client().get(f"/api/v1/cohorts/{cohort.pk}").json()

    assert body["seats_left"] == 2
    assert body["capacity"] == 5
    assert (body["price_minor"], body["currency"], body["course_title"]) == (19900, "CNY", world["course"].title)
    starts_at = datetime.fromisoformat(body["starts_at"].replace("Z", "+00:00"))
    assert starts_at == local_midnight(tz=cohort.timezone, on=cohort.starts_on)


def test_full_cohort_shows_zero_seats_left_never_negative(world, frozen):
    cohort = factories.cohort(course=world["course"], capacity=2)
    for _ in range(3):  # e.g. staff squeezed one more in through the admin
        factories.enrollment(cohort=cohort, learner=factories.learner())

    assert Client().get(f"/api/v1/cohorts/{cohort.pk}").json()["seats_left"] == 0


def _cohorts_with_learners(n: int) -> None:
    for _ in range(n):
        cohort = factories.cohort(course=factories.course())
        factories.enrollment(cohort=cohort, learner=factories.learner())


@pytest.mark.parametrize("persona", ["anonymous", "learner", "teacher"])
def test_cohort_list_query_count_does_not_grow_with_cohorts(
    world, frozen, api_client, persona, django_assert_num_queries
):
    user = {"anonymous": None, "learner": factories.learner(), "teacher": world["teacher"]}[persona]
    client = api_client(user)
    client.get("/api/v1/me/enrollments")  # the token's last_used_at is written once, not on every request
    _cohorts_with_learners(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/cohorts").json()["count"] == 2
    _cohorts_with_learners(8)

    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/cohorts").json()

    assert body["count"] == 10
    assert all(item["seats_left"] == 29 for item in body["items"])


def test_anonymous_cohort_list_is_two_queries(world, frozen, django_assert_max_num_queries):
    for n in range(15):
        factories.cohort(course=world["course"], starts_on=TODAY + timedelta(days=n + 1))

    with django_assert_max_num_queries(2):  # count + page, anonymous
        Client().get("/api/v1/cohorts")


def test_my_enrollments_query_count_does_not_grow(world, frozen, api_client, django_assert_num_queries):
    learner = factories.learner()
    client = api_client(learner)

    def enroll(n):
        for _ in range(n):
            cohort = factories.cohort(course=world["course"], capacity=10)
            factories.enrollment(cohort=cohort, learner=learner)
            factories.enrollment(cohort=cohort, learner=factories.learner())

    enroll(1)
    client.get("/api/v1/me")  # the token's last_used_at is written once, not on every request
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/me/enrollments")
    enroll(6)

    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/me/enrollments").json()

    assert body["count"] == 7
    assert {item["cohort"]["seats_left"] for item in body["items"]} == {8}


# Create and update -----------------------------------------------------------------------------------------------


def create(client, **overrides):
    payload = {
        "course_id": overrides.pop("course_id"),
        "name": "June",
        "timezone": "Asia/Kathmandu",
        "starts_on": "2026-06-15",
        "capacity": 25,
    } | overrides
    return client.post("/api/v1/cohorts", payload, content_type="application/json")


def test_instructor_creates_a_draft_whose_end_follows_the_duration(world, api_client, frozen):
    response = create(api_client(world["teacher"]), course_id=world["course"].pk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert (body["starts_on"], body["ends_on"]) == ("2026-06-15", "2026-06-21")  # 7 days
    assert (body["enrollment_opens_on"], body["enrollment_closes_on"]) == ("2026-06-01", "2026-06-15")
    assert body["seats_left"] == 25
    # a draft stays out of the public list
    assert Client().get(f"/api/v1/cohorts/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"timezone": "Mars/Base"}, "invalid_timezone"),
        ({"starts_on": "2026-06-01"}, "start_in_past"),
        ({"starts_on": "2026-05-01"}, "start_in_past"),
        ({"ends_on": "2026-06-14"}, "invalid_dates"),
        ({"enrollment_opens_on": "2026-06-20"}, "invalid_enrollment_window"),
        ({"enrollment_opens_on": "2026-06-10", "enrollment_closes_on": "2026-06-05"}, "invalid_enrollment_window"),
        ({"capacity": 0}, "validation_error"),
        ({"name": ""}, "validation_error"),
    ],
)
def test_create_refuses_bad_input_with_422(world, api_client, frozen, overrides, code):
    response = create(api_client(world["teacher"]), course_id=world["course"].pk, **overrides)

    assert_error(response, 422, code)
    assert not Cohort.objects.exists()


def test_tomorrow_is_judged_in_the_cohorts_zone(world, api_client):
    """At 20:00 UTC on 1 June it is already 2 June in Kiritimati (+14) but still 1 June in Honolulu (−10)."""
    client = api_client(world["teacher"])

    with time_machine.travel(datetime(2026, 6, 1, 20, tzinfo=UTC), tick=False):
        in_kiritimati = create(
            client, course_id=world["course"].pk, timezone="Pacific/Kiritimati", starts_on="2026-06-02"
        )
        in_honolulu = create(client, course_id=world["course"].pk, timezone="Pacific/Honolulu", starts_on="2026-06-02")

    assert_error(in_kiritimati, 422, "start_in_past")
    assert in_honolulu.status_code == 201


def patch(client, cohort, payload):
    return client.patch(f"/api/v1/cohorts/{cohort.pk}", payload, content_type="application/json")


def test_moving_the_start_moves_the_end_with_the_duration(world, api_client, frozen):
    cohort = factories.cohort(course=world["course"], starts_on=date(2026, 6, 10), status=CohortStatus.DRAFT)

    body = patch(api_client(world["teacher"]), cohort, {"starts_on": "2026-06-20"}).json()

    assert (body["starts_on"], body["ends_on"]) == ("2026-06-20", "2026-06-26")


def test_dates_are_editable_before_the_start_only(world, api_client):
    cohort = factories.cohort(course=world["course"], starts_on=date(2026, 6, 10), timezone="Asia/Kathmandu")
    client = api_client(world["teacher"])
    day1 = local_midnight(tz="Asia/Kathmandu", on=date(2026, 6, 10))

    with time_machine.travel(day1 - timedelta(seconds=1), tick=False):
        before = patch(client, cohort, {"ends_on": "2026-06-20"})
    with time_machine.travel(day1, tick=False):
        # still "open": the scheduler hasn't run yet, but the first day has begun in the cohort's zone
        after = patch(client, cohort, {"ends_on": "2026-06-30"})

    assert before.status_code == 200
    assert_error(after, 409, "cohort_already_started")
    cohort.refresh_from_db()
    assert cohort.ends_on == date(2026, 6, 20)


def test_capacity_never_goes_below_seats_taken(world, api_client, frozen):
    cohort = factories.cohort(course=world["course"], capacity=10)
    for _ in range(3):
        factories.enrollment(cohort=cohort, learner=factories.learner())
    factories.held_seat(cohort=cohort)
    factories.held_seat(cohort=cohort, expires_in=timedelta(minutes=-1))  # ran out: no longer a seat
    factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.EXPIRED)
    client = api_client(world["teacher"])

    too_few = patch(client, cohort, {"capacity": 3})
    exactly = patch(client, cohort, {"capacity": 4})

    body = assert_error(too_few, 422, "capacity_below_taken")
    assert body["details"]["taken"] == 4
    assert exactly.status_code == 200
    assert exactly.json()["seats_left"] == 0


def test_capacity_may_change_after_the_start(world, api_client, frozen):
    cohort = factories.cohort(course=world["course"], starts_on=TODAY - timedelta(days=2), status=CohortStatus.RUNNING)

    assert patch(api_client(world["teacher"]), cohort, {"capacity": 50}).json()["capacity"] == 50


# Lifecycle actions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (CohortStatus.DRAFT, "open", CohortStatus.OPEN),
        (CohortStatus.DRAFT, "cancel", CohortStatus.CANCELLED),
        (CohortStatus.OPEN, "cancel", CohortStatus.CANCELLED),
        (CohortStatus.ENDED, "archive", CohortStatus.ARCHIVED),
    ],
)
def test_allowed_actions(world, api_client, frozen, status, action, expected):
    cohort = factories.cohort(course=world["course"], status=status)

    response = api_client(world["teacher"]).post(f"/api/v1/cohorts/{cohort.pk}/{action}")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == expected
    cohort.refresh_from_db()
    assert cohort.status == expected
    assert cohort.status_changed_at == NOW


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (CohortStatus.OPEN, "open"),
        (CohortStatus.RUNNING, "open"),
        (CohortStatus.CANCELLED, "open"),
        (CohortStatus.RUNNING, "cancel"),
        (CohortStatus.ENDED, "cancel"),
        (CohortStatus.CANCELLED, "cancel"),
        (CohortStatus.OPEN, "archive"),
        (CohortStatus.ARCHIVED, "archive"),
        (CohortStatus.OPEN, "schedule"),
    ],
)
def test_disallowed_actions_are_409_and_change_nothing(world, api_client, frozen, status, action):
    cohort = factories.cohort(course=world["course"], status=status)

    response = api_client(world["teacher"]).post(f"/api/v1/cohorts/{cohort.pk}/{action}")

    assert_error(response, 409, "invalid_transition")
    cohort.refresh_from_db()
    assert cohort.status == status


def test_schedule_marks_a_draft_for_the_scheduler(world, api_client, frozen):
    cohort = factories.cohort(course=world["course"], status=CohortStatus.DRAFT)

    body = api_client(world["teacher"]).post(f"/api/v1/cohorts/{cohort.pk}/schedule").json()

    assert (body["status"], body["scheduled"]) == ("draft", True)


def test_an_accepted_invitation_fills_a_seat_and_a_full_cohort_refuses(world, api_client, frozen):
    cohort = factories.cohort(course=world["course"], capacity=1)
    first, second = factories.learner(), factories.learner()
    first_token = factories.invitation(cohort=cohort, email=first.email)
    second_token = factories.invitation(cohort=cohort, email=second.email)

    def accept(learner, token):
        return api_client(learner).post("/api/v1/invitations/accept", {"token": token}, content_type="application/json")

    admitted = accept(first, first_token)
    again = accept(first, first_token)
    full = accept(second, second_token)

    assert admitted.status_code == 200 and admitted.json()["status"] == "active"
    assert again.json() == admitted.json()  # accepting twice takes one seat
    assert_error(full, 409, "cohort_full")
    assert Client().get(f"/api/v1/cohorts/{cohort.pk}").json()["seats_left"] == 0


# Released lessons ---------------------------------------------------------------------------------------------


@pytest.fixture
def course_with_lessons(world):
    course = world["course"]
    for day in range(1, 8):
        factories.lesson(course=course, day=day, is_published=day != 3)
    return course


def lesson_days(client, cohort) -> list[int] | int:
    response = client.get(f"/api/v1/cohorts/{cohort.pk}/lessons")
    if response.status_code != 200:
        return response.status_code
    return [item["day"] for item in response.json()["items"]]


def test_learners_get_each_lesson_at_local_midnight_of_its_day(world, course_with_lessons, api_client):
    # given a Kathmandu (+05:45) cohort starting on 10 June, and a member
    cohort = factories.cohort(
        course=course_with_lessons, starts_on=date(2026, 6, 10), timezone="Asia/Kathmandu", status=CohortStatus.RUNNING
    )
    member = factories.learner()
    factories.enrollment(cohort=cohort, learner=member)
    client = api_client(member)
    day = {n: local_midnight(tz="Asia/Kathmandu", on=date(2026, 6, 9 + n)) for n in range(1, 9)}

    def seen_at(instant):
        with time_machine.travel(instant, tick=False):
            return lesson_days(client, cohort)

    assert seen_at(day[1] - timedelta(seconds=1)) == []
    assert seen_at(day[1]) == [1]
    assert seen_at(day[2] - timedelta(seconds=1)) == [1]
    assert seen_at(day[2]) == [1, 2]
    assert seen_at(day[4]) == [1, 2, 4]  # day 3 is unpublished: never shown to learners
    assert seen_at(day[8] + timedelta(days=30)) == [1, 2, 4, 5, 6, 7]


def test_lesson_detail_of_a_future_day_is_404_until_it_is_released(world, course_with_lessons, api_client):
    cohort = factories.cohort(
        course=course_with_lessons,
        starts_on=date(2026, 6, 10),
        timezone="Pacific/Honolulu",
        status=CohortStatus.RUNNING,
    )
    member = factories.learner()
    factories.enrollment(cohort=cohort, learner=member)
    client = api_client(member)
    day2 = local_midnight(tz="Pacific/Honolulu", on=date(2026, 6, 11))

    with time_machine.travel(day2 - timedelta(seconds=1), tick=False):
        early = client.get(f"/api/v1/cohorts/{cohort.pk}/lessons/2")
    with time_machine.travel(day2, tick=False):
        on_time = client.get(f"/api/v1/cohorts/{cohort.pk}/lessons/2")

    assert_error(early, 404, "lesson_not_found")
    assert on_time.status_code == 200
    assert on_time.json()["title"] == "Day 2"


def test_day_one_is_released_at_midnight_even_before_the_scheduler_marks_the_cohort_running(
    world, course_with_lessons, api_client
):
    """Release follows the cohort's clock: a scheduler a few minutes late must not hold back day 1."""
    cohort = factories.cohort(
        course=course_with_lessons, starts_on=date(2026, 6, 10), timezone="Asia/Shanghai", status=CohortStatus.OPEN
    )
    member = factories.learner()
    factories.enrollment(cohort=cohort, learner=member)

    with time_machine.travel(local_midnight(tz="Asia/Shanghai", on=date(2026, 6, 10)), tick=False):
        assert lesson_days(api_client(member), cohort) == [1]


def test_instructors_see_every_lesson_including_unpublished_and_future(world, course_with_lessons, api_client):
    cohort = factories.cohort(course=course_with_lessons, status=CohortStatus.DRAFT)

    with time_machine.travel(NOW, tick=False):
        assert lesson_days(api_client(world["teacher"]), cohort) == [1, 2, 3, 4, 5, 6, 7]
        assert lesson_days(api_client(factories.staff()), cohort) == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    "status", [EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.REMOVED, None]
)
def test_non_members_read_no_lessons(world, course_with_lessons, api_client, status):
    cohort = factories.cohort(
        course=course_with_lessons, starts_on=TODAY - timedelta(days=3), status=CohortStatus.RUNNING
    )
    learner = factories.learner()
    if status is not None:
        factories.enrollment(cohort=cohort, learner=learner, status=status)

    with time_machine.travel(NOW, tick=False):
        response = api_client(learner).get(f"/api/v1/cohorts/{cohort.pk}/lessons")
        day1 = api_client(learner).get(f"/api/v1/cohorts/{cohort.pk}/lessons/1")

    assert_error(response, 404, "cohort_not_found")
    assert_error(day1, 404)


def test_members_of_one_cohort_cannot_read_another_cohorts_lessons(world, course_with_lessons, api_client):
    mine = factories.cohort(
        course=course_with_lessons, starts_on=TODAY - timedelta(days=3), status=CohortStatus.RUNNING
    )
    theirs = factories.cohort(
        course=course_with_lessons, starts_on=TODAY - timedelta(days=3), status=CohortStatus.RUNNING
    )
    learner = factories.learner()
    factories.enrollment(cohort=mine, learner=learner)

    with time_machine.travel(NOW, tick=False):
        assert lesson_days(api_client(learner), mine) == [1, 2, 4]
        assert lesson_days(api_client(learner), theirs) == 404


def test_a_cancelled_cohort_releases_nothing(world, course_with_lessons, api_client):
    cohort = factories.cohort(
        course=course_with_lessons, starts_on=TODAY - timedelta(days=3), status=CohortStatus.CANCELLED
    )
    learner = factories.learner()
    factories.enrollment(cohort=cohort, learner=learner)

    with time_machine.travel(NOW, tick=False):
        assert lesson_days(api_client(learner), cohort) == []


@pytest.mark.parametrize("email", ["not-an-email", "ana@", "ana@exa mple.com"])
def test_an_invitation_for_a_malformed_address_is_422_like_on_sign_up(world, api_client, email):
    cohort = factories.cohort(course=world["course"])

    response = api_client(world["teacher"]).post(
        f"/api/v1/cohorts/{cohort.pk}/invitations", {"email": email}, content_type="application/json"
    )

    body = assert_error(response, 422, "validation_error")
    assert [error["field"] for error in body["details"]["errors"]] == ["email"]
    assert not cohort.invitations.exists()
