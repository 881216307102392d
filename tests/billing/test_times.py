"""Billing's instants in the reader's time zone and language: the seat hold on the pay page, the payment deadline
in the approval mail, the receipt's date (issue 12, item 10)."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from billing.receipts import receipt_html
from billing.selectors import order_detail
from billing.services.applications import application_decide, application_submit
from billing.services.checkout import checkout_start
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

# 06:12 on Saturday 28 November in Beijing; 22:12 on Friday in UTC.
BEIJING_MORNING = datetime(2026, 11, 27, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "expected", "utc_day"),
    [("en", "Sat, Nov 28, 2026", "Nov 27"), ("zh-hans", "2026年11月28日 星期六", "11月27日")],
)
def test_the_receipt_is_dated_in_the_learners_zone(language, expected, utc_day):
    learner = factories.learner(language=language, timezone="Asia/Shanghai")
    bf.coupon(code="FREE", value=100)
    with time_machine.travel(BEIJING_MORNING, tick=False):
        result = checkout_start(learner=learner, cohort_id=bf.cohort().pk, coupon_code="FREE")
    html = receipt_html(order=order_detail(order_id=result.order.pk), language=language)
    assert expected in html and utc_day not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Your seat is held until 06:42 (Asia/Shanghai)."), ("zh-hans", "你的名额保留至 06:42（Asia/Shanghai）。")],
)
def test_the_pay_page_shows_the_hold_in_the_viewers_zone(client, localstripe, language, expected):
    learner = factories.learner(language=language, timezone="Asia/Shanghai")
    with time_machine.travel(BEIJING_MORNING, tick=False):
        client.force_login(learner)  # signed in at that instant: a session from another clock may have expired
        cohort = bf.cohort(capacity=3)
        pay_url = client.post(f"/cohorts/{cohort.pk}/enroll/", {"action": "pay"})["Location"]
        html = client.get(pay_url).content.decode()
    assert expected in html and "UTC" not in html


def test_the_approval_mail_gives_the_deadline_in_the_learners_zone_and_language(
    celery_eager, django_capture_on_commit_callbacks, settings
):
    settings.BILLING_PAYMENT_DEADLINE_DAYS = 2
    teacher = factories.instructor()
    cohort = bf.cohort(course=factories.course(teacher=teacher, prerequisite="approval"))
    learner = factories.learner(language="zh-hans", timezone="America/New_York")
    application = application_submit(learner=learner, cohort_id=cohort.pk, answers={})
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(actor=teacher, application_id=application.pk, approve=True, now=BEIJING_MORNING)
    [approval] = mail.outbox
    # two days after 17:12 on Friday 27 November in New York
    assert "11月29日 星期日 17:12（America/New_York）" in approval.body
