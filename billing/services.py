"""Writes on billing: checkout (hold + order), payments, holds expiring, credits and referrals.

Refunds live in ``billing.refunds``; webhook dispatch in ``billing.webhooks``.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import ProviderUnavailable
from billing.gateways import get_gateway
from billing.gateways.interface import GatewayError, PaymentRequest, PaymentResult, PaymentState
from billing.models import (
    Application,
    CouponRedemption,
    CreditEntry,
    Order,
    OrderLine,
    Payment,
    Referral,
    ReferralCode,
)
from billing.pricing import credit_balance, order_quote
from billing.statuses import (
    CAPTURED_STATUSES,
    ORDER_TRANSITIONS,
    CreditKind,
    LineKind,
    OrderStatus,
    ReferralStatus,
    can_transition,
)
from cohorts import seats
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.selectors import cohort_is_visible
from cohorts.statuses import CohortStatus, EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from content.models import Prerequisite
from stagewise.errors import Conflict, NotFound

logger = logging.getLogger(__name__)

FREE_PROVIDER = "free"


@dataclass(frozen=True)
class CheckoutResult:
    enrollment: Enrollment
    order: Order | None  # None when waitlisted
    hold: SeatHold | None
    waitlisted: bool = False
    # What a new order was created with (its lines in id order; no payment yet), so the checkout can answer without
    # reading it back. None for an order that existed already.
    lines: list[OrderLine] | None = None


# --- statuses -----------------------------------------------------------------------------------------------


def order_transition(*, order_id: int, old: str, new: str, now: datetime | None = None) -> bool:
    """Conditional UPDATE of an order's status; False if it was no longer ``old``."""
    if not can_transition(ORDER_TRANSITIONS, old, new):
        raise Conflict(f"An order can't go from {old} to {new}.", code="invalid_transition")
    now = now or timezone.now()
    values: dict[str, Any] = {"status": new, "status_changed_at": now}
    if new == OrderStatus.PAID:
        values["paid_at"] = now
    return Order.objects.filter(pk=order_id, status=old).update(**values) == 1


def _refund_status(*, captured: int, refunded: int) -> str:
    if refunded <= 0:
        return OrderStatus.PAID
    return OrderStatus.REFUNDED if refunded >= captured else OrderStatus.PARTIALLY_REFUNDED


# --- checkout -----------------------------------------------------------------------------------------------


def _check_prerequisite(*, learner: Any, cohort: Cohort, enrollment: Enrollment | None, now: datetime) -> None:
    from billing.applications import approval_is_current

    course = cohort.course
    # Approved now, or approved earlier and back after a lapsed seat hold (expired): the approval still counts.
    approved = enrollment is not None and (
        enrollment.status == EnrollmentStatus.APPROVED
        or Application.objects.filter(enrollment=enrollment, payment_deadline__isnull=False).exists()
    )
    if approved and not approval_is_current(enrollment=enrollment, now=now):  # type: ignore[arg-type]
        raise Conflict(_("The payment deadline of your approval has passed."), code="payment_deadline_passed")
    if course.prerequisite == Prerequisite.APPROVAL and not approved:
        raise Conflict(_("This course admits learners by application."), code="application_required")
    if course.prerequisite == Prerequisite.PREVIOUS_STAGE and course.stage > 1 and not approved:
        done = Enrollment.objects.filter(
            learner=learner,
            status=EnrollmentStatus.COMPLETED,
            cohort__course__track_id=course.track_id,
            cohort__course__stage=course.stage - 1,
        ).exists()
        if not done:
            raise Conflict(
                _("Complete the previous stage first, or ask an instructor to let you in."),
                code="prerequisite_missing",
            )


