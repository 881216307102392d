"""Moving up a stage on a phone (390x844), in English and Chinese: the "upgrade now" offer on the running cohort's
page and the Today page leads to the next stage's checkout, which shows what was paid taken off as a line of its own.

Real Django live server, localstripe on loopback (the first stage is paid there with the test card).
"""

from datetime import timedelta

import pytest
from django.conf import settings
from playwright.sync_api import expect

from cohorts.models import Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.billing.test_refunds import paid
from tests.browser.chromium import PHONE

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"line": "Already paid for Stage one", "total": "CN¥200.00", "pay": "Pay CN¥200.00"},
    "zh-hans": {"line": "已为 Stage one 支付", "total": "¥200.00", "pay": "¥200.00"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_upgrade_offer_leads_to_a_checkout_of_the_difference(
    browser, live_server, localstripe, client, shots, language
):
    # given a learner who paid 199.00 for stage 1, whose cohort runs, and stage 2 (399.00) open
    track = factories.track()
    stage1 = factories.course(track=track, stage=1, title="Stage one", prerequisite="none", price_minor=19900)
    stage2 = factories.course(track=track, stage=2, title="Stage two", prerequisite="previous_stage", price_minor=39900)
    current, target = factories.cohort(course=stage1), factories.cohort(course=stage2, name="Spring bootcamp")
    learner = factories.learner(name="Lin", language=language)
    payment = paid(cohort=current, learner=learner)
    start = factories.local_today() - timedelta(days=2)
    Cohort.objects.filter(pk=current.pk).update(
        starts_on=start, ends_on=start + timedelta(days=6), status=CohortStatus.RUNNING
    )
    client.force_login(learner)
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

    # the Today page offers the move too
    page.goto(f"{live_server.url}/cohorts/{current.pk}/today/")
    expect(page.locator('[data-testid="upgrade-offer"]')).to_be_visible()

    # when the learner follows the offer from the cohort's page
    page.goto(f"{live_server.url}/cohorts/{current.pk}/")
    offer = page.locator('[data-testid="upgrade-offer"]')
    assert "Spring bootcamp" in offer.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, f"upgrade-offer-{language}-phone")
    page.locator('[data-testid="upgrade-now"]').click()
    page.wait_for_url(f"**/cohorts/{target.pk}/enroll/?upgrade=1")

    # then the checkout shows the price, what was paid taken off, and the difference
    difference = page.locator('[data-kind="upgrade_difference"]')
    assert WORDS[language]["line"] in difference.inner_text()
    assert page.locator("td[data-total]").get_attribute("data-total") == "20000"
    assert page.locator("td[data-total]").inner_text() == WORDS[language]["total"]
    expect(page.locator('[data-testid="upgrade-note"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, f"upgrade-checkout-{language}-phone")

    # and holding the seat leads to paying the difference, while the current seat stays until the payment succeeds
    page.locator('[data-testid="pay"]').click()
    page.wait_for_url("**/pay/")
    assert WORDS[language]["pay"] in page.content()
    assert Enrollment.objects.get(pk=payment.order.enrollment_id).status == EnrollmentStatus.ACTIVE
    shots(page, f"upgrade-pay-{language}-phone")
    context.close()
