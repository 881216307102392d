"""A learner enrolls, pays with the test card and lands in the cohort, in headless Chromium.

Everything is real: the Django live server, localstripe on loopback, and localstripe's own signed
``payment_intent.succeeded`` webhook delivered to our endpoint (activation never happens on the browser's word).
"""

import pytest
from django.conf import settings

from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus
from tests import factories
from tests.billing import factories as bf
from tests.billing.conftest import WEBHOOK_SECRET
from tests.browser.chromium import PHONE

pytestmark = pytest.mark.browser


@pytest.fixture
def webhook_to_live_server(localstripe, live_server):
    from localstripe.webhooks import _webhooks
    from localstripe_server import register_webhook

    register_webhook(url=f"{live_server.url}/billing/webhooks/stripe/", secret=WEBHOOK_SECRET)
    yield
    _webhooks.clear()


def test_learner_enrolls_pays_with_the_test_card_and_lands_in_the_cohort(
    browser, live_server, webhook_to_live_server, client, shots
):
    cohort = bf.cohort(capacity=5)
    factories.lesson(course=cohort.course, day=1, title="Welcome")
    learner = factories.learner(name="Lin")
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

    page.goto(f"{live_server.url}/cohorts/{cohort.pk}/enroll/")
    assert page.locator("[data-total]").inner_text() == "CN¥199.00"
    page.get_by_role("button", name="Hold my seat and pay").click()
    page.wait_for_url("**/pay/")
    shots(page, "pay-en-phone")
    page.get_by_label("Card number").fill("4242424242424242")
    page.get_by_role("button", name="Pay CN¥199.00").click()
    page.wait_for_url("**/orders/*/")
    # The order page refreshes until localstripe's webhook has arrived and been verified.
    page.locator('[data-status="paid"]').wait_for(timeout=20_000)
    page.get_by_role("link", name="Go to the cohort").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    assert Enrollment.objects.get(cohort=cohort, learner=learner).status == EnrollmentStatus.ACTIVE
    context.close()