def checkout_start(
    *,
    learner: Any,
    cohort_id: int,
    coupon_code: str = "",
    referral_code: str = "",
    use_credit: bool = True,
    now: datetime | None = None,
) -> CheckoutResult:
    """Hold a seat and price an order, or put the learner on the waitlist when the cohort is full.

    A cohort the learner can't see is NotFound, exactly as ``cohort_get_for_user`` answers.

    Everything happens under the cohort's row lock, so capacity can't be exceeded whatever the concurrency.
    Idempotent for a learner who already has a pending order with a live hold: returns it unchanged.
    A zero total completes at once, without the provider. No provider call is made here
    (see ``payment_start``), so the lock is held for a few queries only.
    """
    now = now or timezone.now()
    with transaction.atomic():
        try:
            cohort = seats.cohort_lock(cohort_id=cohort_id)
        except Cohort.DoesNotExist:
            raise NotFound(_("No such cohort."), code="cohort_not_found") from None
        enrollment = seats.enrollment_lock(cohort=cohort, learner_id=learner.pk)
        if enrollment is None and not cohort_is_visible(cohort=cohort, user=learner):
            raise NotFound(_("No such cohort."), code="cohort_not_found")  # as if it weren't there
        if cohort.status != CohortStatus.OPEN or not (cohort.enrollment_opens_at <= now < cohort.enrollment_closes_at):
            raise Conflict(_("Enrollment for this cohort is closed."), code="enrollment_closed")
        hold = None
        if enrollment is not None:
            status = enrollment.status
            if status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED):
                raise Conflict(_("You are already in this cohort."), code="already_enrolled")
            if status == EnrollmentStatus.WAITLISTED:
                return CheckoutResult(enrollment=enrollment, order=None, hold=None, waitlisted=True)
            if status in (EnrollmentStatus.APPLIED,):
                raise Conflict(_("Your application is waiting for a decision."), code="application_pending")
            if status in (EnrollmentStatus.REJECTED, EnrollmentStatus.WITHDRAWN, EnrollmentStatus.REMOVED):
                raise Conflict(_("You can't enroll in this cohort again."), code="enrollment_closed_for_you")
            if status == EnrollmentStatus.PENDING_PAYMENT:
                hold = seats.live_hold(enrollment_id=enrollment.pk, now=now)
                pending = Order.objects.filter(enrollment=enrollment, status=OrderStatus.PENDING).first()
                if hold is not None and pending is not None:
                    return CheckoutResult(enrollment=enrollment, order=pending, hold=hold)
        _check_prerequisite(learner=learner, cohort=cohort, enrollment=enrollment, now=now)

        if hold is None:
            if seats.seats_free(cohort=cohort, now=now) <= 0:
                if enrollment is None:
                    enrollment = Enrollment.objects.create(
                        cohort=cohort, learner=learner, status=EnrollmentStatus.WAITLISTED, status_changed_at=now
                    )
                    return CheckoutResult(enrollment=enrollment, order=None, hold=None, waitlisted=True)
                raise Conflict(_("The cohort is full."), code="cohort_full", extra={"capacity": cohort.capacity})
            created = enrollment is None
            if enrollment is None:
                enrollment = Enrollment.objects.create(
                    cohort=cohort, learner=learner, status=EnrollmentStatus.PENDING_PAYMENT, status_changed_at=now
                )
            elif enrollment.status != EnrollmentStatus.PENDING_PAYMENT:
                if not enrollment_transition(
                    enrollment_id=enrollment.pk, old=enrollment.status, new=EnrollmentStatus.PENDING_PAYMENT, now=now
                ):
                    raise Conflict(_("Your enrollment changed meanwhile; reload."), code="concurrent_change")
                enrollment.status = EnrollmentStatus.PENDING_PAYMENT
        else:
            created = False
        assert enrollment is not None  # a live hold belongs to an enrollment; otherwise one was just created

        if not created:
            # A pending order whose hold lapsed is stale: cancel it (gives back its coupon and credit) first.
            for stale in Order.objects.filter(enrollment=enrollment, status=OrderStatus.PENDING):
                _order_close(order=stale, new=OrderStatus.CANCELLED, now=now)
        if hold is None:
            hold = seats.seat_hold_create(cohort=cohort, enrollment=enrollment, now=now, fresh=created)
        else:
            Order.objects.filter(seat_hold=hold).update(seat_hold=None)  # the stale order lets go of it
        order, lines = _order_create(
            learner=learner,
            cohort=cohort,
            enrollment=enrollment,
            seat_hold=hold,
            coupon_code=coupon_code,
            referral_code=referral_code,
            use_credit=use_credit,
            now=now,
        )
        if order.total_minor == 0:
            Payment.objects.create(
                order=order,
                provider=FREE_PROVIDER,
                amount_minor=0,
                currency=order.currency,
                status=OrderStatus.PAID,
                captured_at=now,
            )
            _order_complete(order=order, now=now)
            order.refresh_from_db()
            enrollment.refresh_from_db(fields=["status"])
            return CheckoutResult(enrollment=enrollment, order=order, hold=hold)
    return CheckoutResult(enrollment=enrollment, order=order, hold=hold, lines=lines)


