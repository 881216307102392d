"""Signing up on a phone, in English and Chinese: the time-zone list has a search box (static/js/site.js) that
narrows it to the matching cities; without JavaScript the same grouped list works on its own."""

import pytest
from django.conf import settings

from accounts.models import User
from tests.browser.chromium import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "query", "zone"), [("en", "kolk", "Asia/Kolkata"), ("zh-hans", "北京", "Asia/Shanghai")]
)
def test_search_narrows_the_time_zone_list(browser, live_server, shots, language, query, zone):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, timezone_id="UTC"
    )
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    select = page.locator("select[name=timezone_name]")
    assert select.input_value() == "UTC"  # the browser's zone, preselected
    search = page.locator("input.tz-search")
    search.fill(query)
    assert select.input_value() == zone
    visible = page.evaluate(
        "[...document.querySelectorAll('select[name=timezone_name] option')].filter(o => !o.hidden).map(o => o.value)"
    )
    assert visible == [zone]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    lang = "zh" if language == "zh-hans" else "en"
    shots(page, f"signup-timezone-{lang}-phone")

    page.locator("input[name=email]").fill(f"tz-{lang}@example.test")
    page.locator("input[name=display_name]").fill("Priya")
    page.locator("input[name=password]").fill("a-long-enough-secret")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/**")
    assert User.objects.get(email=f"tz-{lang}@example.test").timezone == zone
    context.close()


def test_without_javascript_the_grouped_list_still_works(browser, live_server):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.locator("input.tz-search").count() == 0
    page.locator("select[name=timezone_name]").select_option("Europe/Lisbon")
    page.locator("input[name=email]").fill("nojs@example.test")
    page.locator("input[name=display_name]").fill("Inês")
    page.locator("input[name=password]").fill("a-long-enough-secret")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/**")
    assert User.objects.get(email="nojs@example.test").timezone == "Europe/Lisbon"
    context.close()
