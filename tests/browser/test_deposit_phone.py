"""The deposit challenge (打卡返学费) on a phone (390x844), in English and Chinese: the learner's standing on the
Today page and the cohort page, and the promise on the enroll page, stay as wide as the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.models import CheckIn
from cohorts.statuses import CohortStatus
from tests import factories
from tests.browser.chromium import PHONE
from tests.browser.test_phone_width import _page_width, _phone_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_deposit_standing_and_promise_fit_a_phone(browser, live_server, shots, language):
    lang = "zh" if language == "zh-hans" else "en"
    learner = factories.learner(name="𠮷野家 花子", language=language)
    course = factories.course(
        title="Pandas bootcamp",
        duration_days=21,
        prerequisite="none",
        deposit_refund_percent=50,
        deposit_makeups_allowed=1,
    )
    start = factories.local_today() - timedelta(days=2)
    cohort = factories.cohort(course=course, starts_on=start, status=CohortStatus.RUNNING)
    enrollment = factories.enrollment(cohort=cohort, learner=learner)
    CheckIn.objects.create(enrollment=enrollment, day=1, local_date=start, text="x" * 30, created_at=timezone.now())
    open_cohort = factories.cohort(course=course)

    context, page = _phone_page(browser, live_server, learner)
    for path, name in (
        (f"/cohorts/{cohort.pk}/today/", "today"),
        (f"/cohorts/{cohort.pk}/", "cohort"),
        (f"/cohorts/{open_cohort.pk}/enroll/", "enroll"),
    ):
        assert page.goto(f"{live_server.url}{path}").status == 200
        card = page.locator(
            '[data-testid="deposit-promise"]' if name == "enroll" else '[data-testid="deposit-standing"]'
        )
        expect(card.first, name).to_be_visible()
        assert card.first.bounding_box()["width"] <= PHONE["width"], name
        assert _page_width(page) <= PHONE["width"], name
        shots(page, f"deposit-{name}-{lang}-phone")
    context.close()