def _order_create(
    *,
    learner: Any,
    cohort: Cohort,
    enrollment: Enrollment,
    seat_hold: SeatHold,
    coupon_code: str,
    referral_code: str,
    use_credit: bool,
    now: datetime,
) -> tuple[Order, list[OrderLine]]:
    """Price and store an order (with its lines, returned too) with its coupon redemption, credit spend and
    referral. Inside a transaction.

    The learner's row is locked to serialise their credit spends, coupon and referral checks. A learner with no
    credit who gives no code has nothing that two checkouts could spend twice, so the lock is skipped then (the
    common case); with credit, the balance is read again under the lock.
    """
    course = cohort.course
    credit = credit_balance(learner=learner, currency=course.currency, now=now) if use_credit else 0
    if credit > 0 or coupon_code.strip() or referral_code.strip():
        get_user_model().objects.select_for_update().filter(pk=learner.pk).values_list("pk").first()
        if credit > 0:
            credit = credit_balance(learner=learner, currency=course.currency, now=now)
    quote = order_quote(
        learner=learner,
        course=course,
        coupon_code=coupon_code,
        referral_code=referral_code,
        use_credit=use_credit,
        now=now,
        credit_minor=credit,
    )
    if quote.coupon is not None:
        from billing.models import Coupon

        coupon = Coupon.objects.select_for_update().get(pk=quote.coupon.pk)
        if coupon.max_redemptions is not None and coupon.redemptions.count() >= coupon.max_redemptions:
            from stagewise.errors import Invalid

            raise Invalid(_("This coupon has been used up."), code="coupon_exhausted", extra={"field": "coupon"})
    order = Order.objects.create(
        learner=learner,
        enrollment=enrollment,
        cohort=cohort,
        seat_hold=seat_hold,
        currency=quote.currency,
        total_minor=quote.total_minor,
        coupon=quote.coupon,
        referral_code=quote.referral_code,
        status_changed_at=now,
    )
    lines = OrderLine.objects.bulk_create(
        OrderLine(order=order, kind=line.kind, description=line.description[:200], amount_minor=line.amount_minor)
        for line in quote.lines
    )
    if quote.coupon is not None:
        try:
            with transaction.atomic():
                CouponRedemption.objects.create(
                    coupon=quote.coupon, learner=learner, order=order, amount_minor=-quote.line(LineKind.COUPON)
                )
        except IntegrityError as exc:
            from stagewise.errors import Invalid

            raise Invalid(
                _("You have already used this coupon."), code="coupon_already_used", extra={"field": "coupon"}
            ) from exc
    credit = -quote.line(LineKind.UPGRADE_CREDIT)
    if credit:
        CreditEntry.objects.create(
            learner=learner, amount_minor=-credit, currency=quote.currency, kind=CreditKind.SPEND, order=order
        )
    if quote.referral_code is not None:
        Referral.objects.filter(friend=learner, status=ReferralStatus.VOID).delete()
        Referral.objects.create(referrer=quote.referral_code.learner, friend=learner, order=order)
    return order, lines


def _order_close(*, order: Order, new: str, now: datetime) -> bool:
    """pending → cancelled | failed: give back the coupon, the credit and the referral. Inside a transaction."""
    if not order_transition(order_id=order.pk, old=OrderStatus.PENDING, new=new, now=now):
        return False
    Payment.objects.filter(order=order, status=OrderStatus.PENDING).update(status=new)
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


def _order_complete(*, order: Order, now: datetime, hold_converted: bool = False) -> None:
    """pending → paid: the enrollment becomes active and its hold converts. Inside a transaction.

    ``hold_converted``: the caller has converted the hold already (``_seat_hold_convert``) while holding the order's
    row lock and seeing it pending, so the transition below can't fail.
    """
    from billing.refunds import refund_window_end
    from billing.tasks import receipt_mail_task

    if not order_transition(order_id=order.pk, old=OrderStatus.PENDING, new=OrderStatus.PAID, now=now):
        return
    if not hold_converted:
        _seat_hold_convert(order=order, now=now)
    enrollment_transition(
        enrollment_id=order.enrollment_id, old=EnrollmentStatus.PENDING_PAYMENT, new=EnrollmentStatus.ACTIVE, now=now
    )
    if order.referral_code_id is not None:
        cohort = Cohort.objects.select_related("course").get(pk=order.cohort_id)
        Referral.objects.filter(order=order, status=ReferralStatus.PENDING).update(
            credit_due_at=refund_window_end(cohort=cohort)
        )
    transaction.on_commit(lambda: receipt_mail_task.delay(order.pk))


def _seat_hold_convert(*, order: Order, now: datetime) -> bool:
    """HELD → CONVERTED for the order's hold with a conditional UPDATE; False if it had none still held."""
    return seats.seat_hold_finish(hold_id=order.seat_hold_id, status=SeatHoldStatus.CONVERTED, now=now)


