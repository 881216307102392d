"""The OpenAPI document tells a client every error it can get, in the one error shape (stagewise.openapi)."""

import re

import pytest
from django.test import Client

from tests import factories
from tests.assertions import assert_error

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/ErrorOut"
SAFE = {"get", "head", "options"}


def _document() -> dict:
    return Client().get("/api/v1/openapi.json").json()


def _operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def _operation_for(document: dict, method: str, url: str) -> dict:
    """The operation of the document that answers ``method url`` (a path template's parameters match one segment)."""
    path = url.split("?")[0]
    for template, operations in document["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method in operations:
            return operations[method]
    raise AssertionError(f"no operation for {method} {url}")


def test_every_operation_documents_its_errors_with_the_error_shape():
    document = _document()
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message", "details"}

    for method, path, operation in _operations(document):
        responses = {int(status): response for status, response in operation["responses"].items()}
        errors = {status: response for status, response in responses.items() if status >= 400}
        where = (method, path)
        # every error is in the one shape, with a description of what it means
        for response in errors.values():
            assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, where
            assert response["description"], where
        # and the errors that follow from what the operation takes are all there
        expected = set()
        if operation.get("security"):
            expected |= {401}
        if method not in SAFE:
            expected |= {409, 413, 422} | ({403} if operation.get("security") else set())
        if any(param["in"] == "path" for param in operation["parameters"]):
            expected |= {404, 422}
        if operation["parameters"]:
            expected |= {422}
        if "requestBody" in operation:
            expected |= {400, 422}
        assert expected <= set(errors), (where, sorted(expected - set(errors)))


def test_the_errors_of_typical_requests_are_in_the_document(api_client, settings):
    """The answers tests/test_api_errors.py checks, each looked up in the document under its operation."""
    document = _document()
    teacher, learner = factories.instructor(), factories.learner()
    course = factories.course(teacher=teacher)
    teacher_client, learner_client = api_client(teacher), api_client(learner)
    session = Client(enforce_csrf_checks=True)
    session.force_login(teacher)
    duplicate_stage = {
        "track_id": course.track_id,
        "stage": course.stage,
        "stage_label": "Again",
        "title": "Same rung",
        "price_minor": 100,
        "duration_days": 7,
    }
    json = "application/json"
    answers = [
        ("get", "/api/v1/me", Client().get("/api/v1/me"), 401),
        ("post", "/api/v1/tracks", session.post("/api/v1/tracks", {"title": "T"}, content_type=json), 403),
        ("post", "/api/v1/courses", learner_client.post("/api/v1/courses", duplicate_stage, content_type=json), 403),
        ("get", "/api/v1/courses/987654", teacher_client.get("/api/v1/courses/987654"), 404),
        ("post", "/api/v1/courses", teacher_client.post("/api/v1/courses", duplicate_stage, content_type=json), 409),
        ("post", "/api/v1/courses", teacher_client.post("/api/v1/courses", {}, content_type=json), 422),
        ("get", "/api/v1/cohorts?status=sleeping", Client().get("/api/v1/cohorts?status=sleeping"), 422),
        ("post", "/api/v1/tracks", teacher_client.post("/api/v1/tracks", "{not json", content_type=json), 400),
        (
            "post",
            "/api/v1/tracks",
            teacher_client.post(
                "/api/v1/tracks", {"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}, content_type=json
            ),
            413,
        ),
    ]

    for method, url, response, status in answers:
        assert_error(response, status)
        assert str(status) in _operation_for(document, method, url)["responses"], (method, url, status)


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "987654", path)


@pytest.mark.parametrize("who", ["anonymous", "learner", "staff"])
def test_what_every_operation_answers_to_an_empty_request_is_documented(api_client, who):
    """Every operation, called with an empty body and ids that exist nowhere, by someone signed out, a learner and
    staff: each answer is a status the document lists for that operation."""
    document = _document()
    client = {"anonymous": Client, "learner": lambda: api_client(factories.learner()), "staff": None}[who]
    client = api_client(factories.staff()) if who == "staff" else client()
    client.raise_request_exception = False

    undocumented = []
    for method, path, operation in _operations(document):
        response = getattr(client, method)(_url(path), {}, content_type="application/json")

        if str(response.status_code) not in operation["responses"]:
            undocumented.append((method, path, response.status_code, response.json()["code"]))
    assert undocumented == []


def test_the_two_rosters_are_documented_with_their_own_fields():
    document = _document()

    def fields(path: str) -> set[str]:
        page = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        item = document["components"]["schemas"][page["$ref"].rsplit("/", 1)[1]]["properties"]["items"]["items"]
        return set(document["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]["properties"])

    assert {"checked_in_today", "counted_days"} <= fields("/api/v1/cohorts/{cohort_id}/roster")
    assert {"paid_minor", "order_status"} <= fields("/api/v1/cohorts/{cohort_id}/billing-roster")


def test_the_limits_the_server_checks_are_in_the_schemas(api_client):
    schemas = _document()["components"]["schemas"]
    # the password's minimum length is the one the sign-up refuses below
    assert schemas["SignUpIn"]["properties"]["password"]["minLength"] == 8
    assert schemas["PasswordResetConfirmIn"]["properties"]["new_password"]["minLength"] == 8
    short = Client().post(
        "/api/v1/auth/signup",
        {"email": "ana@example.com", "password": "Xq7!pz2", "display_name": "Ana"},
        content_type="application/json",
    )
    assert_error(short, 422, "weak_password")
    # a check-in's minimum text and an application's required answers are named where a client reads them
    assert "checkin_min_text_length" in schemas["CheckInIn"]["properties"]["text"]["description"]
    assert "required" in schemas["ApplicationIn"]["properties"]["answers"]["description"]
