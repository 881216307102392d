"""A marketer manages coupons on a phone (390×844), in English and Chinese: from the workspace's Coupons tab to a new
fixed-amount coupon (the percentage field hides itself), to its page with a learner's redemption, without scrolling
sideways and without breaking the Content-Security-Policy. Screenshots go to $SHOTS_DIR."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Coupon
from billing.services.checkout import checkout_start
from billing.services.coupons import coupon_create
from tests import factories
from tests.billing import factories as bf
from tests.browser.chromium import PHONE
from tests.browser.test_checkin_phone import _login, _no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop():
    marketer = factories.marketer(name="Mia Marketer", timezone="Asia/Shanghai")
    track = factories.track(title="Data analysis")
    beginner = bf.paid_course(track=track, stage=1, title="Spreadsheet basics", price_minor=19900)
    bootcamp = bf.paid_course(track=track, stage=2, title="SQL bootcamp", price_minor=59900)
    now = timezone.now()
    coupon_create(actor=marketer, code="SPRING-25", kind="percent", value=25, max_redemptions=100)
    coupon_create(
        actor=marketer,
        code="LAUNCH",
        kind="percent",
        value=10,
        valid_from=now + timedelta(days=3),
        expires_at=now + timedelta(days=10),
    )
    coupon_create(
        actor=marketer, code="PARTNER-WECHAT-GROUP-2026", kind="fixed", value=5000, currency="CNY", max_redemptions=1
    )
    checkout_start(
        learner=factories.learner(name="José García"),
        cohort_id=bf.cohort(course=beginner).pk,
        coupon_code="PARTNER-WECHAT-GROUP-2026",
    )
    return {"marketer": marketer, "beginner": beginner, "bootcamp": bootcamp}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_marketer_makes_a_coupon_on_a_phone_and_sees_it_used(browser, live_server, shop, shots, language):
    lang = "zh" if language == "zh-hans" else "en"
    marketer = shop["marketer"]
    marketer.language = language
    marketer.save(update_fields=["language"])
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    _login(context, live_server, marketer)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))

    # the workspace's Coupons tab leads to the list
    page.goto(f"{live_server.url}/marketing/")
    page.get_by_test_id("marketing-nav-coupons").click()
    page.wait_for_url(f"{live_server.url}/marketing/coupons/")
    table = page.get_by_test_id("coupon-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tr[data-coupon='PARTNER-WECHAT-GROUP-2026'] [data-status]")).to_have_attribute(
        "data-status", "used_up"
    )
    expect(table.locator("tr[data-coupon='LAUNCH'] [data-status]")).to_have_attribute("data-status", "scheduled")
    assert _no_horizontal_scroll(page)
    shots(page, f"coupons-list-{lang}-phone")

    # a new coupon: a fixed amount off one course, until a time on the marketer's wall clock
    page.get_by_test_id("new-coupon").click()
    page.wait_for_url(f"{live_server.url}/marketing/coupons/new/")
    percent = page.locator("#id_percent")
    expect(percent).to_be_visible()
    page.locator("#id_kind_1").check()  # fixed amount
    expect(percent).to_be_hidden()
    page.fill("#id_code", "vip-50")
    page.fill("#id_amount", "50")
    page.select_option("#id_currency", "CNY")
    expires = (timezone.localtime(timezone.now(), timezone.get_fixed_timezone(8 * 60)) + timedelta(days=30)).strftime(
        "%Y-%m-%dT09:00"
    )
    page.fill("#id_expires_at", expires)
    page.fill("#id_max_redemptions", "20")
    page.get_by_label("SQL bootcamp", exact=False).check()
    assert _no_horizontal_scroll(page)
    shots(page, f"coupon-new-{lang}-phone")
    with page.expect_navigation():
        page.get_by_test_id("coupon-create").click()
    coupon = Coupon.objects.get(code="VIP-50")
    expect(page.get_by_test_id("coupon-code")).to_have_text("VIP-50")
    expect(page.get_by_test_id("redemptions-empty")).to_be_visible()
    assert (
        timezone.localtime(coupon.expires_at, timezone.get_fixed_timezone(8 * 60)).strftime("%Y-%m-%dT%H:%M") == expires
    )

    # a learner uses it at checkout; the page shows the redemption
    learner = factories.learner(name="张伟", email="zhang.wei@example.test")
    checkout_start(learner=learner, cohort_id=bf.cohort(course=shop["bootcamp"]).pk, coupon_code="vip-50")
    page.reload()
    rows = page.get_by_test_id("redemption-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张伟")
    expect(rows.first).to_contain_text("zhang.wei@example.test")
    expect(page.get_by_test_id("coupon-uses")).to_contain_text("1")
    expect(page.get_by_test_id("coupon-csv")).to_be_visible()
    assert _no_horizontal_scroll(page)
    shots(page, f"coupon-{lang}-phone")

    # lower the limit below its use: refused with the reason, next to the field
    page.fill("#id_edit-max_redemptions", "0")
    with page.expect_navigation():
        page.get_by_test_id("coupon-edit").locator("button[type=submit]").click()
    expect(page.locator("#change .error")).to_be_visible()
    assert violations == []  # no inline script or style: the kind toggle is static/js/coupons.js
    context.close()
