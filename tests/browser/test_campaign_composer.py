"""A marketer composes a campaign on a phone and previews it for a real recipient in Chinese (issue 11), in the
English and the Chinese interface. Screenshots: SHOTS_DIR=/tmp/shots-campaigns."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.alumni import campaign_factories as cf
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY_ZH = "{{ name }}，你好！\n\n你已经完成了第一阶段。下一步：**{{ next_course }}**。\n\n你的专属优惠码 **{{ offer_code }}**，有效期至 {{ deadline }}。\n\n[查看课程]({{ next_course_url }})"
BODY_EN = "Hi {{ name }},\n\nYou finished stage 1. Next: **{{ next_course }}**.\n\nYour code **{{ offer_code }}** works until {{ deadline }}.\n\n[See the course]({{ next_course_url }})"


@pytest.fixture
def alumni():
    basics = factories.course(title="Spreadsheet basics", stage=1)
    bootcamp = factories.course(track=basics.track, stage=2, title="SQL bootcamp")
    factories.cohort(course=bootcamp, name="Spring", starts_on=factories.local_today() + timedelta(days=20))
    ended = factories.cohort(
        course=basics, status=CohortStatus.ENDED, starts_on=factories.local_today() - timedelta(days=30)
    )
    people = cf.consenting(3)
    people[0].display_name, people[0].timezone = "张伟", "Asia/Shanghai"
    people[0].save(update_fields=["display_name", "timezone"])
    for person in people:
        factories.enrollment(cohort=ended, learner=person, status=EnrollmentStatus.COMPLETED)
    cf.segment(members=people, name="Stage 1 graduates")
    return people


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_marketer_composes_and_previews_in_chinese(browser, live_server, alumni, shots, language, celery_eager):
    lang = "zh" if language == "zh-hans" else "en"
    marketer = factories.marketer(name="Mia", language=language, timezone="Asia/Shanghai")
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, marketer)
    page = context.new_page()

    # from the workspace's tabs to an empty list, then the composer
    page.goto(f"{live_server.url}/marketing/")
    with page.expect_navigation():
        page.get_by_test_id("tab-campaigns").click()
    expect(page.get_by_test_id("campaigns-empty")).to_be_visible()
    shots(page, f"campaigns-empty-{lang}-phone")
    with page.expect_navigation():
        page.get_by_test_id("campaign-new").click()
    expect(page.get_by_test_id("composer-fields")).to_contain_text("{{ offer_code }}")

    page.locator("#id_name").fill("Stage 2 invitation")
    page.locator("#id_segment_id").select_option(label="Stage 1 graduates (3)")
    page.locator("#id_topic").select_option("upgrade_offers")
    expect(page.locator("#id_trigger")).to_be_hidden()  # one-off: no trigger to choose
    page.locator("#id_offer_kind").select_option("percent")
    page.locator("#id_offer_value").fill("20")
    page.locator("#id_subject_en").fill("{{ name }}, stage 2 is waiting")
    page.locator("#id_body_en").fill(BODY_EN)
    page.locator("#id_subject_zh").fill("{{ name }}，第二阶段在等你")
    page.locator("#id_body_zh").fill(BODY_ZH)
    assert _no_horizontal_scroll(page)
    shots(page, f"campaign-composer-{lang}-phone")

    with page.expect_navigation():
        page.get_by_test_id("campaign-save-preview").click()
    page.wait_for_url("**/preview/")

    # a chosen recipient, 张伟, in Chinese
    with page.expect_navigation():
        page.get_by_test_id("preview-recipient").select_option(label="张伟 · Asia/Shanghai")
    page.get_by_test_id("preview-tab-zh").click()
    expect(page.get_by_test_id("preview-subject-zh")).to_have_text("张伟，第二阶段在等你")
    expect(page.get_by_test_id("preview-body-zh")).to_contain_text("SQL bootcamp — Spring")
    expect(page.get_by_test_id("preview-body-zh")).to_contain_text("年")  # the deadline, in Chinese
    expect(page.get_by_test_id("preview-en")).to_be_hidden()
    assert _no_horizontal_scroll(page)
    shots(page, f"campaign-preview-zh-{lang}-phone")

    page.get_by_test_id("preview-tab-en").click()
    expect(page.get_by_test_id("preview-subject-en")).to_have_text("张伟, stage 2 is waiting")
    expect(page.get_by_test_id("preview-zh")).to_be_hidden()
    shots(page, f"campaign-preview-en-{lang}-phone")

    # the campaign page: counts, and send now behind a confirmation
    page.goto(f"{live_server.url}/marketing/campaigns/")
    with page.expect_navigation():
        page.get_by_role("link", name="Stage 2 invitation").click()
    expect(page.get_by_test_id("delivery-counts")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("action-send-now").click()
    expect(page.get_by_test_id("campaign-status")).to_have_text("发送中" if lang == "zh" else "Sending")
    shots(page, f"campaign-page-{lang}-phone")
    context.close()
