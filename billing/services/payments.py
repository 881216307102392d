"""Provider payments: start (once per attempt), the verified capture or failure, the test card."""

import contextlib
import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.errors import ProviderUnavailable
from billing.gateways import get_gateway, is_test_mode
from billing.gateways.interface import GatewayError, PaymentRequest, PaymentResult, PaymentState
from billing.models import Order, Payment
from billing.services.orders import order_close, order_complete, payment_transition, seat_hold_convert
from billing.services.refunds import refund_issue
from billing.statuses import OrderStatus, RefundReason
from cohorts import seats
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict, NotFound

logger = logging.getLogger(__name__)


def payment_start(*, order_id: int, new_attempt: bool = False) -> Payment:
    """Create (once) the provider payment for a pending order and return it, with its client secret.

    Call outside any transaction: it talks to the provider. Safe to call twice: the idempotency key makes the
    provider return the same payment, and the unique provider id makes the second insert a lookup.
    ``new_attempt`` cancels a pending payment and starts another (used after a decline in test mode, where
    localstripe can't confirm the same intent twice; Stripe's Payment Element retries on the same one).
    """
    return payment_start_for_order(order=Order.objects.get(pk=order_id), new_attempt=new_attempt)


def payment_start_for_order(*, order: Order, new_attempt: bool = False, just_created: bool = False) -> Payment:
    """``payment_start`` for an order the caller has just read, or just created (``just_created``: no payment to
    read, and the checkout saw the cohort open under its lock a moment ago, so the cancellation check is skipped;
    a capture for a cohort cancelled in between is refunded like any late one)."""
    if not just_created and Cohort.objects.filter(pk=order.cohort_id, status=CohortStatus.CANCELLED).exists():
        # Closed at once, before the cancellation job closes the order (a late capture is refunded anyway).
        raise Conflict(_("This cohort has been cancelled; nothing will be charged."), code="cohort_cancelled")
    # The latest attempt first, and their number.
    attempts = [] if just_created else sorted(order.payments.all(), key=lambda p: p.pk, reverse=True)
    existing = next((p for p in attempts if p.provider_payment_id is not None), None)
    if existing is not None and existing.status == OrderStatus.PENDING:
        if not new_attempt:
            return existing
        with contextlib.suppress(GatewayError):  # already final at the provider: its webhook tells us what happened
            get_gateway().payment_cancel(existing.provider_payment_id or "")
        payment_transition(payment_id=existing.pk, old=OrderStatus.PENDING, new=OrderStatus.CANCELLED)
    if order.status != OrderStatus.PENDING:
        raise Conflict(_("This order is no longer waiting for payment."), code="order_not_pending")
    attempt = len(attempts) + 1
    try:
        result = get_gateway().payment_create(
            PaymentRequest(
                amount_minor=order.total_minor,
                currency=order.currency,
                idempotency_key=f"stagewise-order-{order.pk}-{attempt}",
                description=f"Order {order.pk}",
                metadata={"order_id": str(order.pk), "enrollment_id": str(order.enrollment_id)},
            )
        )
    except GatewayError as exc:
        raise ProviderUnavailable(
            _("The payment provider is not answering; please try again in a moment."), extra={"reason": exc.code}
        ) from exc
    payment = Payment(
        order=order,
        provider_payment_id=result.provider_payment_id,
        client_secret=result.client_secret,
        amount_minor=order.total_minor,
        currency=order.currency,
    )
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a duplicate must not break the caller's transaction
                payment.save(force_insert=True)
        else:
            payment.save(force_insert=True)  # in autocommit the lone INSERT is its own transaction
    except IntegrityError:
        return Payment.objects.get(provider_payment_id=result.provider_payment_id)
    return payment


def payment_get_locked(*, provider_payment_id: str) -> Payment | None:
    """The payment with its order, both rows locked. Call inside a transaction.

    FOR UPDATE (without OF) covers the join, so the order's row is locked too: ``payment_mark_succeeded`` relies on
    it.
    """
    try:  # provider_payment_id is unique; get() compiles no ORDER BY, as first() would
        return Payment.objects.select_related("order").select_for_update().get(provider_payment_id=provider_payment_id)
    except Payment.DoesNotExist:
        return None


