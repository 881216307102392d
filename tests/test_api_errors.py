"""One error shape everywhere: ``{"code", "message", "details"}`` with the status that says what went wrong."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.services import api_token_create, api_token_revoke
from cohorts.checkins import checkin_record
from cohorts.feed import post_announce
from cohorts.models import CheckIn, Post, Strike
from cohorts.statuses import CohortStatus
from tests import factories
from tests.assertions import assert_error
from tests.billing.api_matrix import BILLING_LIST_PATHS
from tests.cohorts.certificates_api_matrix import CERTIFICATE_LIST_PATHS

CSRF_SECRET = "a" * 32


def strict_client(**headers: str) -> Client:
    """A client that enforces CSRF like a real browser session or script does (the default test client doesn't)."""
    return Client(enforce_csrf_checks=True, headers=headers)


def bearer(raw: str) -> Client:
    return strict_client(Authorization=f"Bearer {raw}")


TRACK = {"title": "Writing"}


# 401 ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_credentials_is_401():
    assert_error(Client().get("/api/v1/me"), 401, "not_authenticated")


@pytest.mark.django_db
def test_anonymous_write_is_401_not_a_csrf_error():
    # given a script with no credentials at all, CSRF enforced as in production
    client = strict_client()

    # when it tries to write
    response = client.post("/api/v1/tracks", TRACK, content_type="application/json")

    # then it is told to authenticate, not that a CSRF cookie is missing
    assert_error(response, 401, "not_authenticated")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["sw_not-a-real-token", "garbage", "sw_"])
def test_invalid_token_is_401_on_reads_and_writes(raw):
    client = bearer(raw)

    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/tracks", TRACK, content_type="application/json"), 401, "not_authenticated")


@pytest.mark.django_db
def test_invalid_token_on_a_public_endpoint_is_401_not_silently_anonymous():
    """A script with a wrong token must learn it, not get the anonymous view of the catalog."""
    assert_error(bearer("sw_wrong").get("/api/v1/cohorts"), 401, "not_authenticated")
    assert Client().get("/api/v1/cohorts").status_code == 200


@pytest.mark.django_db
def test_revoked_token_is_401_on_every_kind_of_endpoint():
    # given a token that worked
    instructor = factories.instructor()
    token, raw = api_token_create(user=instructor, name="ci")
    client = bearer(raw)
    assert client.get("/api/v1/me").status_code == 200

    # when it is revoked
    api_token_revoke(user=instructor, token_id=token.pk)

    # then it opens nothing any more
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/tracks"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/tracks", TRACK, content_type="application/json"), 401, "not_authenticated")


@pytest.mark.django_db
def test_token_of_a_deactivated_user_is_401():
    user = factories.learner()
    _, raw = api_token_create(user=user, name="ci")
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_error(bearer(raw).get("/api/v1/me"), 401, "not_authenticated")


# 403 ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_learner_creating_a_course_is_403(api_client):
    track = factories.track()
    learner = factories.learner()

    response = api_client(learner).post(
        "/api/v1/courses",
        {
            "track_id": track.pk,
            "stage": 1,
            "stage_label": "Beginner",
            "title": "Intro",
            "price_minor": 0,
            "duration_days": 7,
        },
        content_type="application/json",
    )

    assert_error(response, 403, "not_instructor")
    assert not track.courses.exists()


@pytest.mark.django_db
def test_session_post_without_csrf_token_is_403():
    # given an instructor signed in with a session cookie
    client = strict_client()
    client.force_login(factories.instructor())

    # when a form posts without the CSRF token
    response = client.post("/api/v1/tracks", TRACK, content_type="application/json")

    # then it is refused with a CSRF error, and nothing was created
    assert_error(response, 403, "csrf_failed")
    assert client.get("/api/v1/tracks").json()["count"] == 0


@pytest.mark.django_db
def test_session_post_with_csrf_token_goes_through():
    client = strict_client()
    client.force_login(factories.instructor())
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post(
        "/api/v1/tracks", TRACK, content_type="application/json", headers={"X-CSRFToken": CSRF_SECRET}
    )

    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_session_reads_need_no_csrf_token():
    client = strict_client()
    client.force_login(factories.learner(display_name="Ana"))

    assert client.get("/api/v1/me").json()["display_name"] == "Ana"


