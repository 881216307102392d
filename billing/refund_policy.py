"""What the course's refund policy gives back: full before day 1, a partial percent until day N, nothing after."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from billing.models import Payment, RefundPolicy
from billing.statuses import OrderStatus
from cohorts import days
from cohorts.models import Cohort, Enrollment

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class RefundPreview:
    amount_minor: int
    currency: str
    rule: str  # full | partial | none
    percent: int


def policy_for(*, cohort: Cohort) -> RefundPolicy:
    """The course's policy, or the default one from the settings (not saved)."""
    policy = RefundPolicy.objects.filter(course_id=cohort.course_id).first()
    return policy or RefundPolicy(
        course_id=cohort.course_id,
        partial_percent=settings.BILLING_REFUND_PARTIAL_PERCENT,
        partial_until_day=settings.BILLING_REFUND_PARTIAL_UNTIL_DAY,
    )


def refund_window_end(*, cohort: Cohort) -> datetime:
    """The instant after which the policy refunds nothing (referral credits wait for it)."""
    policy = policy_for(cohort=cohort)
    if policy.partial_until_day and policy.partial_percent:
        return days.local_midnight(tz=cohort.timezone, on=cohort.starts_on + timedelta(days=policy.partial_until_day))
    return cohort.starts_at


def paid_payment_for(*, enrollment: Enrollment) -> Payment | None:
    """The enrollment's latest payment that still has money to refund, with its order."""
    return (
        Payment.objects.filter(order__enrollment=enrollment, status__in=REFUNDABLE)
        .select_related("order")
        .order_by("-id")
        .first()
    )


def refund_preview(*, enrollment: Enrollment, now: datetime | None = None) -> RefundPreview:
    """What withdrawing now gives back: full before day 1, the partial percent until day N, nothing after."""
    now = now or timezone.now()
    cohort = enrollment.cohort
    payment = paid_payment_for(enrollment=enrollment)
    currency = payment.currency if payment else cohort.course.currency
    if payment is None or payment.refundable_minor <= 0:
        return RefundPreview(amount_minor=0, currency=currency, rule="none", percent=0)
    policy = policy_for(cohort=cohort)
    if now < cohort.starts_at and policy.full_until_start:
        return RefundPreview(amount_minor=payment.refundable_minor, currency=currency, rule="full", percent=100)
    if now < refund_window_end(cohort=cohort) and policy.partial_percent:
        amount = min((payment.captured_minor * policy.partial_percent) // 100, payment.refundable_minor)
        return RefundPreview(amount_minor=amount, currency=currency, rule="partial", percent=policy.partial_percent)
    return RefundPreview(amount_minor=0, currency=currency, rule="none", percent=0)
