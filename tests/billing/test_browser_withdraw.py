"""Leaving a cohort in headless Chromium on a phone: the learner sees what comes back before anything happens."""

import pytest
from django.conf import settings

from billing.models import Refund
from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus
from tests import factories
from tests.billing import factories as bf
from tests.billing.test_refunds import paid
from tests.browser.chromium import PHONE

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"leave": "Leave and get back CN¥199.00", "left": "You have left"},
    "zh-hans": {"leave": "退出并退款 ¥199.00", "left": "你已退出本期"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_withdrawing_asks_first_and_shows_the_amount(browser, live_server, localstripe, client, shots, language):
    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort, learner=factories.learner(name="Lin", language=language))
    enrollment = Enrollment.objects.get(pk=payment.order.enrollment_id)
    client.force_login(payment.order.learner)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/")
    page.locator('[data-testid="withdraw-link"]').click()
    page.wait_for_url(f"**/enrollments/{enrollment.pk}/withdraw/")
    # then nothing has happened yet: the page asks, with the amount
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert page.locator(".refund-preview").get_attribute("data-amount") == "19900"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, f"withdraw-confirm-{language}-phone")
    page.get_by_role("button", name=WORDS[language]["leave"]).click()
    page.wait_for_url("**/orders/")
    assert WORDS[language]["left"] in page.content()
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.WITHDRAWN
    assert Refund.objects.get(payment=payment).amount_minor == 19900
    context.close()