@pytest.mark.django_db
def test_token_writes_need_no_csrf_token(api_client):
    _, raw = api_token_create(user=factories.instructor(), name="ci")

    assert bearer(raw).post("/api/v1/tracks", TRACK, content_type="application/json").status_code == 201


# 404 ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_forbidden_and_missing_objects_answer_the_same_404(api_client):
    # given objects an outsider must not see
    teacher, outsider = factories.instructor(), factories.instructor()
    course = factories.course(teacher=teacher, is_published=False)
    lesson = factories.lesson(course=course, day=1)
    draft = factories.cohort(course=factories.course(teacher=teacher), status=CohortStatus.DRAFT)
    client = api_client(outsider)

    for hidden, missing in [
        (f"/api/v1/courses/{course.pk}", "/api/v1/courses/987654"),
        (f"/api/v1/lessons/{lesson.pk}", "/api/v1/lessons/987654"),
        (f"/api/v1/cohorts/{draft.pk}", "/api/v1/cohorts/987654"),
        (f"/api/v1/cohorts/{draft.pk}/lessons", "/api/v1/cohorts/987654/lessons"),
    ]:
        # when the outsider asks for a hidden object and for one that does not exist
        forbidden_response, missing_response = client.get(hidden), client.get(missing)

        # then both answers are byte-for-byte the same
        assert_error(forbidden_response, 404)
        assert forbidden_response.content == missing_response.content, hidden


@pytest.mark.django_db
def test_writes_on_someone_elses_objects_look_like_missing_ones(api_client):
    teacher, outsider = factories.instructor(), factories.instructor()
    course = factories.course(teacher=teacher)
    client = api_client(outsider)

    forbidden = client.patch(f"/api/v1/courses/{course.pk}", {"title": "Mine now"}, content_type="application/json")
    missing = client.patch("/api/v1/courses/987654", {"title": "Mine now"}, content_type="application/json")

    assert_error(forbidden, 404, "course_not_found")
    assert forbidden.content == missing.content
    course.refresh_from_db()
    assert course.title != "Mine now"


@pytest.mark.django_db
def test_acting_on_another_cohorts_checkin_post_or_member_looks_like_a_missing_one(api_client):
    """Check-ins, posts and enrollments of a cohort someone doesn't teach (or read) answer exactly as a missing id:
    same status, same code, same message."""
    # given a running cohort with a check-in, an announcement and a member, and people from elsewhere
    teacher, other_teacher = factories.instructor(), factories.instructor()
    member, outsider = factories.learner(), factories.learner()
    course = factories.course(teacher=teacher)
    factories.course(teacher=other_teacher, track=course.track, stage=2)
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        cohort = factories.cohort(course=course, starts_on=date(2026, 3, 2), status=CohortStatus.RUNNING)
        enrollment = factories.enrollment(cohort=cohort, learner=member)
        checkin = checkin_record(learner=member, cohort_id=cohort.pk, text="Wrote four hundred words today.")
        post = post_announce(actor=teacher, cohort_id=cohort.pk, body="Welcome, everyone!")
        checkin_post = Post.objects.get(checkin=checkin)
        cases = [
            (other_teacher, "post", "/api/v1/checkins/{}/feature", None, checkin.pk),
            (other_teacher, "post", "/api/v1/checkins/{}/unfeature", None, checkin.pk),
            (other_teacher, "post", "/api/v1/checkins/{}/reject", {"reason": "Off topic"}, checkin.pk),
            (member, "post", "/api/v1/checkins/{}/feature", None, checkin.pk),
            (other_teacher, "post", "/api/v1/enrollments/{}/strikes", {"reason": "Spam links"}, enrollment.pk),
            (member, "post", "/api/v1/enrollments/{}/strikes", {"reason": "Spam links"}, enrollment.pk),
            (other_teacher, "post", "/api/v1/posts/{}/pin", None, post.pk),
            (other_teacher, "post", "/api/v1/posts/{}/unpin", None, post.pk),
            (member, "post", "/api/v1/posts/{}/pin", None, post.pk),
            (teacher, "post", "/api/v1/posts/{}/pin", None, checkin_post.pk),  # not an announcement
            (outsider, "get", "/api/v1/posts/{}/comments", None, post.pk),
            (outsider, "post", "/api/v1/posts/{}/comments", {"body": "hi"}, post.pk),
            (outsider, "put", "/api/v1/posts/{}/reaction", {"kind": "clap"}, post.pk),
            (outsider, "delete", "/api/v1/posts/{}/reaction", None, post.pk),
        ]
        for user, method, path, body, pk in cases:
            client = api_client(user)

            def call(url, client=client, method=method, body=body):
                if method in ("get", "delete"):
                    return getattr(client, method)(url)
                return getattr(client, method)(url, body or {}, content_type="application/json")

            # when they act on the object and on an id that doesn't exist
            forbidden, missing = call(path.format(pk)), call(path.format(987654))

            # then both answers are byte-for-byte the same 404
            assert_error(forbidden, 404)
            assert forbidden.content == missing.content, (user.display_name, method, path)

    # and nothing changed
    checkin.refresh_from_db()
    post.refresh_from_db()
    assert (checkin.status, checkin.is_featured, post.is_pinned) == ("counted", False, False)
    assert not Strike.objects.exists()