# --- payments -----------------------------------------------------------------------------------------------


def payment_start(*, order_id: int, new_attempt: bool = False) -> Payment:
    """Create (once) the provider payment for a pending order and return it, with its client secret.

    Call outside any transaction: it talks to the provider. Safe to call twice: the idempotency key makes the
    provider return the same payment, and the unique provider id makes the second insert a lookup.
    ``new_attempt`` cancels a pending payment and starts another (used after a decline in test mode, where
    localstripe can't confirm the same intent twice; Stripe's Payment Element retries on the same one).
    """
    return payment_start_for_order(order=Order.objects.get(pk=order_id), new_attempt=new_attempt)


def payment_start_for_order(
    *, order: Order, new_attempt: bool = False, attempts: list[Payment] | None = None
) -> Payment:
    """``payment_start`` for an order the caller has just read (or created: ``attempts=[]`` saves the read)."""
    # The latest attempt first, and their number.
    attempts = sorted(order.payments.all() if attempts is None else attempts, key=lambda p: p.pk, reverse=True)
    existing = next((p for p in attempts if p.provider_payment_id is not None), None)
    if existing is not None and existing.status == OrderStatus.PENDING:
        if not new_attempt:
            return existing
        with contextlib.suppress(GatewayError):  # already final at the provider: its webhook tells us what happened
            get_gateway().payment_cancel(existing.provider_payment_id or "")
        Payment.objects.filter(pk=existing.pk, status=OrderStatus.PENDING).update(status=OrderStatus.CANCELLED)
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
    return (
        Payment.objects.select_related("order")
        .select_for_update()
        .filter(provider_payment_id=provider_payment_id)
        .first()
    )


def payment_mark_succeeded(*, result: PaymentResult, now: datetime | None = None) -> Payment | None:
    """Record a verified capture (webhook). Idempotent; handles a capture that arrives after its hold lapsed.

    If the learner's seat is gone by then, the money goes back in full: the cohort is never oversold.
    """
    from billing.refunds import refund_issue
    from billing.statuses import RefundReason

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
            "status": OrderStatus.PAID,
            "captured_minor": min(result.captured_minor or result.amount_minor, payment.amount_minor),
            "captured_at": now,
            "last_error": "",
        }
        Payment.objects.filter(pk=payment.pk).update(**captured)
        for name, value in captured.items():
            setattr(payment, name, value)
        order = payment.order  # its row is locked too: the FOR UPDATE above covers the join
        if order.status == OrderStatus.PENDING and _seat_hold_convert(order=order, now=now):
            # The usual case: the hold was still there, and a held seat is guaranteed.
            _order_complete(order=order, now=now, hold_converted=True)
        elif order.status != OrderStatus.PENDING or not _seat_retaken(order=order, now=now):
            # The hold lapsed and the order was closed, or the seat went to someone else.
            if order.status == OrderStatus.PENDING:
                _order_close(order=order, new=OrderStatus.CANCELLED, now=now)
                enrollment_transition_if(
                    enrollment_id=order.enrollment_id,
                    old=EnrollmentStatus.PENDING_PAYMENT,
                    new=EnrollmentStatus.EXPIRED,
                )
            refund_payment_id = payment.pk
        else:
            _order_complete(order=order, now=now)
    if refund_payment_id is not None:
        logger.warning("payment %s captured after its seat lapsed: refunding in full", payment.pk)
        refund_issue(
            payment_id=refund_payment_id, amount_minor=payment.captured_minor, reason=RefundReason.SEAT_UNAVAILABLE
        )
    return payment


def _seat_retaken(*, order: Order, now: datetime) -> bool:
    """True if the order's enrollment, whose hold lapsed, can retake its seat (taking the cohort lock)."""
    cohort = seats.cohort_lock(cohort_id=order.cohort_id)
    if seats.seats_free(cohort=cohort, now=now) <= 0:
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


def payment_confirm_test_card(*, learner: Any, order_id: int, card_number: str) -> PaymentResult:
    """Test mode (localstripe) only: confirm an order's payment with a test card number."""
    from billing.gateways import is_test_mode

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


# --- holds expiring -----------------------------------------------------------------------------------------


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
        _hold_lapsed(hold=hold, now=now)
    for cohort_id in cohorts:
        seats.waitlist_offer_next(cohort_id=cohort_id, now=now)
    return released


