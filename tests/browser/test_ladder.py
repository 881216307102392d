"""A phone and a desktop browse the ladder in English and Chinese, switch language in the UI, and log in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.statuses import CohortStatus
from tests import factories
from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ladder():
    teacher = factories.instructor(name="李老师", email="li@example.test")
    learner = factories.learner(name="张伟", email="zw@example.test", language="zh-hans")
    track = factories.track(title="Data analysis", slug="data", description="From spreadsheets to models.")
    beginner = factories.course(
        teacher=teacher, track=track, stage=1, stage_label="Beginner", slug="data-1", title="Spreadsheet basics"
    )
    bootcamp = factories.course(
        teacher=teacher,
        track=track,
        stage=2,
        stage_label="Bootcamp",
        slug="data-2",
        title="SQL bootcamp",
        price_minor=59900,
        duration_days=21,
    )
    factories.course(teacher=teacher, track=track, stage=3, stage_label="Advanced", slug="data-3", title="Modelling")
    today = timezone.now().date()
    factories.cohort(course=beginner, name="Spring", starts_on=today + timedelta(days=9))
    running = factories.cohort(
        course=bootcamp, name="Winter", starts_on=today - timedelta(days=1), status=CohortStatus.RUNNING
    )
    factories.lesson(course=bootcamp, day=1, title="SELECT basics", body="Read **chapter 1**.", task="Count rows.")
    factories.enrollment(cohort=running, learner=learner)
    return {"teacher": teacher, "learner": learner, "bootcamp": bootcamp, "running": running}


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_browses_the_ladder_in_both_languages_and_logs_in(browser, live_server, ladder, shots):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()

    # English ladder
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Learn in stages, together")).to_be_visible()
    rungs = page.locator(".ladder .rung-title")
    assert rungs.all_inner_texts() == ["Spreadsheet basics", "SQL bootcamp", "Modelling"]
    expect(page.get_by_text("30 seats left")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, "ladder-en-phone")

    # switch to Chinese through the UI
    with page.expect_navigation():
        page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", name="分阶段，一起学")).to_be_visible()
    expect(page.get_by_text("剩余 30 个名额")).to_be_visible()
    expect(page.get_by_text("第 2 阶段 · 训练营")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, "ladder-zh-phone")

    # a course page, still in Chinese
    page.get_by_role("link", name="SQL bootcamp").click()
    expect(page.get_by_text("报名条件")).to_be_visible()
    shots(page, "course-zh-phone")

    # log in from the nav; the learner lands where they were going
    page.get_by_role("link", name="登录").click()
    page.get_by_label("邮箱").fill("zw@example.test")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("link", name="张伟")).to_be_visible()  # the avatar, named for screen readers

    # my cohorts → the running cohort with today's lesson
    page.get_by_role("link", name="我的学习").click()
    page.get_by_role("link", name="SQL bootcamp — Winter").click()
    expect(page.get_by_role("heading", name="SELECT basics")).to_be_visible()
    expect(page.locator(".lesson strong", has_text="chapter 1")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, "cohort-zh-phone")

    # back to English through the UI: the profile remembers it
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Lessons so far")).to_be_visible()
    ladder["learner"].refresh_from_db()
    assert ladder["learner"].language == "en"
    context.close()


def test_desktop_instructor_sees_the_live_markdown_preview(browser, live_server, ladder, shots):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/?next=/teach/")
    page.get_by_label("Email").fill("li@example.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/teach/")
    shots(page, "teach-en-desktop")

    # the staircase: each stage sits higher than the one before
    page.goto(live_server.url + "/")
    tops = page.locator(".ladder .rung").evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")
    assert tops == sorted(tops, reverse=True) and tops[0] > tops[-1]
    shots(page, "ladder-en-desktop")

    # lesson editor: typing markdown shows the sanitized preview from the API (session + CSRF header)
    bootcamp = ladder["bootcamp"]
    page.goto(f"{live_server.url}/teach/courses/{bootcamp.pk}/lessons/new/?day=2")
    page.get_by_label("Title").fill("JOINs")
    page.locator("#id_body").fill("## Joins\n\nUse **INNER JOIN**. <script>alert(1)</script>")
    preview = page.locator("#body-preview")
    preview.locator("strong", has_text="INNER JOIN").wait_for()
    expect(preview.locator("h2", has_text="Joins")).to_be_visible()
    assert preview.locator("script").count() == 0
    shots(page, "lesson-editor-en-desktop")
    page.get_by_role("button", name="Save lesson").click()
    page.wait_for_url(f"{live_server.url}/teach/courses/{bootcamp.pk}/lessons/")
    expect(page.get_by_role("link", name="JOINs")).to_be_visible()
    context.close()
