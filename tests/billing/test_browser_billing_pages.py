"""The orders page and the staff revenue report in headless Chromium, on a phone and a desktop, in both languages,
with the demo's data: nothing wider than the screen, and a dispute handled from the page."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from billing.models import Dispute
from tests.browser.chromium import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"orders": "Orders", "revenue": "Revenue", "handle": "Mark handled", "save": "Save and close the dispute"},
    "zh-hans": {"orders": "订单", "revenue": "收入", "handle": "标记为已处理", "save": "保存并关闭争议"},
}


def _page(browser, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    phone = viewport == PHONE
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
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


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.fixture
def demo():
    call_command("demo_seed", stdout=io.StringIO())
    call_command("demo_seed_billing", stdout=io.StringIO())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_orders_and_revenue_fit_the_screen_and_are_found_from_the_navigation(
    browser, live_server, shots, demo, language, size
):
    viewport = PHONE if size == "phone" else DESKTOP
    words = WORDS[language]
    learner = User.objects.get(email="learner21@demo.stagewise.local")
    staff = User.objects.get(email="staff@demo.stagewise.local")
    User.objects.filter(pk__in=[learner.pk, staff.pk]).update(language=language)

    context, page = _page(browser, live_server, learner, viewport)
    page.goto(f"{live_server.url}/cohorts/mine/")
    page.locator("nav.nav").get_by_role("link", name=words["orders"], exact=True).click()
    page.wait_for_url("**/orders/")
    assert page.locator("[data-order]").count() >= 2
    _fits(page, viewport)
    shots(page, f"orders-{language}-{size}")
    page.locator("[data-order] a.title").first.click()
    page.wait_for_url("**/orders/*/")
    assert page.locator(".order-status").get_attribute("data-status") == "paid"
    _fits(page, viewport)
    shots(page, f"order-{language}-{size}")
    context.close()

    context, page = _page(browser, live_server, staff, viewport)
    page.goto(f"{live_server.url}/")
    page.locator("nav.nav").get_by_role("link", name=words["revenue"], exact=True).click()
    page.wait_for_url("**/billing/revenue/")
    assert page.locator("[data-currency=CNY] [data-figure=captured]").inner_text().strip() not in (
        "",
        "CN¥0.00",
        "¥0.00",
    )
    assert page.locator("tr[data-cohort]").count() >= 2
    _fits(page, viewport)
    shots(page, f"revenue-{language}-{size}")

    # the open dispute, handled from the page
    dispute = Dispute.objects.get(status="open")
    row = page.locator(f'li[data-dispute="{dispute.pk}"]')
    row.get_by_text(words["handle"]).click()
    row.locator("textarea").fill("Evidence sent · 证据已提交")
    _fits(page, viewport)
    shots(page, f"revenue-dispute-{language}-{size}")
    row.get_by_role("button", name=words["save"]).click()
    page.wait_for_url("**/billing/revenue/**")
    assert (
        page.locator(f'.handled li[data-dispute="{dispute.pk}"]').inner_text().count("Evidence sent · 证据已提交") == 1
    )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.handled_by_id) == ("closed", staff.pk)
    _fits(page, viewport)
    context.close()