def _hold_lapsed(*, hold: SeatHold, now: datetime) -> None:
    order = Order.objects.filter(enrollment_id=hold.enrollment_id, status=OrderStatus.PENDING).first()
    payment = None
    if order is not None:
        payment = Payment.objects.filter(order=order).exclude(provider_payment_id=None).order_by("-id").first()
    if payment is not None and payment.status == OrderStatus.PENDING:
        gateway = get_gateway()
        try:
            result = gateway.payment_cancel(payment.provider_payment_id or "")
        except GatewayError:
            result = gateway.payment_retrieve(payment.provider_payment_id or "")
        if result.state == PaymentState.SUCCEEDED:
            payment_mark_succeeded(result=result, now=now)
            return
    with transaction.atomic():
        if order is not None:
            failed = payment is not None and bool(Payment.objects.get(pk=payment.pk).last_error)
            _order_close(order=order, new=OrderStatus.FAILED if failed else OrderStatus.CANCELLED, now=now)
        enrollment_transition_if(
            enrollment_id=hold.enrollment_id, old=EnrollmentStatus.PENDING_PAYMENT, new=EnrollmentStatus.EXPIRED
        )


def enrollment_transition_if(*, enrollment_id: int, old: str, new: str) -> bool:
    return enrollment_transition(enrollment_id=enrollment_id, old=old, new=new)


def order_cancel(*, learner: Any, order_id: int, now: datetime | None = None) -> Order:
    """The learner gives up a pending order: its hold is released and the seat offered to the waitlist."""
    now = now or timezone.now()
    order = Order.objects.filter(pk=order_id, learner=learner).first()
    if order is None:
        raise NotFound(_("No such order."), code="order_not_found")
    if order.status != OrderStatus.PENDING:
        raise Conflict(_("Only a pending order can be cancelled."), code="order_not_pending")
    hold = SeatHold.objects.filter(pk=order.seat_hold_id, status=SeatHoldStatus.HELD).first()
    if hold is not None and seats.seat_hold_finish(hold_id=hold.pk, status=SeatHoldStatus.RELEASED, now=now):
        _hold_lapsed(hold=hold, now=now)
        seats.waitlist_offer_next(cohort_id=order.cohort_id, now=now)
    order.refresh_from_db()
    return order


# --- credits and referrals ----------------------------------------------------------------------------------


def credit_grant(
    *,
    learner: Any,
    amount_minor: int,
    currency: str,
    kind: str = CreditKind.GRANT,
    note: str = "",
    expires_at: datetime | None = None,
) -> CreditEntry:
    """Add credit to a learner's ledger (staff grants, upgrade credits when a cohort ends, referral rewards)."""
    if amount_minor <= 0:
        from stagewise.errors import Invalid

        raise Invalid(_("A credit must be positive."), code="invalid_amount")
    return CreditEntry.objects.create(
        learner=learner,
        amount_minor=amount_minor,
        currency=currency.upper(),
        kind=kind,
        note=note,
        expires_at=expires_at,
    )


def referral_code_get_or_create(*, learner: Any) -> ReferralCode:
    import secrets

    existing = ReferralCode.objects.filter(learner=learner).first()
    if existing is not None:
        return existing
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for _attempt in range(5):
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(learner=learner, code=code)
        except IntegrityError:
            existing = ReferralCode.objects.filter(learner=learner).first()
            if existing is not None:
                return existing
    raise Conflict(_("Could not create a referral code; try again."), code="referral_code_collision")


def referral_credits_grant_due(*, now: datetime | None = None) -> int:
    """Credit referrers whose friend's payment cleared and whose refund window has passed. Periodic, idempotent.

    Each referral is claimed with a conditional UPDATE (pending → credited) so a credit is granted once.
    A friend's order that was refunded (in full or in part) voids the referral.
    """
    from django.conf import settings

    now = now or timezone.now()
    granted = 0
    due = Referral.objects.filter(status=ReferralStatus.PENDING, credit_due_at__lte=now).select_related("order")
    for referral in due:
        order = referral.order
        if order.status != OrderStatus.PAID:
            if order.status in CAPTURED_STATUSES or order.status in (OrderStatus.CANCELLED, OrderStatus.FAILED):
                Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
                    status=ReferralStatus.VOID
                )
            continue
        amount = (order.total_minor * settings.BILLING_REFERRAL_CREDIT_PERCENT + 50) // 100
        with transaction.atomic():
            if (
                Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
                    status=ReferralStatus.CREDITED
                )
                != 1
            ):
                continue
            if amount > 0:
                entry = credit_grant(
                    learner=referral.referrer,
                    amount_minor=amount,
                    currency=order.currency,
                    kind=CreditKind.REFERRAL,
                    note=f"referral of order {order.pk}",
                )
                Referral.objects.filter(pk=referral.pk).update(credit_entry=entry)
            granted += 1
    return granted