@pytest.mark.django_db
def test_a_non_member_checking_in_gets_the_404_of_every_other_member_only_endpoint(api_client):
    # given a running cohort anyone may see, a draft one only its teacher sees, and a learner in neither
    teacher, outsider = factories.instructor(), factories.learner()
    course = factories.course(teacher=teacher)
    with time_machine.travel(datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        running = factories.cohort(course=course, starts_on=date(2026, 3, 2), status=CohortStatus.RUNNING)
        draft = factories.cohort(course=course, starts_on=date(2026, 3, 2), status=CohortStatus.DRAFT)
        client = api_client(outsider)
        makeup = {"day": 1, "reason": "Train without signal", "text": "Wrote four hundred words today."}

        # when they check in, make up a day, or read their streak
        checkin = client.post(f"/api/v1/cohorts/{running.pk}/checkins", {"text": "Wrote four hundred words."})
        makeup_response = client.post(f"/api/v1/cohorts/{running.pk}/makeups", makeup)
        streak = client.get(f"/api/v1/cohorts/{running.pk}/streak")
        hidden = client.post(f"/api/v1/cohorts/{draft.pk}/checkins", {"text": "Wrote four hundred words."})
        missing = client.post("/api/v1/cohorts/987654/checkins", {"text": "Wrote four hundred words."})

    # then the visible cohort says "not a member" as the streak does, and the hidden one is a missing one
    assert_error(checkin, 404, "not_enrolled")
    assert_error(makeup_response, 404, "not_enrolled")
    assert_error(streak, 404, "not_enrolled")
    assert_error(hidden, 404, "cohort_not_found")
    assert hidden.content == missing.content
    assert not CheckIn.objects.exists()


# 409 ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_stage_is_409(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher)
    payload = {
        "track_id": course.track_id,
        "stage": course.stage,
        "stage_label": "Again",
        "title": "Same rung",
        "price_minor": 100,
        "duration_days": 7,
    }

    body = assert_error(api_client(teacher).post("/api/v1/courses", payload, content_type="application/json"), 409)

    assert body["code"] == "course_exists"
    assert body["details"]["stage"] == course.stage


@pytest.mark.django_db
def test_lesson_day_taken_is_409_on_create_and_on_move(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher)
    factories.lesson(course=course, day=1)
    second = factories.lesson(course=course, day=2)
    client = api_client(teacher)

    created = client.post(
        f"/api/v1/courses/{course.pk}/lessons", {"day": 1, "title": "Twice"}, content_type="application/json"
    )
    moved = client.patch(f"/api/v1/lessons/{second.pk}", {"day": 1}, content_type="application/json")

    assert_error(created, 409, "lesson_day_taken")
    assert_error(moved, 409, "lesson_day_taken")
    second.refresh_from_db()
    assert second.day == 2


@pytest.mark.django_db
def test_invalid_transition_is_409(api_client):
    teacher = factories.instructor()
    running = factories.cohort(
        course=factories.course(teacher=teacher),
        starts_on=timezone.now().date() - timedelta(days=1),
        status=CohortStatus.RUNNING,
    )

    body = assert_error(api_client(teacher).post(f"/api/v1/cohorts/{running.pk}/cancel"), 409, "invalid_transition")

    assert body["details"] == {"status": "running", "target": "cancelled"}
    running.refresh_from_db()
    assert running.status == CohortStatus.RUNNING


# 422 ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_validation_is_422_and_names_the_fields(api_client):
    teacher = factories.instructor()

    response = api_client(teacher).post(
        "/api/v1/courses", {"stage": 0, "title": "No track"}, content_type="application/json"
    )

    body = assert_error(response, 422, "validation_error")
    fields = {error["field"] for error in body["details"]["errors"]}
    assert {"track_id", "stage", "price_minor", "duration_days", "stage_label"} <= fields


@pytest.mark.django_db
def test_bad_query_parameter_is_422(api_client):
    assert_error(Client().get("/api/v1/cohorts?status=sleeping"), 422, "validation_error")
    assert_error(Client().get("/api/v1/cohorts?page=0"), 422, "validation_error")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/cohorts?course_id=99999999999999999999999", "/api/v1/courses?track_id=99999999999999999999999"],
)
def test_an_id_too_large_for_the_database_is_422_not_a_crash(url):
    assert_error(Client(raise_request_exception=False).get(url), 422, "validation_error")


