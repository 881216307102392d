"""An order's status changes: closing a pending order, completing it, and its status after a refund."""

from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from billing.models import CouponRedemption, CreditEntry, Order, Payment, Referral
from billing.refund_policy import refund_window_end
from billing.services.upgrades import upgrade_finish
from billing.statuses import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    CreditKind,
    OrderStatus,
    ReferralStatus,
    can_transition,
)
from cohorts import seats
from cohorts.models import Cohort
from cohorts.statuses import EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict


def order_transition(*, order_id: int, old: str, new: str, now: datetime | None = None) -> bool:
    """Conditional UPDATE of an order's status; False if it was no longer ``old``."""
    if not can_transition(ORDER_TRANSITIONS, old, new):
        raise Conflict(f"An order can't go from {old} to {new}.", code="invalid_transition")
    now = now or timezone.now()
    values: dict[str, Any] = {"status": new, "status_changed_at": now}
    if new == OrderStatus.PAID:
        values["paid_at"] = now
    return Order.objects.filter(pk=order_id, status=old).update(**values) == 1


def payment_transition(
    *, payment_id: int, old: str, new: str, values: dict[str, Any] | None = None, now: datetime | None = None
) -> bool:
    """Conditional UPDATE of a payment's status (and ``values``, set with it); False if it was no longer ``old``."""
    if not can_transition(PAYMENT_TRANSITIONS, old, new):
        raise Conflict(f"A payment can't go from {old} to {new}.", code="invalid_transition")
    return Payment.objects.filter(pk=payment_id, status=old).update(status=new, **(values or {})) == 1


def order_status_after_refund(*, captured: int, refunded: int) -> str:
    """The status of a payment (and of its paid order) once ``refunded`` of ``captured`` went back."""
    if refunded <= 0:
        return OrderStatus.PAID
    return OrderStatus.REFUNDED if refunded >= captured else OrderStatus.PARTIALLY_REFUNDED


def order_close(*, order: Order, new: str, now: datetime) -> bool:
    """pending → cancelled | failed: give back the coupon, the credit and the referral. Inside a transaction."""
    if not order_transition(order_id=order.pk, old=OrderStatus.PENDING, new=new, now=now):
        return False
    for payment_id in Payment.objects.filter(order=order, status=OrderStatus.PENDING).values_list("pk", flat=True):
        payment_transition(payment_id=payment_id, old=OrderStatus.PENDING, new=new)
    CouponRedemption.objects.filter(order=order).delete()
    spent = sum(e.amount_minor for e in CreditEntry.objects.filter(order=order, kind=CreditKind.SPEND))
    if spent:
        CreditEntry.objects.create(
            learner_id=order.learner_id,
            amount_minor=-spent,
            currency=order.currency,
            kind=CreditKind.REVERSAL,
            order=order,
            note=f"order {order.pk} {new}",
        )
    Referral.objects.filter(order=order, status=ReferralStatus.PENDING).update(status=ReferralStatus.VOID)
    order.status = new
    return True


def order_complete(*, order: Order, now: datetime, hold_converted: bool = False) -> None:
    """pending → paid: the enrollment becomes active and its hold converts (and, for an upgrade, the enrollment it
    moves up from ends as ``upgraded``: ``upgrade_finish``). Inside a transaction.

    ``hold_converted``: the caller has converted the hold already (``seat_hold_convert``) while holding the order's
    row lock and seeing it pending, so the transition below can't fail.
    """
    if not order_transition(order_id=order.pk, old=OrderStatus.PENDING, new=OrderStatus.PAID, now=now):
        return
    if not hold_converted:
        seat_hold_convert(order=order, now=now)
    enrollment_transition(
        enrollment_id=order.enrollment_id, old=EnrollmentStatus.PENDING_PAYMENT, new=EnrollmentStatus.ACTIVE, now=now
    )
    if order.upgrade_from_id is not None:  # a mid-cohort upgrade: the stage left ends in this same transaction
        upgrade_finish(order=order, now=now)
    if order.referral_code_id is not None:
        cohort = Cohort.objects.select_related("course").get(pk=order.cohort_id)
        Referral.objects.filter(order=order, status=ReferralStatus.PENDING).update(
            credit_due_at=refund_window_end(cohort=cohort)
        )
    transaction.on_commit(partial(_order_paid_announce, order.pk))


def _order_paid_announce(order_id: int) -> None:
    """After commit: one task tells ``order_paid``'s receivers, in a worker. Four of them (receipt, offer, campaign
    attribution, alumni record) each enqueue a task of their own; enqueued here they cost the payment webhook's
    request 1.2 ms of its 4.8 ms of CPU (bench/bench_enrollment.py)."""
    from billing.tasks import order_paid_announce_task  # the task module imports the services

    order_paid_announce_task.delay(order_id)


def seat_hold_convert(*, order: Order, now: datetime, live: bool = False) -> bool:
    """HELD → CONVERTED for the order's hold with a conditional UPDATE; False if it had none still held.

    ``live``: only a hold that has not run out by the clock (not by ``now``, which a late webhook sets to when the
    provider captured): once it ran out, its seat counted as free and may be someone else's. The caller then
    retakes a seat under the cohort's lock, or refunds.
    """
    return seats.seat_hold_finish(
        hold_id=order.seat_hold_id,
        status=SeatHoldStatus.CONVERTED,
        now=now,
        live_at=timezone.now() if live else None,
    )
