"""No dead ends, on a phone, in English and in Chinese (issue 12, items 1 and 2).

A newcomer who lands on stage 2 learns that stage 1 comes first, asks to be told when it opens, and gets there;
an application reaches the instructor through the navigation, is approved, and the learner is told to pay by when.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from cohorts.services import cohort_open
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.browser.chromium import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "enroll": "Enroll",
        "obstacle": "Stage 2 builds on stage 1",
        "notify": "Notify me when a cohort opens",
        "waiting": "We'll mail you once when a cohort of Spreadsheet basics opens.",
        "stop": "Stop waiting for a cohort",
        "start_with": "Start with stage 1",
        "next": "See the next cohort",
        "teach": "Teach",
        "review": "Review applications",
        "approve": "Approve",
        "my_cohorts": "My cohorts",
        "pay_now": "Pay now",
        "pay_by": "pay by",
        "approved": "You're approved. Pay by",
        "send": "Send my application",
        "questions": "Application questions",
        "save": "Save questions",
        "question": "Question",
    },
    "zh-hans": {
        "enroll": "报名",
        "obstacle": "第 2 阶段以第 1 阶段为基础",
        "notify": "开放报名时通知我",
        "waiting": "「Spreadsheet basics」开放报名时，我们会给你发一封邮件。",
        "stop": "取消开课通知",
        "start_with": "从第 1 阶段开始",
        "next": "查看下一期",
        "teach": "授课",
        "review": "审核申请",
        "approve": "通过",
        "my_cohorts": "我的学习",
        "pay_now": "立即付款",
        "pay_by": "前付款",
        "approved": "你的申请已通过。请在",
        "send": "提交申请",
        "questions": "申请问题",
        "save": "保存问题",
        "question": "问题",
    },
}


def _phone(browser, live_server, user):
    """A phone (390x844) signed in as ``user`` (a session made by Django's test client, handed to Chromium)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_newcomer_on_stage_2_finds_the_way_to_stage_1(browser, live_server, shots, lang):
    words = WORDS[lang]
    teacher = factories.instructor(name="Teacher Li")
    track = factories.track(title="Data")
    beginner = factories.course(
        teacher=teacher, track=track, stage=1, slug="data-1", title="Spreadsheet basics", prerequisite="none"
    )
    bootcamp = factories.course(
        teacher=teacher, track=track, stage=2, slug="data-2", title="SQL bootcamp", price_minor=129900
    )
    today = factories.local_today()
    autumn = factories.cohort(
        course=beginner, name="Autumn", starts_on=today - timedelta(days=30), status=CohortStatus.ENDED
    )
    open_bootcamp = factories.cohort(course=bootcamp, name="Bootcamp #4", starts_on=today + timedelta(days=12))
    learner = factories.learner(name="Lin", language=lang)
    context, page = _phone(browser, live_server, learner)

    # the stage 2 course page → its enroll page: the obstacle, the price, and no stage 1 cohort to join yet
    page.goto(f"{live_server.url}/courses/data-2/")
    page.locator(".cohort-rows").get_by_role("link", name=words["enroll"]).click()
    page.wait_for_url(f"**/cohorts/{open_bootcamp.pk}/enroll/")
    expect(page.get_by_role("heading", name=words["obstacle"])).to_be_visible()
    assert "¥1,299.00" in page.get_by_test_id("price").inner_text()
    page.get_by_role("button", name=words["notify"]).click()
    page.wait_for_url(f"**/cohorts/{open_bootcamp.pk}/enroll/")
    expect(page.get_by_text(words["waiting"])).to_be_visible()
    expect(page.get_by_role("button", name=words["stop"])).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"journey-obstacle-{lang}-phone")

    # the ended stage 1 cohort's page shows the same request waiting
    page.goto(f"{live_server.url}/cohorts/{autumn.pk}/")
    assert page.get_by_test_id("opening-alert").get_attribute("data-waiting") == "yes"

    # the instructor opens stage 1's next cohort: the enroll page now points at it, and so does the ended cohort
    spring = factories.cohort(
        course=beginner, name="Spring", status=CohortStatus.DRAFT, starts_on=today + timedelta(days=5)
    )
    cohort_open(actor=teacher, cohort_id=spring.pk)
    page.goto(f"{live_server.url}/cohorts/{open_bootcamp.pk}/enroll/")
    assert "Spring" in page.get_by_test_id("obstacle").inner_text()
    shots(page, f"journey-obstacle-next-{lang}-phone")
    page.get_by_role("link", name=words["start_with"]).click()
    page.wait_for_url(f"**/cohorts/{spring.pk}/")
    expect(page.locator(".enroll-box").get_by_role("link", name=words["enroll"])).to_be_visible()
    page.goto(f"{live_server.url}/cohorts/{autumn.pk}/")
    shots(page, f"journey-ended-cohort-{lang}-phone")
    page.get_by_test_id("next-cohort").get_by_role("link", name=words["next"]).click()
    page.wait_for_url(f"**/cohorts/{spring.pk}/")
    assert _no_horizontal_scroll(page)
    shots(page, f"journey-next-cohort-{lang}-phone")
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_an_application_reaches_the_instructor_and_the_learner_is_told_to_pay(browser, live_server, shots, lang):
    words = WORDS[lang]
    teacher = factories.instructor(name="Teacher Li", language=lang)
    course = factories.course(
        teacher=teacher, slug="sql", title="SQL bootcamp", prerequisite="approval", price_minor=129900
    )
    cohort = factories.cohort(course=course, name="Bootcamp #4")
    learner = factories.learner(name="José", language=lang)

    # the instructor writes the questionnaire on its page
    teach_context, teach = _phone(browser, live_server, teacher)
    teach.goto(f"{live_server.url}/teach/courses/{course.pk}/cohorts/")
    teach.get_by_role("link", name=words["questions"]).click()
    teach.locator("#prompt_0").fill("Why this course?")
    teach.get_by_role("button", name=words["save"]).click()
    teach.wait_for_url(f"**/teach/courses/{course.pk}/questions/")
    assert teach.locator("#prompt_0").input_value() == "Why this course?"
    assert _no_horizontal_scroll(teach)
    shots(teach, f"journey-questions-{lang}-phone")

    # the learner applies, seeing the price
    learn_context, learn = _phone(browser, live_server, learner)
    learn.goto(f"{live_server.url}/cohorts/{cohort.pk}/enroll/")
    assert "¥1,299.00" in learn.get_by_test_id("price").inner_text()
    learn.get_by_label("Why this course?").fill("I write SQL at work every day.")
    shots(learn, f"journey-apply-{lang}-phone")
    learn.get_by_role("button", name=words["send"]).click()
    learn.wait_for_url(f"**/cohorts/{cohort.pk}/enroll/")

    # the cohort's dashboard says it waits (not "no members"), the navigation counts it and leads to the queue
    teach.goto(f"{live_server.url}/teach/cohorts/{cohort.pk}/")
    expect(teach.get_by_test_id("admissions").get_by_role("link", name=words["review"])).to_be_visible()
    assert _no_horizontal_scroll(teach)
    shots(teach, f"journey-dashboard-{lang}-phone")
    teach.goto(f"{live_server.url}/")
    assert teach.get_by_test_id("nav-teach").locator(".count").inner_text() == "1"
    teach.get_by_test_id("nav-teach").click()
    shots(teach, f"journey-teach-{lang}-phone")
    teach.get_by_role("link", name=words["review"]).click()
    teach.wait_for_url(f"**/cohorts/{cohort.pk}/applications/")
    assert teach.get_by_test_id("applications-tab").locator(".count").inner_text() == "1"
    expect(teach.get_by_text("I write SQL at work every day.")).to_be_visible()
    assert _no_horizontal_scroll(teach)
    shots(teach, f"journey-queue-{lang}-phone")
    teach.get_by_role("button", name=words["approve"]).click()
    teach.wait_for_url(f"**/cohorts/{cohort.pk}/applications/")
    assert teach.get_by_test_id("applications-tab").locator(".count").count() == 0

    # the learner's cohorts page says pay now, and by when
    learn.goto(f"{live_server.url}/")
    learn.get_by_role("link", name=words["my_cohorts"]).click()
    expect(learn.get_by_test_id("pay-by")).to_contain_text(words["pay_by"])
    assert _no_horizontal_scroll(learn)
    shots(learn, f"journey-pay-now-{lang}-phone")
    learn.get_by_test_id("pay-now").click()
    learn.wait_for_url(f"**/cohorts/{cohort.pk}/enroll/")
    assert words["approved"] in learn.get_by_test_id("pay-by").inner_text()
    assert cohort.enrollments.get(learner=learner).status == EnrollmentStatus.APPROVED
    shots(learn, f"journey-approved-enroll-{lang}-phone")
    teach_context.close()
    learn_context.close()
