"""A lesson with a long code line on a phone (390x844), in English and Chinese: the Today page, the Lessons page and
the lesson editor's preview stay as wide as the screen; the code scrolls inside its own block."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cohorts.statuses import CohortStatus
from tests import factories
from tests.browser.chromium import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_LINE = "df = pd.read_csv('orders.csv').groupby(['customer_id', 'month']).agg(total=('amount', 'sum'), n=('id', 'count')).reset_index()"  # noqa: E501
BODY = f"Read this first:\n\n```python\n{LONG_LINE}\n```\n\nThen try it on your own data."


@pytest.fixture
def long_code_cohort():
    teacher = factories.instructor(name="李老师")
    learner = factories.learner(name="张伟")
    course = factories.course(teacher=teacher, title="Pandas bootcamp", duration_days=7)
    # Every day has the lesson, so "today" finds it whatever the hour in the cohort's zone.
    lessons = [
        factories.lesson(course=course, day=day, title=f"Group by, day {day}", body=BODY, task=f"`{LONG_LINE}`")
        for day in range(1, 8)
    ]
    cohort = factories.cohort(
        course=course, name="Winter", starts_on=factories.local_today() - timedelta(days=2), status=CohortStatus.RUNNING
    )
    factories.enrollment(cohort=cohort, learner=learner)
    return {"teacher": teacher, "learner": learner, "cohort": cohort, "lesson": lessons[0]}


def _phone_page(browser, live_server, user):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return context, context.new_page()


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _code_scrolls_inside(page) -> bool:
    return page.evaluate(
        "[...document.querySelectorAll('.prose pre')].filter(p => p.offsetParent !== null)"
        ".every(p => p.scrollWidth > p.clientWidth && p.getBoundingClientRect().right <= window.innerWidth)"
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_long_code_line_scrolls_inside_its_block_on_a_phone(browser, live_server, long_code_cohort, shots, language):
    cohort, lesson = long_code_cohort["cohort"], long_code_cohort["lesson"]
    lang = "zh" if language == "zh-hans" else "en"
    for user in (long_code_cohort["learner"], long_code_cohort["teacher"]):
        user.language = language
        user.save(update_fields=["language"])

    # the learner's Today page, with the lesson opened
    context, page = _phone_page(browser, live_server, long_code_cohort["learner"])
    assert page.goto(f"{live_server.url}/cohorts/{cohort.pk}/today/").status == 200
    page.locator("details.lesson-body > summary").click()
    expect(page.locator(".lesson-body pre")).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    assert _code_scrolls_inside(page)
    shots(page, f"long-code-today-{lang}-phone")

    # the Lessons page
    assert page.goto(f"{live_server.url}/cohorts/{cohort.pk}/").status == 200
    expect(page.locator(".lesson pre").first).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    assert _code_scrolls_inside(page)
    assert page.locator("details.lesson[open]").count() == 1  # today's; the others are folded
    shots(page, f"long-code-lessons-{lang}-phone")

    # "My cohorts" leads to today's check-in
    assert page.goto(f"{live_server.url}/cohorts/mine/").status == 200
    expect(page.get_by_test_id("checkin-due")).to_be_visible()
    assert _page_width(page) <= PHONE["width"]
    shots(page, f"mine-{lang}-phone")
    context.close()

    # the instructor's editor, once the preview has rendered
    context, page = _phone_page(browser, live_server, long_code_cohort["teacher"])
    assert page.goto(f"{live_server.url}/teach/lessons/{lesson.pk}/").status == 200
    page.locator("#body-preview pre").wait_for()
    assert _page_width(page) <= PHONE["width"]
    assert _code_scrolls_inside(page)
    shots(page, f"long-code-editor-{lang}-phone")
    context.close()