def payment_mark_succeeded(*, result: PaymentResult, now: datetime | None = None) -> Payment | None:
    """Record a verified capture (webhook). Idempotent; handles a capture that arrives after its hold lapsed.

    If the learner's seat is gone by then, the money goes back in full: the cohort is never oversold. A refund the
    provider refuses then is recorded as due and retried (``refund_retry``): it never fails the caller.
    """
    now = now or timezone.now()
    refund_payment_id = None
    with transaction.atomic(savepoint=False):  # all or nothing with the caller's transaction (the webhook's)
        payment = payment_get_locked(provider_payment_id=result.provider_payment_id)
        if payment is None:
            logger.warning("capture for unknown payment %s", result.provider_payment_id)
            return None
        if payment.status != OrderStatus.PENDING and payment.captured_minor:
            return payment  # already recorded (replay or out-of-order duplicate)
        captured = {
            "captured_minor": min(result.captured_minor or result.amount_minor, payment.amount_minor),
            "captured_at": now,
            "last_error": "",
        }
        payment_transition(payment_id=payment.pk, old=payment.status, new=OrderStatus.PAID, values=captured)
        payment.status = OrderStatus.PAID
        for name, value in captured.items():
            setattr(payment, name, value)
        order = payment.order  # its row is locked too: the FOR UPDATE above covers the join
        if order.status == OrderStatus.PENDING and seat_hold_convert(order=order, now=now, live=True):
            # The usual case: the hold was still there, and a held seat is guaranteed.
            order_complete(order=order, now=now, hold_converted=True)
        elif order.status != OrderStatus.PENDING or not _seat_retaken(order=order, now=now):
            # The hold lapsed and the order was closed, or the seat went to someone else.
            if order.status == OrderStatus.PENDING:
                order_close(order=order, new=OrderStatus.CANCELLED, now=now)
                enrollment_transition(
                    enrollment_id=order.enrollment_id,
                    old=EnrollmentStatus.PENDING_PAYMENT,
                    new=EnrollmentStatus.EXPIRED,
                )
            refund_payment_id = payment.pk
        else:
            order_complete(order=order, now=now)
    if refund_payment_id is not None:
        logger.warning("payment %s captured after its seat lapsed: refunding in full", payment.pk)
        # Owed: should the provider refuse it now, it is recorded as due and retried in the background, and the
        # webhook still answers 200 (an error would roll the capture back and make the provider retry forever).
        refund_issue(
            payment_id=refund_payment_id,
            amount_minor=payment.captured_minor,
            reason=RefundReason.SEAT_UNAVAILABLE,
            owed=True,
        )
    return payment


def _seat_retaken(*, order: Order, now: datetime) -> bool:
    """True if the order's enrollment, whose hold lapsed, can retake its seat (taking the cohort lock). Never in a
    cancelled cohort: its cancellation released the holds and waits on this lock."""
    cohort = seats.cohort_lock(cohort_id=order.cohort_id)
    if cohort.status == CohortStatus.CANCELLED or seats.seats_free(cohort=cohort, now=now) <= 0:
        return False
    enrollment = Enrollment.objects.get(pk=order.enrollment_id)
    if enrollment.status == EnrollmentStatus.EXPIRED:
        enrollment_transition(
            enrollment_id=enrollment.pk, old=EnrollmentStatus.EXPIRED, new=EnrollmentStatus.PENDING_PAYMENT, now=now
        )
        return True
    return enrollment.status == EnrollmentStatus.PENDING_PAYMENT


def payment_mark_failed(*, result: PaymentResult) -> Payment | None:
    """A failed attempt: remember why. The hold stays, so the learner may retry until it expires."""
    with transaction.atomic(savepoint=False):
        payment = payment_get_locked(provider_payment_id=result.provider_payment_id)
        if payment is None or payment.status != OrderStatus.PENDING:
            return payment  # unknown, or a late failure of an attempt that was followed by a success
        payment.last_error = (result.error_message or result.error_code or "declined")[:300]
        payment.save(update_fields=["last_error"])
    return payment


def payment_sync(*, payment: Payment, result: PaymentResult) -> Payment:
    """Apply what a confirm call returned. Success is left to the webhook; a decline is recorded at once."""
    if result.state == PaymentState.REQUIRES_PAYMENT_METHOD and result.error_code:
        payment_mark_failed(result=result)
        payment.refresh_from_db()
    return payment


def payment_confirm_test_card(*, learner: User, order_id: int, card_number: str) -> PaymentResult:
    """Test mode (localstripe) only: confirm an order's payment with a test card number."""
    if not is_test_mode():
        raise Conflict(_("Test cards work only against the local test provider."), code="not_test_mode")
    order = Order.objects.filter(pk=order_id, learner_id=learner.pk).first()
    if order is None:
        raise NotFound(_("No such order."), code="order_not_found")
    payment = payment_start_for_order(order=order)
    if payment.last_error:
        payment = payment_start(order_id=order.pk, new_attempt=True)
    digits = "".join(ch for ch in card_number if ch.isdigit())
    try:
        result = get_gateway().test_card_confirm(payment.provider_payment_id or "", card_number=digits)
    except GatewayError as exc:
        raise Conflict(exc.message, code="payment_declined" if exc.permanent else "provider_unavailable") from exc
    payment_sync(payment=payment, result=result)
    return result