HUGE_ID = 2**63  # one past PostgreSQL's bigint; SQLite can't even bind it


def _path_id_requests(schema: dict) -> list[tuple[str, str]]:
    """(method, url) for every operation with a path parameter named ``*_id``, that id set to ``HUGE_ID``."""
    requests = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            if not any(p["name"].endswith("_id") for p in params):
                continue
            url = path
            for param in params:
                value = HUGE_ID if param["name"].endswith("_id") else 1
                url = url.replace("{" + param["name"] + "}", str(value))
            requests.append((method, url))
    return requests


@pytest.mark.django_db
def test_every_path_id_too_large_for_the_database_is_422_not_a_crash(api_client):
    """Walks the OpenAPI document, so a new endpoint whose path id is a plain ``int`` fails here."""
    # given staff, who may reach every endpoint past its permission check
    client = api_client(factories.staff())
    client.raise_request_exception = False
    requests = _path_id_requests(Client().get("/api/v1/openapi.json").json())
    assert len(requests) > 50

    for method, url in requests:
        # when the id in the path is past a bigint
        response = getattr(client, method)(url, {}, content_type="application/json")

        # then it is refused as invalid input, in the one error shape
        assert response.status_code == 422, (method, url, response.content)
        assert_error(response, 422, "validation_error")


@pytest.mark.django_db
def test_ids_too_large_for_the_database_in_a_body_are_422_not_a_crash(api_client):
    teacher = factories.instructor()
    cohort = factories.cohort(course=factories.course(teacher=teacher))
    client = api_client(teacher)
    client.raise_request_exception = False

    nudge = client.post(
        f"/api/v1/cohorts/{cohort.pk}/nudges", {"enrollment_ids": [HUGE_ID]}, content_type="application/json"
    )
    new_cohort = client.post(
        "/api/v1/cohorts",
        {"course_id": HUGE_ID, "name": "Huge", "timezone": "UTC", "starts_on": "2030-01-01", "capacity": 5},
        content_type="application/json",
    )
    new_course = client.post(
        "/api/v1/courses",
        {"track_id": HUGE_ID, "stage": 1, "stage_label": "B", "title": "T", "price_minor": 0, "duration_days": 7},
        content_type="application/json",
    )

    for response in (nudge, new_cohort, new_course):
        body = assert_error(response, 422, "validation_error")
        assert body["details"]["errors"][0]["field"] in {"enrollment_ids.0", "course_id", "track_id"}


