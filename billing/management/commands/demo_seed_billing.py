"""The money behind the demo: an order and a captured payment for every seat the demo's learners hold, a staff
refund, an open dispute and a handled one, so the orders pages and the revenue report have something to show; then
the ended cohort whose review is over is closed, so its members have their next-stage offers.

Run after ``demo_seed`` (``make demo`` does). It lives in billing because cohorts can't import billing. Idempotent:
only enrollments without any order get one, and the refund and disputes are added with the orders that carry them.
Rows are written directly, as ``demo_seed`` writes its history: a checkout can't be replayed for cohorts that
started weeks ago, and the demo's payments never went through a provider (no provider id, so a staff refund of one
works offline).
"""

import random
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from billing.models import Coupon, CouponRedemption, Dispute, Order, OrderLine, Payment, Refund
from billing.services.offers import offers_create_for_cohort
from billing.services.orders import order_status_after_refund
from billing.statuses import CouponKind, DisputeStatus, LineKind, OrderStatus, RefundReason
from cohorts.completion.services import cohort_ends_run
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus

DEMO_TRACK = "python-data"
DEMO_STAFF = "staff@demo.stagewise.local"
PAID_SEATS = [EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED]
COUPON = "EARLYBIRD10"
OFFERS_FOR_ENDED_WITHIN = timedelta(days=30)


class Command(BaseCommand):
    help = "Give the demo's paid enrollments their orders and payments (idempotent; run after demo_seed)."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        with transaction.atomic():
            made = demo_orders_seed(now=now)
        offered = demo_offers_seed(now=now)
        self.stdout.write(f"demo billing: {made} orders added, {offered} upgrade offers made")


def demo_offers_seed(*, now: datetime) -> int:
    """The demo's ended cohorts whose review window is over are closed, now that their seats have orders (the credit
    is a share of what was paid), and their members get their offers at once rather than when the worker gets to
    the queued task (which then finds them made). Idempotent: closing claims a cohort once; one offer per seat."""
    cohort_ends_run(now=now)
    # Runs that ended months ago are history: their offers would have expired long since, so only the recent ones
    # get offers (the older runs are closed all the same, as the scheduler would have closed them then).
    closed = Cohort.objects.filter(
        course__track__slug=DEMO_TRACK, closed_at__isnull=False, ends_on__gte=(now - OFFERS_FOR_ENDED_WITHIN).date()
    ).values_list("pk", flat=True)
    return sum(offers_create_for_cohort(cohort_id=cohort_id, now=now) for cohort_id in closed)


def demo_orders_seed(*, now: datetime) -> int:
    """Orders, payments, a refund and two disputes for the demo's seats that have no order yet. Returns how many
    orders it made."""
    rng = random.Random(20261207)  # the same figures on every machine
    enrollments = list(
        Enrollment.objects.filter(cohort__course__track__slug=DEMO_TRACK, status__in=PAID_SEATS, orders__isnull=True)
        .select_related("cohort", "cohort__course", "learner")
        .order_by("cohort__starts_on", "id")
    )
    if not enrollments:
        return 0
    coupon, _ = Coupon.objects.get_or_create(
        code=COUPON, defaults={"kind": CouponKind.PERCENT, "value": 10, "is_active": False}
    )
    payments: list[Payment] = []
    for n, enrollment in enumerate(enrollments):
        course = enrollment.cohort.course
        # Paid within six days after the enrollment's recorded time, never in the future.
        base = enrollment.status_changed_at or now - timedelta(days=7)
        paid_at = min(base + timedelta(minutes=rng.randint(0, 6 * 24 * 60)), now - timedelta(hours=1))
        early = n % 7 == 3  # one learner in seven used the early-bird coupon
        off = (course.price_minor * coupon.value + 50) // 100 if early else 0
        total = course.price_minor - off
        order = Order.objects.create(
            learner=enrollment.learner,
            enrollment=enrollment,
            cohort=enrollment.cohort,
            currency=course.currency.upper(),
            total_minor=total,
            status=OrderStatus.PAID,
            coupon=coupon if early else None,
            paid_at=paid_at,
            status_changed_at=paid_at,
        )
        OrderLine.objects.create(
            order=order, kind=LineKind.LIST_PRICE, description=course.title, amount_minor=course.price_minor
        )
        if early:
            OrderLine.objects.create(
                order=order, kind=LineKind.COUPON, description=f"Coupon {COUPON}", amount_minor=-off
            )
            CouponRedemption.objects.get_or_create(
                coupon=coupon, learner=enrollment.learner, defaults={"order": order, "amount_minor": off}
            )
        payments.append(
            Payment.objects.create(
                order=order,
                provider="demo",
                amount_minor=total,
                currency=order.currency,
                captured_minor=total,
                status=OrderStatus.PAID,
                captured_at=paid_at,
            )
        )
    # auto_now_add stamps "now": the order was created a few minutes before it was paid.
    Order.objects.filter(pk__in=[p.order_id for p in payments]).update(created_at=F("paid_at") - timedelta(minutes=4))
    Payment.objects.filter(pk__in=[p.pk for p in payments]).update(created_at=F("captured_at") - timedelta(minutes=3))
    _refund_and_disputes(payments, now=now)
    return len(payments)


def _refund_and_disputes(payments: list[Payment], *, now: datetime) -> None:
    """A goodwill refund in a running cohort; a dispute handled by staff and one still open."""
    staff = User.objects.filter(email=DEMO_STAFF).first()
    running = set(
        Order.objects.filter(pk__in=[p.order_id for p in payments], cohort__status=CohortStatus.RUNNING).values_list(
            "pk", flat=True
        )
    )
    refunded = next((p for p in payments if p.order_id in running), payments[-1])
    captured_at = refunded.captured_at or now
    _partial_refund(
        refunded, amount_minor=refunded.captured_minor // 5, actor=staff, now=captured_at + (now - captured_at) / 2
    )
    if len(payments) < 3:
        return
    for payment, handled in ((payments[1], True), (payments[-2], False)):
        enrollment_id = Order.objects.values_list("enrollment_id", flat=True).get(pk=payment.order_id)
        dispute = Dispute.objects.create(
            payment=payment,
            enrollment_id=enrollment_id,
            provider_dispute_id=f"dp_demo_{payment.pk}",
            amount_minor=payment.captured_minor,
            currency=payment.currency,
            reason="fraudulent" if handled else "product_not_received",
        )
        opened = (payment.captured_at or now) + timedelta(days=3)
        values: dict[str, Any] = {"created_at": min(opened, now - timedelta(hours=2))}
        if handled:
            values.update(
                status=DisputeStatus.CLOSED,
                handled_by=staff,
                handled_at=min(opened + timedelta(days=1), now - timedelta(hours=1)),
                handled_note="The card holder confirmed the purchase with their bank; evidence sent to Stripe. "
                "持卡人已向银行确认消费，证据已提交。",
            )
        Dispute.objects.filter(pk=dispute.pk).update(**values)


def _partial_refund(payment: Payment, *, amount_minor: int, actor: User | None, now: datetime) -> None:
    refund = Refund.objects.create(
        payment=payment,
        amount_minor=amount_minor,
        currency=payment.currency,
        reason=RefundReason.STAFF,
        note="Goodwill: missed the first live Q&A",
        created_by=actor,
    )
    Refund.objects.filter(pk=refund.pk).update(created_at=now)
    status = order_status_after_refund(captured=payment.captured_minor, refunded=amount_minor)
    Payment.objects.filter(pk=payment.pk).update(refunded_minor=amount_minor, status=status)
    Order.objects.filter(pk=payment.order_id).update(status=status, status_changed_at=now)
