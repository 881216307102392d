"""The Import tab: reachable from the marketer's navigation, a dry-run report by line, the import, the history."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from alumni.imports.models import ImportRun, ImportStatus
from tests import factories
from tests.alumni.imports_helpers import csv_bytes, learners, upload

pytestmark = pytest.mark.django_db


def _client(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_import_tab_is_in_the_workspace_with_an_empty_history_and_the_columns_explained():
    client = _client(factories.marketer())

    dashboard = client.get("/marketing/").content.decode()
    page = client.get("/marketing/imports/").content.decode()

    assert 'href="/marketing/imports/"' in dashboard
    assert "No imports yet" in page
    assert "marketing consent" in page and "营销同意" in page
    assert 'href="/marketing/imports/template.csv"' in page


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_cant_open_it(make):
    client = _client(make())
    assert client.get("/marketing/imports/").status_code == 403
    assert client.post("/marketing/imports/", {"source": "x"}).status_code == 403


def test_a_dry_run_shows_the_bad_rows_by_line_then_imports_with_one_click():
    client = _client(factories.marketer())
    data = csv_bytes([*learners(2), ["not-an-email", "Bad", "", "", "", "", "", "", ""]])

    checked = client.post("/marketing/imports/", {"file": upload(data), "source": "Group roster"})

    run = ImportRun.objects.get()
    assert checked.status_code == 302 and checked["Location"] == f"/marketing/imports/{run.pk}/"
    report = client.get(checked["Location"]).content.decode()
    assert "Dry run: nothing written yet" in report
    assert "Not an email address." in report and "not-an-email" in report
    assert "Import 2 learners" in report
    assert not User.objects.filter(email__startswith="learner").exists()

    started = client.post(f"/marketing/imports/{run.pk}/start/")

    assert started.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert User.objects.filter(email__startswith="learner").count() == 2
    history = client.get("/marketing/imports/").content.decode()
    assert "Group roster" in history and "Created 2, updated 0, skipped 1" in history


def test_the_same_file_again_says_nothing_changed():
    marketer = factories.marketer()
    client = _client(marketer)
    for _ in range(2):
        client.post("/marketing/imports/", {"file": upload(csv_bytes(learners(2))), "source": "Roster"})
        run = ImportRun.objects.first()
        assert run is not None
        client.post(f"/marketing/imports/{run.pk}/start/")

    page = client.get(f"/marketing/imports/{run.pk}/").content.decode()
    assert "Nothing changed: every learner in this file was already up to date." in page


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\x00\x01\x02\x03" * 500, "alumni.csv", "be read as a spreadsheet"),
        (b"name,phone\r\nAna,1\r\n", "alumni.csv", "No email column"),
        (b"", "alumni.csv", "The file is empty."),
        (b"%PDF-1.4", "alumni.pdf", "Upload a CSV (.csv) or Excel (.xlsx) file."),
    ],
)
def test_a_refused_file_is_a_clear_message_on_the_form(data, name, message):
    client = _client(factories.marketer())

    page = client.post("/marketing/imports/", {"file": upload(data, name), "source": "Roster"})

    assert page.status_code == 422
    assert message in page.content.decode()
    assert not ImportRun.objects.exists()


def test_a_queued_import_shows_its_progress_and_follows_itself(settings):
    settings.ALUMNI_IMPORT_SYNC_MAX_ROWS = 1
    client = _client(factories.marketer())
    client.post("/marketing/imports/", {"file": upload(csv_bytes(learners(3))), "source": "Roster"})
    run = ImportRun.objects.get()

    client.post(f"/marketing/imports/{run.pk}/start/")  # no worker in this test: it stays queued

    page = client.get(f"/marketing/imports/{run.pk}/").content.decode()
    assert "<progress" in page and "0 of 3 rows" in page
    assert "js/imports.js" in page and "<script>" not in page


def test_the_pages_are_in_chinese_for_a_chinese_marketer():
    client = _client(factories.marketer(language="zh-hans"))
    client.post(
        "/marketing/imports/",
        {"file": upload(csv_bytes([["坏邮箱", "张伟"]], header=["邮箱", "姓名"])), "source": "小鹅通导出"},
    )
    run = ImportRun.objects.get()

    page = client.get("/marketing/imports/").content.decode()
    report = client.get(f"/marketing/imports/{run.pk}/").content.decode()

    assert "导入学员" in page
    assert "不是电子邮件地址。" in report


def test_the_template_csv_opens_in_excel_with_the_readers_headers():
    english = _client(factories.marketer()).get("/marketing/imports/template.csv")
    chinese = _client(factories.marketer(language="zh-hans")).get("/marketing/imports/template.csv")

    assert english["Content-Type"].startswith("text/csv")
    assert english.content.startswith("\ufeffemail,name".encode())
    assert chinese.content.decode("utf-8-sig").startswith("邮箱,姓名")
    # the template itself passes a dry run
    marketer = factories.marketer()
    from alumni.imports.services import import_validate

    run = import_validate(actor=marketer, upload=upload(chinese.content, "template.csv"), source="Template")
    assert (run.created, run.problem_count) == (1, 0)