@pytest.mark.django_db
def test_rule_violation_is_422(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, duration_days=7)

    response = api_client(teacher).post(
        f"/api/v1/courses/{course.pk}/lessons", {"day": 8, "title": "Too late"}, content_type="application/json"
    )

    body = assert_error(response, 422, "invalid_day")
    assert body["details"]["max"] == 7


@pytest.mark.django_db
def test_explicit_null_in_a_patch_changes_nothing_instead_of_crashing(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, title="Keep me")
    lesson = factories.lesson(course=course, day=1, title="Keep me too")
    cohort = factories.cohort(course=course, status=CohortStatus.DRAFT, capacity=12)
    client = api_client(teacher)

    course_response = client.patch(
        f"/api/v1/courses/{course.pk}", {"title": None, "price_minor": None}, content_type="application/json"
    )
    lesson_response = client.patch(f"/api/v1/lessons/{lesson.pk}", {"title": None}, content_type="application/json")
    cohort_response = client.patch(
        f"/api/v1/cohorts/{cohort.pk}", {"name": None, "capacity": None}, content_type="application/json"
    )

    assert (course_response.status_code, course_response.json()["title"]) == (200, "Keep me")
    assert (lesson_response.status_code, lesson_response.json()["title"]) == (200, "Keep me too")
    assert (cohort_response.status_code, cohort_response.json()["capacity"]) == (200, 12)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['"Writing"', "42", '["Writing"]', "null", "true"])
def test_a_json_body_that_is_not_an_object_is_422(api_client, body):
    # when a script sends a bare JSON value where the endpoint takes an object
    client = api_client(factories.instructor())
    response = client.post("/api/v1/tracks", body, content_type="application/json")

    # then it is refused as invalid input, and no track is created
    assert_error(response, 422, "validation_error")
    assert Client().get("/api/v1/tracks").json()["count"] == 0


@pytest.mark.django_db
def test_a_bare_string_is_not_an_empty_patch_nor_a_list_item(api_client):
    teacher = factories.instructor()
    course = factories.course(teacher=teacher, title="Keep me")
    client = api_client(teacher)

    patched = client.patch(f"/api/v1/courses/{course.pk}", '"Changed"', content_type="application/json")
    questions = client.put(f"/api/v1/courses/{course.pk}/questions", '["Why?"]', content_type="application/json")

    assert_error(patched, 422, "validation_error")
    assert_error(questions, 422, "validation_error")
    course.refresh_from_db()
    assert course.title == "Keep me" and not course.application_questions.exists()


@pytest.mark.django_db
def test_malformed_json_has_the_error_shape(api_client):
    response = api_client(factories.instructor()).post("/api/v1/tracks", "{not json", content_type="application/json")

    assert_error(response, 400, "bad_request")


# 413 ---------------------------------------------------------------------------------------------------------


def _too_large(settings) -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


@pytest.mark.django_db
def test_a_json_body_over_the_upload_limit_is_413_not_a_crash(api_client, settings, caplog):
    # when an instructor sends a JSON body larger than Django will read
    response = api_client(factories.instructor()).post(
        "/api/v1/tracks", {"title": _too_large(settings)}, content_type="application/json"
    )

    # then the answer says so in the one error shape, nothing is created and nothing is logged as our error
    assert_error(response, 413, "request_too_large")
    assert Client().get("/api/v1/tracks").json()["count"] == 0
    assert not [record for record in caplog.records if record.name == "stagewise.api"]


@pytest.mark.django_db
def test_a_form_body_over_the_upload_limit_is_413_also_through_the_session_csrf_check(settings):
    # given a signed-in session, CSRF enforced (ninja's check reads the form first)
    client = strict_client()
    client.force_login(factories.learner())
    client.cookies["csrftoken"] = CSRF_SECRET

    response = client.post("/api/v1/me/tokens", {"name": _too_large(settings)}, headers={"X-CSRFToken": CSRF_SECRET})

    assert_error(response, 413, "request_too_large")


