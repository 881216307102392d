"""The funnel page and a campaign's report in Chromium, on a phone (390×844) and a desktop (1280×800), in English and
Chinese: a marketer reaches both from the workspace's tabs, the charts fit the screen without scrolling sideways.

The rows are made directly, as cohorts that ended and a campaign that sent leave them (their figures are tested in
test_funnel.py and test_attribution_report.py); screenshots go to $SHOTS_DIR.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alumni.models import Conversion, DeliveryStatus
from billing.models import Order
from billing.statuses import OrderStatus
from cohorts.models import CheckIn, Enrollment
from cohorts.statuses import CheckInStatus, CohortStatus, EnrollmentStatus
from cohorts.survey.models import SurveyResponse
from tests import factories
from tests.alumni import attribution_world as world
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
NAMES = ["张伟", "José García", "王小明", "Amélie", "Li Na", "Omar", "Kai", "陈静", "Ana", "Zoë"]


def _cohort_of(course, *, name, ended_days_ago, size, learners, stays):
    start = factories.local_today() - timedelta(days=ended_days_ago + course.duration_days)
    cohort = factories.cohort(
        course=course, name=name, starts_on=start, status=CohortStatus.ENDED, outcomes_evaluated_at=timezone.now()
    )
    checkins = []
    for i, learner in enumerate(learners[:size]):
        last = stays(i)
        status = EnrollmentStatus.COMPLETED if last >= course.duration_days - 2 else EnrollmentStatus.NOT_COMPLETED
        enrollment = Enrollment.objects.create(cohort=cohort, learner=learner, status=status)
        checkins += [
            CheckIn(
                enrollment=enrollment,
                day=day,
                local_date=start + timedelta(days=day - 1),
                text="Wrote about the harbour at dawn, four hundred words.",
                status=CheckInStatus.COUNTED,
                created_at=timezone.now(),
            )
            for day in range(1, last + 1)
        ]
        if i % 3 == 0:
            SurveyResponse.objects.create(enrollment=enrollment, score=(6, 8, 9, 10)[i % 4], created_at=timezone.now())
    CheckIn.objects.bulk_create(checkins)
    return cohort


@pytest.fixture
def workspace():
    track = factories.track(title="Writing 写作")
    stage1 = factories.course(track=track, stage=1, duration_days=14, title="Beginner writing 写作入门")
    stage2 = factories.course(track=track, stage=2, stage_label="Bootcamp", duration_days=14, title="Bootcamp 训练营")
    learners = [factories.learner(name=f"{NAMES[i % len(NAMES)]} {i}") for i in range(36)]
    _cohort_of(stage1, name="Spring 春季", ended_days_ago=120, size=24, learners=learners, stays=lambda i: 14 - i // 2)
    _cohort_of(
        stage1, name="Summer 夏季", ended_days_ago=60, size=20, learners=learners[12:], stays=lambda i: 14 - i // 3
    )
    _cohort_of(stage2, name="Autumn 秋季", ended_days_ago=10, size=10, learners=learners, stays=lambda i: 14 - i)
    # A campaign that mailed 120 learners and held 40 out; 30 and 4 paid within the week after.
    campaign = world.campaign(name="Bootcamp winter offer 训练营冬季优惠", attribution_days=7)
    due = timezone.now() - timedelta(days=10)
    paying_cohort = factories.cohort(course=stage2, name="Winter 冬季", status=CohortStatus.OPEN)
    for i in range(160):
        learner = factories.learner(name=f"{NAMES[i % len(NAMES)]} #{i}")
        held_out = i >= 120
        delivery = world.delivery(
            campaign=campaign,
            learner=learner,
            status=DeliveryStatus.HELD_OUT if held_out else DeliveryStatus.SENT,
            due_at=due,
            clicked_at=None if held_out or i % 3 else due + timedelta(hours=3),
            mailed=not held_out and i % 20 != 0,
        )
        if (not held_out and i % 4 == 0) or (held_out and i % 10 == 0):
            enrollment = factories.enrollment(cohort=paying_cohort, learner=learner)
            order = Order.objects.create(
                learner=learner,
                enrollment=enrollment,
                cohort=paying_cohort,
                currency="CNY",
                total_minor=29900,
                status=OrderStatus.PAID,
                paid_at=due + timedelta(days=2),
            )
            if not held_out:
                Conversion.objects.create(
                    campaign=campaign,
                    delivery=delivery,
                    learner=learner,
                    order=order,
                    via="click",
                    amount_minor=29900,
                    currency="CNY",
                )
    return {"track": track, "campaign": campaign}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_funnel_and_a_report_on_a_phone_and_a_desktop(browser, live_server, workspace, shots, language):
    lang = "zh" if language == "zh-hans" else "en"
    marketer = factories.marketer(name="Mia", language=language)

    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, marketer)
    page = context.new_page()
    page.goto(f"{live_server.url}/marketing/")
    expect(page.get_by_test_id("dashboard-funnel").get_by_test_id("funnel-steps")).to_be_visible()
    shots(page, f"funnel-{lang}-phone-dashboard")
    with page.expect_navigation():
        page.get_by_test_id("tab-funnel").click()
    page.wait_for_url("**/marketing/funnel/")
    expect(page.get_by_test_id("retention-chart")).to_be_visible()
    expect(page.get_by_test_id("nps-by-stage")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"funnel-{lang}-phone")

    # one cohort, through the filter
    page.select_option("#funnel-track", str(workspace["track"].pk))
    with page.expect_navigation():
        page.get_by_test_id("funnel-filters").locator("button").click()
    page.select_option("#funnel-cohort", label="Beginner writing 写作入门 — Summer 夏季")
    with page.expect_navigation():
        page.get_by_test_id("funnel-filters").locator("button").click()
    expect(page.get_by_test_id("funnel-scope")).to_contain_text("Summer 夏季")
    expect(page.locator("[data-series^='cohort-']")).to_have_count(1)
    assert _no_horizontal_scroll(page)
    shots(page, f"funnel-{lang}-phone-cohort")

    # the campaign's report, from the results tab
    with page.expect_navigation():
        page.get_by_test_id("tab-results").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Bootcamp winter offer 训练营冬季优惠").click()
    page.wait_for_url(f"**/marketing/campaigns/{workspace['campaign'].pk}/report/")
    expect(page.get_by_test_id("uplift-chart")).to_be_visible()
    expect(page.get_by_test_id("rates-chart")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"report-{lang}-phone")
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    _login(context, live_server, marketer)
    page = context.new_page()
    page.goto(f"{live_server.url}/marketing/funnel/")
    expect(page.get_by_test_id("funnel-cohorts")).to_be_visible()
    shots(page, f"funnel-{lang}-desktop")
    page.goto(f"{live_server.url}/marketing/campaigns/{workspace['campaign'].pk}/report/")
    expect(page.get_by_test_id("uplift")).to_be_visible()
    shots(page, f"report-{lang}-desktop")
    context.close()


def test_empty_pages_on_a_phone(browser, live_server, shots):
    marketer = factories.marketer(name="Mia")
    campaign = world.campaign(name="Not sent yet")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, marketer)
    page = context.new_page()
    page.goto(f"{live_server.url}/marketing/funnel/")
    expect(page.get_by_test_id("funnel-empty")).to_be_visible()
    shots(page, "funnel-en-phone-empty")
    page.goto(f"{live_server.url}/marketing/campaigns/{campaign.pk}/report/")
    expect(page.get_by_test_id("report-empty")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, "report-en-phone-empty")
    context.close()
