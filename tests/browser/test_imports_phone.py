"""On a phone, in both languages: a marketer checks a spreadsheet of alumni, reads the dry-run report by line, imports
the good rows with one tap and finds the import in the history."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from tests import factories
from tests.alumni.imports_helpers import csv_bytes
from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "tab": "Import",
        "check": "Check the file (dry run)",
        "dry": "Dry run: nothing written yet",
        "bad_email": "Not an email address.",
        "import": "Import 3 learners",
        "done": "Imported: the learners are in the alumni records, with this source.",
        "line": "Line",
    },
    "zh-hans": {
        "tab": "导入",
        "check": "检查文件（试运行）",
        "dry": "试运行：尚未写入任何数据",
        "bad_email": "不是电子邮件地址。",
        "import": "导入 3 位学员",
        "done": "已导入：这些学员已进入学员档案，并记下了这个来源。",
        "line": "行",
    },
}

ROWS = [
    [
        "zhang.wei@example.test",
        "张伟",
        "zh-hans",
        "Asia/Shanghai",
        2,
        "SQL basics; SQL bootcamp",
        "2025-06-30",
        "¥1,299.00",
        "是",
    ],
    ["jose@example.test", "José García", "en", "Europe/Madrid", 1, "SQL basics", "2025-05-31", "49.50 USD", "yes"],
    ["not-an-email", "Bad Row", "", "", "", "", "", "", ""],
    ["yoshinoya@example.test", "𠮷野家 花子 🙂", "中文", "Asia/Tokyo", "", "", "31/31/2025", "", "maybe"],
    ["ana@example.test", "Ana", "fr", "Mars/Olympus", "", "", "", "-5 CNY", ""],
    ["ZHANG.WEI@example.test", "张伟 again", "", "", "", "", "", "", ""],
    ["li.na@example.test", "李娜", "zh-hans", "北京时间", 3, "数据分析", "2025年6月30日", "1299 CNY", "否"],
]


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_phone_marketer_checks_a_sheet_and_imports_the_good_rows(browser, live_server, shots, tmp_path, language):
    words = WORDS[language]
    marketer = factories.marketer(name="Mei Marketer", language=language)
    sheet = tmp_path / ("学员名单.csv" if language == "zh-hans" else "alumni.csv")
    sheet.write_bytes(csv_bytes(ROWS, encoding="gb18030" if language == "zh-hans" else "utf-8-sig"))

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    client = Client()
    client.force_login(marketer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()

    # the Import tab of the workspace, empty at first
    page.goto(f"{live_server.url}/marketing/")
    with page.expect_navigation():
        page.get_by_test_id("marketing-nav").get_by_role("link", name=words["tab"], exact=True).click()
    page.wait_for_url("**/marketing/imports/")
    expect(page.get_by_test_id("import-runs")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"imports-empty-{language}-phone")

    # a dry run
    page.locator("#import-file").set_input_files(str(sheet))
    page.locator("#import-source").fill("小鹅通导出 2025" if language == "zh-hans" else "Xiaoe-tech export 2025")
    with page.expect_navigation():
        page.get_by_role("button", name=words["check"]).click()
    expect(page.get_by_role("heading", name=words["dry"])).to_be_visible()
    expect(page.get_by_test_id("import-problem").first).to_be_visible()
    assert page.get_by_test_id("import-problem").count() == 7
    expect(page.get_by_text(words["bad_email"])).to_be_visible()
    assert _no_horizontal_scroll(page)
    assert not User.objects.filter(email="zhang.wei@example.test").exists()
    shots(page, f"imports-dry-run-{language}-phone")

    # the import
    with page.expect_navigation():
        page.get_by_role("button", name=words["import"]).click()
    expect(page.get_by_text(words["done"])).to_be_visible()
    assert User.objects.get(email="zhang.wei@example.test").display_name == "张伟"
    assert _no_horizontal_scroll(page)
    shots(page, f"imports-done-{language}-phone")

    # and the history
    with page.expect_navigation():
        page.get_by_test_id("marketing-nav").get_by_role("link", name=words["tab"], exact=True).click()
    expect(page.locator("[data-run]")).to_have_count(1)
    shots(page, f"imports-history-{language}-phone")

    # the report reads as a table on a desktop
    page.set_viewport_size(DESKTOP)
    with page.expect_navigation():
        page.locator("[data-run] a").first.click()
    expect(page.get_by_role("columnheader", name=words["line"])).to_be_visible()
    shots(page, f"imports-done-{language}-desktop")
    context.close()


def test_a_queued_import_follows_itself_until_the_worker_is_done(browser, live_server, shots, settings):
    """The run page polls the API from static/js/imports.js (no inline script: the CSP reports nothing) and shows the
    result once the worker (here: its service, called by the test while the page waits) has finished."""
    from alumni.imports import services
    from tests.alumni.imports_helpers import learners, upload

    settings.ALUMNI_IMPORT_SYNC_MAX_ROWS = 10
    marketer = factories.marketer(name="Mei Marketer")
    run = services.import_validate(actor=marketer, upload=upload(csv_bytes(learners(40))), source="Roster")
    services.import_start(actor=marketer, run_id=run.pk)  # queued: no worker in this test

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    client = Client()
    client.force_login(marketer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto(f"{live_server.url}/marketing/imports/{run.pk}/")
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_text("0 of 40 rows")).to_be_visible()
    shots(page, "imports-queued-en-phone")

    assert services.import_run_execute(run_id=run.pk) == "done"

    expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "done", timeout=15_000)
    expect(page.get_by_text(WORDS["en"]["done"])).to_be_visible()
    assert violations == []
    context.close()
