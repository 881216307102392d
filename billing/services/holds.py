"""Seat holds that lapse (periodic) and a pending order the learner gives up: the order closes, the seat goes to
the waitlist, and a payment that succeeded meanwhile is recorded instead."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.gateways import get_gateway
from billing.gateways.interface import GatewayError, PaymentState
from billing.models import Order, Payment
from billing.services.orders import order_close
from billing.services.payments import payment_mark_succeeded
from billing.statuses import OrderStatus
from cohorts import seats
from cohorts.models import SeatHold
from cohorts.statuses import EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict, NotFound

logger = logging.getLogger(__name__)


def seat_holds_release_expired(*, now: datetime | None = None, limit: int = 500) -> int:
    """Release holds whose time ran out, close their orders and offer the seats to the waitlist.

    Periodic. Each hold is claimed with a conditional UPDATE (HELD → RELEASED), so two workers never release the
    same hold. The provider payment is cancelled first: if it turns out to have succeeded, the capture is
    recorded instead (and ``payment_mark_succeeded`` retakes the seat or refunds). Returns how many were released.
    """
    now = now or timezone.now()
    released = 0
    cohorts: set[int] = set()
    for hold in SeatHold.objects.filter(status=SeatHoldStatus.HELD, expires_at__lte=now).order_by("expires_at")[:limit]:
        if not seats.seat_hold_finish(hold_id=hold.pk, status=SeatHoldStatus.RELEASED, now=now):
            continue
        released += 1
        cohorts.add(hold.cohort_id)
        hold_lapse(hold=hold, now=now)
    for cohort_id in cohorts:
        seats.waitlist_offer_next(cohort_id=cohort_id, now=now)
    return released


def hold_lapse(*, hold: SeatHold, now: datetime) -> None:
    """After its hold was released (the caller claimed it): close the pending order, expire the enrollment.

    The provider payment is cancelled first; if it had succeeded, the capture is recorded instead
    (``payment_mark_succeeded`` retakes the seat or refunds). It may call the provider, so keep it out of long locks.
    """
    enrollment_lapse(enrollment_id=hold.enrollment_id, now=now)


def enrollment_lapse(*, enrollment_id: int, now: datetime) -> None:
    """``hold_lapse`` for an enrollment whose hold is gone (released by the caller, or by a cohort's cancellation).
    Idempotent: the order closes and the enrollment expires with conditional UPDATEs."""
    order = Order.objects.filter(enrollment_id=enrollment_id, status=OrderStatus.PENDING).first()
    payment = None
    if order is not None:
        payment = Payment.objects.filter(order=order).exclude(provider_payment_id=None).order_by("-id").first()
    if payment is not None and payment.status == OrderStatus.PENDING:
        gateway = get_gateway()
        result = None
        try:
            result = gateway.payment_cancel(payment.provider_payment_id or "")
        except GatewayError:
            try:
                result = gateway.payment_retrieve(payment.provider_payment_id or "")
            except GatewayError as exc:
                # Unknown: close it all the same (its hold is released already; leaving the order pending would
                # be a dead end). Should the capture have happened, its webhook retakes the seat or refunds it.
                logger.warning("payment %s unreachable at the provider (%s): order closed", payment.pk, exc.code)
        if result is not None and result.state == PaymentState.SUCCEEDED:
            payment_mark_succeeded(result=result, now=now)
            return
    with transaction.atomic():
        if order is not None:
            failed = payment is not None and bool(Payment.objects.get(pk=payment.pk).last_error)
            order_close(order=order, new=OrderStatus.FAILED if failed else OrderStatus.CANCELLED, now=now)
        enrollment_transition(
            enrollment_id=enrollment_id, old=EnrollmentStatus.PENDING_PAYMENT, new=EnrollmentStatus.EXPIRED, now=now
        )


def order_cancel(*, learner: User, order_id: int, now: datetime | None = None) -> Order:
    """The learner gives up a pending order: its hold is released and the seat offered to the waitlist."""
    now = now or timezone.now()
    order = Order.objects.filter(pk=order_id, learner=learner).first()
    if order is None:
        raise NotFound(_("No such order."), code="order_not_found")
    if order.status != OrderStatus.PENDING:
        raise Conflict(_("Only a pending order can be cancelled."), code="order_not_pending")
    hold = (
        SeatHold.objects.filter(pk=order.seat_hold_id, status=SeatHoldStatus.HELD).first()
        if order.seat_hold_id is not None
        else None
    )
    if hold is not None and seats.seat_hold_finish(hold_id=hold.pk, status=SeatHoldStatus.RELEASED, now=now):
        hold_lapse(hold=hold, now=now)
        seats.waitlist_offer_next(cohort_id=order.cohort_id, now=now)
    order.refresh_from_db()
    return order