# Pagination --------------------------------------------------------------------------------------------------


def _list_paths(schema: dict) -> list[str]:
    return [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations
        and any(param["name"] == "page_size" for param in operations["get"].get("parameters", []))
    ]


@pytest.mark.django_db
def test_every_list_endpoint_is_paginated():
    """Every GET that returns a list takes page/page_size; a new unpaginated list fails here."""
    schema = Client().get("/api/v1/openapi.json").json()
    list_responses = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        json_body = get["responses"]["200"]["content"].get("application/json")
        if json_body is None:
            continue  # a file (a certificate's PDF, a ZIP)
        content = json_body["schema"]
        if content.get("type") == "array":
            list_responses.append(path)
    assert list_responses == [], "lists must be paginated"
    assert set(_list_paths(schema)) >= BILLING_LIST_PATHS | CERTIFICATE_LIST_PATHS | {
        "/api/v1/me/tokens",
        "/api/v1/tracks",
        "/api/v1/courses",
        "/api/v1/courses/{course_id}/lessons",
        "/api/v1/cohorts",
        "/api/v1/cohorts/{cohort_id}/lessons",
        "/api/v1/me/enrollments",
    }


@pytest.mark.django_db
def test_pages_report_count_and_page_count(api_client):
    for n in range(5):
        factories.track(title=f"Track {n:02d}")
    client = Client()

    first = client.get("/api/v1/tracks?page=1&page_size=2").json()
    last = client.get("/api/v1/tracks?page=3&page_size=2").json()
    beyond = client.get("/api/v1/tracks?page=4&page_size=2").json()

    assert {k: first[k] for k in ("count", "page", "page_size", "pages")} == {
        "count": 5,
        "page": 1,
        "page_size": 2,
        "pages": 3,
    }
    assert [t["title"] for t in first["items"]] == ["Track 00", "Track 01"]
    assert [t["title"] for t in last["items"]] == ["Track 04"]
    assert beyond["items"] == [] and beyond["count"] == 5


@pytest.mark.django_db
def test_page_size_is_capped_at_100():
    for n in range(105):
        factories.track(title=f"T{n:03d}", slug=f"t{n:03d}")

    body = Client().get("/api/v1/tracks?page_size=1000").json()

    assert body["page_size"] == 100
    assert len(body["items"]) == 100
    assert body["pages"] == 2
    assert body["count"] == 105


@pytest.mark.django_db
def test_a_page_far_past_the_end_is_empty_not_a_crash():
    factories.track()

    body = Client(raise_request_exception=False).get("/api/v1/tracks?page=99999999999999999999").json()

    assert body["items"] == [] and body["count"] == 1


@pytest.mark.django_db
def test_empty_list_has_one_empty_page():
    body = Client().get("/api/v1/tracks").json()

    assert body == {"items": [], "count": 0, "page": 1, "page_size": 20, "pages": 1}


# What never reaches a ninja handler ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_api_path_answers_in_the_error_shape():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_wrong_method_answers_in_the_error_shape_with_allow():
    response = Client().delete("/api/v1/tracks")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_an_unexpected_exception_is_a_json_500(settings):
    settings.ROOT_URLCONF = "tests.urls_boom"
    client = Client(raise_request_exception=False)
    response = client.get("/api/boom/explode")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "bug we did not foresee" not in response.content.decode()  # no internals leak
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")  # pages keep HTML


def test_no_api_route_is_shadowed_by_an_earlier_one():
    """The routers are mounted busiest first (stagewise/api.py), so a parameter in an earlier route could swallow a
    later literal one: every route, with its parameters filled in, must resolve to itself."""
    import re

    from django.urls import get_resolver

    api_patterns = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    for pattern in api_patterns.url_patterns:
        route = str(pattern.pattern)
        for value in ("1", "mine", "me", "tokens"):
            match = api_patterns.resolve("api/v1/" + re.sub(r"<[^>]+>", value, route))
            if value == "1" or "<" not in route:
                assert match.route.removeprefix("api/v1/") == route, (route, match.route)
