"""Campaigns, deliveries and paid orders for the attribution and report tests, built directly: the campaign
sending is another part of the workspace, so its rows are made here as it leaves them (a delivery per recipient,
its status, a personal offer code, a click; the mail log's row under ``campaign:<campaign>:<learner>``)."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from alumni.models import Campaign, Delivery, DeliveryStatus
from billing.models import Coupon, Order, Payment
from billing.services.checkout import checkout_start
from stagewise.models import MailLog, MailStatus
from tests import factories
from tests.billing.conftest import WEBHOOK_SECRET, charge, event, payment_intent, post_event


def campaign(*, marketer: Any = None, **fields: Any) -> Campaign:
    fields.setdefault("name", "Come back for Bootcamp")
    fields.setdefault("subject_en", "Your next stage")
    fields.setdefault("body_en", "Hello {{ name }}")
    fields.setdefault("subject_zh", "你的下一阶段")
    fields.setdefault("body_zh", "你好 {{ name }}")
    return Campaign.objects.create(created_by=marketer or factories.marketer(), **fields)


def delivery(
    *,
    campaign: Campaign,
    learner: Any,
    status: str = DeliveryStatus.SENT,
    due_at: datetime | None = None,
    clicked_at: datetime | None = None,
    code: str = "",
    mailed: bool = False,
) -> Delivery:
    due_at = due_at or timezone.now()
    coupon = None
    if code:
        coupon = Coupon.objects.create(code=code, kind="percent", value=20, learner=learner)
    row = Delivery.objects.create(
        campaign=campaign,
        learner=learner,
        status=status,
        due_at=due_at,
        sent_at=due_at if status == DeliveryStatus.SENT else None,
        clicked_at=clicked_at,
        coupon=coupon,
        mail_key=f"campaign:{campaign.pk}:{learner.pk}" if status == DeliveryStatus.SENT else "",
    )
    if mailed:
        MailLog.objects.create(
            key=f"campaign:{campaign.pk}:{learner.pk}",
            kind="campaign",
            user=learner,
            to=learner.email,
            subject="Your next stage",
            status=MailStatus.SENT,
            sent_at=due_at,
        )
    return row


def paid_course_cohort(*, price_minor: int = 19900, currency: str = "CNY") -> Any:
    course = factories.course(price_minor=price_minor, currency=currency, prerequisite="none")
    return factories.cohort(course=course, capacity=50)


def pay(client: Any, settings: Any, capture: Any, *, learner: Any, cohort: Any = None, code: str = "") -> Order:
    """The learner checks out (with ``code``) and the provider's signed ``payment_intent.succeeded`` webhook arrives,
    its after-commit work run (``capture`` is ``django_capture_on_commit_callbacks``)."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: no provider call is made here
    cohort = cohort or paid_course_cohort()
    result = checkout_start(learner=learner, cohort_id=cohort.pk, coupon_code=code)
    payment = Payment.objects.create(
        order=result.order,
        provider_payment_id=f"pi_test{result.order.pk:06d}",
        amount_minor=result.order.total_minor,
        currency=result.order.currency,
    )
    succeeded = event(
        "payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=payment.amount_minor)
    )
    with capture(execute=True):
        assert post_event(client, succeeded).status_code == 200
    order = Order.objects.get(pk=result.order.pk)
    order.succeeded_event = succeeded  # type: ignore[attr-defined] - for a replay
    return order


def replay(client: Any, capture: Any, order: Any) -> None:
    with capture(execute=True):
        assert post_event(client, order.succeeded_event).status_code == 200


def refund(client: Any, capture: Any, order: Order, *, amount_minor: int) -> None:
    """The provider tells of a refund made in its dashboard (``charge.refunded``)."""
    payment = order.payments.get()
    body = event(
        "charge.refunded", charge(payment.provider_payment_id, amount=payment.amount_minor, refunded=amount_minor)
    )
    with capture(execute=True):
        assert post_event(client, body).status_code == 200
