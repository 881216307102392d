"""The import API: multipart upload, dry run by default, every refusal an error with a code (never a 500)."""

import io
import random

import pytest
from openpyxl import Workbook

from accounts.models import User
from alumni.imports.models import ImportRun, ImportStatus
from alumni.models import ImportedFacts
from tests import factories
from tests.alumni.imports_helpers import csv_bytes, learners, upload, xlsx_bytes
from tests.assertions import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/alumni/imports"


@pytest.fixture
def marketer_client(api_client):
    return api_client(factories.marketer(language="zh-hans"))


def _post(client, data: bytes, name: str = "alumni.csv", headers: dict | None = None, **fields):
    return client.post(URL, {"file": upload(data, name), "source": "Roster 2025", **fields}, headers=headers)


def test_a_dry_run_answers_the_problems_by_line_in_the_readers_language(marketer_client):
    data = csv_bytes([["ok@example.test", "Ok"], ["nope", "Nope"]], header=["邮箱", "姓名"])

    response = _post(marketer_client, data, headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["created"], body["skipped"], body["problem_count"]) == ("validated", 1, 1, 1)
    problem = body["problems"][0]
    assert (problem["line"], problem["column"], problem["code"], problem["value"]) == (
        3,
        "邮箱",
        "email_invalid",
        "nope",
    )
    assert problem["message"] == "不是电子邮件地址。"
    assert not ImportRun.objects.get().started_at


def test_dry_run_false_imports_and_the_run_is_listed_and_read(marketer_client):
    response = _post(marketer_client, csv_bytes(learners(3)), dry_run="false")

    assert response.status_code == 201
    run = response.json()
    assert (run["status"], run["created"], run["processed"]) == ("done", 3, 3)

    listed = marketer_client.get(URL).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == run["id"]
    assert "problems" not in listed["items"][0]
    detail = marketer_client.get(f"{URL}/{run['id']}").json()
    assert detail["source"] == "Roster 2025" and detail["created_by"].endswith("@example.test")


def test_starting_a_checked_run_imports_it_once(marketer_client):
    run_id = _post(marketer_client, csv_bytes(learners(2))).json()["id"]

    started = marketer_client.post(f"{URL}/{run_id}/start")
    again = marketer_client.post(f"{URL}/{run_id}/start")

    assert started.status_code == 200 and started.json()["status"] == ImportStatus.DONE
    assert_error(again, 409, "import_already_started")


def test_an_unknown_run_is_404(marketer_client):
    assert_error(marketer_client.get(f"{URL}/987654"), 404, "import_not_found")
    assert_error(marketer_client.post(f"{URL}/987654/start"), 404, "import_not_found")


def _junk(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _formula_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["email", "name", "paid (CNY)"])
    sheet.append(['=LOWER("A@EXAMPLE.TEST")', '=CONCAT("A","B")', "=1/0"])
    sheet.append(["b@example.test", '=UPPER("b")', 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _wide_csv() -> bytes:
    header = ",".join(["email"] + [f"c{i}" for i in range(5000)])
    return (header + "\r\n" + "a@example.test" + ",x" * 5000 + "\r\n").encode()


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (_junk(1, 200_000), "alumni.csv", 422, "import_file_unreadable"),
        (_junk(2, 50_000), "alumni.xlsx", 422, "import_file_unreadable"),
        (b"PK\x03\x04" + _junk(3, 10_000), "alumni.xlsx", 422, "import_file_unreadable"),
        (b"", "alumni.csv", 422, "import_file_empty"),
        (b'email\r\n"unterminated, quote\r\n' + b"x" * 200_000, "alumni.csv", 422, "import_file_unreadable"),
        (b"<html><body>not a sheet</body></html>", "alumni.html", 422, "import_file_type"),
        (b"\xef\xbb\xbf", "alumni.csv", 422, "import_file_empty"),
        ("名字,电话\r\n张伟,138\r\n".encode("gb18030"), "名单.csv", 422, "import_no_email_column"),
        (_formula_xlsx(), "formulas.xlsx", 201, ""),
        (_wide_csv(), "wide.csv", 201, ""),
        (xlsx_bytes(learners(2)), "no-extension", 422, "import_file_type"),
    ],
)
def test_strange_input_is_an_answer_never_a_500(marketer_client, data, name, status, code):
    response = _post(marketer_client, data, name)

    if code:
        assert_error(response, status, code)
    else:
        assert response.status_code == status


def test_an_xlsx_formula_counts_as_its_computed_value(marketer_client):
    """A sheet saved by Excel or WPS keeps each formula's computed value, which is what is read. openpyxl (which wrote
    this one) keeps none: a formula without a value is an empty cell, and a row of them is a blank row."""
    body = _post(marketer_client, _formula_xlsx(), "formulas.xlsx", dry_run="false").json()

    assert (body["total"], body["created"], body["problems"]) == (1, 1, [])
    learner = User.objects.get(email="b@example.test")
    assert learner.display_name == "b"  # no name computed: the email's local part
    assert ImportedFacts.objects.get(learner=learner).total_paid_minor == 1200


def test_60000_rows_are_refused_with_the_limit(marketer_client):
    response = _post(marketer_client, csv_bytes(learners(60_000)))

    assert_error(response, 422, "import_too_many_rows")
    assert "50000" in response.json()["message"]


def test_missing_file_and_source_are_422(marketer_client, api_client):
    assert_error(marketer_client.post(URL, {"source": "Roster"}), 422, "import_file_missing")
    assert_error(marketer_client.post(URL, {"file": upload(csv_bytes(learners(1)))}), 422, "import_source_missing")


def test_the_list_costs_the_same_queries_for_3_runs_as_for_30(marketer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert marketer_client.get(f"{URL}?page_size=50").status_code == 200
        return len(captured)

    for _ in range(3):
        _post(marketer_client, csv_bytes(learners(1)))
    few = queries()
    for _ in range(27):
        _post(marketer_client, csv_bytes(learners(1)))

    assert queries() == few
