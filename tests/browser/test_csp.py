"""Under the Content-Security-Policy (stagewise.security) every page still works: Chromium reports no violation on
the catalog, the sign-in page, the teaching pages, the API docs and the admin."""

import pytest

from tests import factories
from tests.browser.chromium import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_break_no_rule_of_the_policy(browser, live_server):
    # given a ladder with a course taught by an instructor, and a staff member
    teacher = factories.instructor(name="Li", email="li@example.test")
    factories.staff(email="ops@example.test")
    track = factories.track(title="Data analysis", slug="data", owner=teacher)
    course = factories.course(teacher=teacher, track=track, stage=1, slug="data-1", title="Spreadsheets")
    factories.course(teacher=teacher, track=track, stage=2, slug="data-2", title="SQL")
    factories.lesson(course=course, day=1, title="Day one")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    # when someone browses the catalog and signs in, and an instructor writes a lesson with the live preview
    page.goto(live_server.url + "/")
    assert page.locator(".rung").first.evaluate("e => getComputedStyle(e).getPropertyValue('--rise')").strip() == "1"
    page.goto(live_server.url + "/accounts/login/?next=/teach/")
    page.get_by_label("Email").fill("li@example.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/teach/")
    page.goto(f"{live_server.url}/teach/courses/{course.pk}/lessons/")
    page.goto(f"{live_server.url}/teach/courses/{course.pk}/lessons/new/?day=2")
    page.locator("#id_body").fill("Use **pandas**.")
    page.locator("#body-preview strong", has_text="pandas").wait_for()

    # and reads the API docs (Swagger UI, its own scripts) and opens the admin
    page.goto(live_server.url + "/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Email").fill("ops@example.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#site-name").wait_for()

    # then nothing was blocked
    assert violations == []
    context.close()
