"""A marketer on a phone (390×844), in English and Chinese, builds a two-level segment — spent at least 100, and
(Chinese-speaking or stage 2 and up) — watching the live count change with each condition, saves it, and opens
"why" for one of its members."""

import pytest
from playwright.sync_api import expect

from alumni.models import Segment
from tests import factories
from tests.alumni.segment_helpers import record
from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alumni():
    record("张伟", total_paid_minor=59900, currency="CNY", language="zh-hans", highest_stage_completed=1)
    record("José García", total_paid_minor=29900, currency="CNY", language="en", highest_stage_completed=2)
    record("Amélie Poulain-Fontaine", total_paid_minor=19900, currency="CNY", language="en", highest_stage_completed=1)
    record("王小明", total_paid_minor=5000, currency="CNY", language="zh-hans", highest_stage_completed=1)
    record("Li Na", total_paid_minor=0, language="zh-hans")
    record("Omar", total_paid_minor=89900, currency="CNY", language="en", highest_stage_completed=3)


def _count(page):
    return page.get_by_test_id("segment-count")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_marketer_builds_a_two_level_segment_on_a_phone(browser, live_server, alumni, shots, celery_eager, language):
    lang = "zh" if language == "zh-hans" else "en"
    marketer = factories.marketer(name="Mia", language=language)
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, marketer)
    page = context.new_page()

    # from the marketer's workspace to an empty builder: everyone counts
    page.goto(f"{live_server.url}/marketing/")
    page.get_by_test_id("tab-segments").click()
    page.wait_for_url("**/marketing/segments/")
    expect(page.get_by_test_id("segments-empty")).to_be_visible()
    page.get_by_test_id("segment-new").first.click()
    page.wait_for_url("**/marketing/segments/new/")
    expect(_count(page)).to_have_attribute("data-value", "6")

    # level one: spent at least 100.00 (10000 in minor units)
    builder = page.get_by_test_id("segment-builder")
    builder.get_by_test_id("seg-add-condition").click()
    condition = builder.get_by_test_id("seg-condition").first
    condition.get_by_test_id("seg-field").select_option("total_paid_minor")
    condition.get_by_test_id("seg-op").select_option("gte")
    condition.locator("input[type=number]").fill("10000")
    expect(_count(page)).to_have_attribute("data-value", "4")

    # level two: a nested "any of" group — Chinese-speaking, or stage 2 and up
    builder.get_by_test_id("seg-add-group").last.click()
    nested = builder.get_by_test_id("seg-group").nth(1)
    expect(nested.get_by_test_id("seg-or")).to_have_attribute("aria-pressed", "true")
    first = nested.get_by_test_id("seg-condition").first
    first.get_by_test_id("seg-field").select_option("language")
    first.locator(".seg-cond-line select").nth(2).select_option("zh-hans")
    expect(_count(page)).to_have_attribute("data-value", "1")
    nested.get_by_test_id("seg-add-condition").click()
    second = nested.get_by_test_id("seg-condition").nth(1)
    second.get_by_test_id("seg-field").select_option("highest_stage_completed")
    second.get_by_test_id("seg-op").select_option("gte")
    second.locator("input[type=number]").fill("2")
    expect(_count(page)).to_have_attribute("data-value", "3")
    expect(page.get_by_test_id("segment-preview-row")).to_have_count(3)
    expect(page.get_by_test_id("segment-preview").get_by_text("Omar")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"segment-builder-{lang}-phone")

    # the group toggled to "all of": Chinese-speaking and stage 2 and up is nobody
    nested.get_by_test_id("seg-and").click()
    expect(_count(page)).to_have_attribute("data-value", "0")
    builder.get_by_test_id("seg-group").nth(1).get_by_test_id("seg-or").click()
    expect(_count(page)).to_have_attribute("data-value", "3")

    # saved (static: computed at once), the segment page lists its members
    page.get_by_test_id("segment-name").fill("Big spenders" if lang == "en" else "高消费校友")
    page.locator("input[name=kind][value=static]").check()
    with page.expect_navigation():
        page.get_by_test_id("segment-save").click()
    segment = Segment.objects.get()
    page.wait_for_url(f"**/marketing/segments/{segment.pk}/")
    expect(page.get_by_test_id("segment-member-count")).to_have_text("3")
    expect(page.get_by_test_id("segment-member")).to_have_count(3)
    assert _no_horizontal_scroll(page)
    shots(page, f"segment-page-{lang}-phone")

    # why is 张伟 in it?
    page.get_by_test_id("segment-member").filter(has_text="张伟").get_by_role("link").click()
    page.wait_for_url("**/why/**")
    expect(page.get_by_test_id("why-condition")).to_have_count(3)
    expect(page.locator(".seg-cond.is-matched")).to_have_count(2)
    assert _no_horizontal_scroll(page)
    shots(page, f"segment-why-{lang}-phone")
    context.close()

    # on a desktop the builder opens the saved tree, with its count beside it
    desktop = browser.new_context(viewport=DESKTOP)
    _login(desktop, live_server, marketer)
    page = desktop.new_page()
    page.goto(f"{live_server.url}/marketing/segments/{segment.pk}/edit/")
    expect(_count(page)).to_have_attribute("data-value", "3")
    expect(page.get_by_test_id("seg-condition")).to_have_count(3)
    shots(page, f"segment-builder-{lang}-desktop")
    desktop.close()


def test_every_kind_of_input_in_the_builder_counts_without_a_script_error(browser, live_server, alumni):
    """Dates (days ago), a course with its own dates (one enrollment), a list of choices, "not": each change is
    counted by the server and the page's script never fails."""
    factories.course(title="SQL bootcamp")
    marketer = factories.marketer(name="Mia")
    context = browser.new_context(viewport=DESKTOP)
    _login(context, live_server, marketer)
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{live_server.url}/marketing/segments/new/")
    builder = page.get_by_test_id("segment-builder")
    expect(_count(page)).to_have_attribute("data-value", "6")

    # last active within 30 days: everyone was active "never" → nobody
    builder.get_by_test_id("seg-add-condition").click()
    condition = builder.get_by_test_id("seg-condition").first
    condition.get_by_test_id("seg-field").select_option("last_active_at")
    condition.get_by_test_id("seg-op").select_option("gte")
    condition.locator(".seg-date select").select_option("ago")
    condition.locator(".seg-date input[type=number]").fill("30")
    expect(_count(page)).to_have_attribute("data-value", "0")
    # "not": everyone again
    condition.get_by_test_id("seg-not").check()
    expect(_count(page)).to_have_attribute("data-value", "6")

    # RFM group is one of …: checkboxes
    builder.get_by_test_id("seg-add-condition").first.click()
    second = builder.get_by_test_id("seg-condition").nth(1)
    second.get_by_test_id("seg-field").select_option("rfm_group")
    second.get_by_test_id("seg-op").select_option("in")
    expect(_count(page)).to_have_attribute("data-value", "0")

    # completed a course, on one enrollment that ended between two dates
    second.get_by_test_id("seg-field").select_option("completed_course")
    second.locator(".seg-same input[type=checkbox]").check()
    expect(second.locator(".seg-same .seg-date")).to_have_count(2)
    expect(_count(page)).to_have_attribute("data-value", "0")
    expect(page.get_by_test_id("segment-count-error")).to_be_hidden()
    assert errors == []
    context.close()
