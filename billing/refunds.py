"""Refunds: by the course's policy when a learner withdraws, any amount by staff, everyone when a cohort is cancelled.

The sum of a payment's refunds never exceeds its capture: every refund is decided under SELECT FOR UPDATE on
the payment row, and the database checks ``refunded_minor <= captured_minor`` as well.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.gateways import get_gateway
from billing.gateways.interface import GatewayError, RefundResult
from billing.models import Order, Payment, Refund, RefundPolicy
from billing.statuses import OrderStatus, RefundReason, RefundStatus
from cohorts import days, seats
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.statuses import CohortStatus, EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict, Invalid, NotFound

logger = logging.getLogger(__name__)

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class RefundPreview:
    amount_minor: int
    currency: str
    rule: str  # full | partial | none
    percent: int


def policy_for(*, cohort: Cohort) -> RefundPolicy:
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


def _apply_refund(*, payment: Payment, amount_minor: int, now: datetime) -> None:
    """Add to the payment's refunded total and move the payment and order status. Payment row must be locked."""
    from billing.services import _refund_status, order_transition

    payment.refunded_minor += amount_minor
    payment.status = _refund_status(captured=payment.captured_minor, refunded=payment.refunded_minor)
    payment.save(update_fields=["refunded_minor", "status"])
    order = Order.objects.get(pk=payment.order_id)
    # An order closed before its late capture stays closed; its payment carries the refund.
    if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED) and order.status != payment.status:
        order_transition(order_id=order.pk, old=order.status, new=payment.status, now=now)


def refund_issue(
    *,
    payment_id: int,
    amount_minor: int | None,
    reason: str,
    actor: Any = None,
    note: str = "",
    now: datetime | None = None,
) -> Refund:
    """Refund ``amount_minor`` (None: everything left) of a captured payment through the provider, and record it.

    Holds SELECT FOR UPDATE on the payment for the whole call, including the provider round trip, so two
    concurrent refunds can't both pass the bound check; a provider failure rolls everything back.
    """
    now = now or timezone.now()
    if amount_minor is not None and amount_minor <= 0:
        raise Invalid(_("A refund must be a positive amount."), code="invalid_amount", extra={"field": "amount_minor"})
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise NotFound(_("No such payment."), code="payment_not_found")
        if payment.status not in REFUNDABLE or payment.refundable_minor <= 0:
            raise Conflict(_("Nothing to refund on this payment."), code="not_refundable")
        if amount_minor is None:
            amount_minor = payment.refundable_minor
        if amount_minor > payment.refundable_minor:
            raise Conflict(
                _("A refund can't exceed what is left of the payment."),
                code="refund_exceeds_capture",
                extra={"refundable_minor": payment.refundable_minor},
            )
        provider_id = None
        status = RefundStatus.SUCCEEDED
        if payment.provider_payment_id:
            seq = payment.refunds.count() + 1
            try:
                result = get_gateway().refund_create(
                    payment.provider_payment_id,
                    amount_minor=amount_minor,
                    currency=payment.currency,
                    idempotency_key=f"stagewise-refund-{payment.pk}-{seq}-{amount_minor}",
                )
            except GatewayError as exc:
                raise Conflict(
                    _("The payment provider refused the refund: %(error)s") % {"error": exc.message},
                    code="refund_failed",
                ) from exc
            provider_id = result.provider_refund_id
            status = RefundStatus.PENDING if result.state == "pending" else RefundStatus.SUCCEEDED
        refund = Refund.objects.create(
            payment=payment,
            amount_minor=amount_minor,
            currency=payment.currency,
            provider_refund_id=provider_id,
            status=status,
            reason=reason,
            note=note[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _apply_refund(payment=payment, amount_minor=amount_minor, now=now)
    return refund


def refund_record_from_provider(
    *,
    provider_payment_id: str,
    refunds: tuple[RefundResult, ...],
    amount_refunded_minor: int,
    now: datetime | None = None,
) -> int:
    """Record refunds made outside the app (the provider's dashboard) from a verified ``charge.refunded``.

    Refunds we made ourselves are already there (matched by provider refund id). When the event carries no
    refund list (current API versions), the difference between the charge's refunded total and ours is recorded.
    Returns the amount newly recorded.
    """
    now = now or timezone.now()
    recorded = 0
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(provider_payment_id=provider_payment_id).first()
        if payment is None or payment.status not in REFUNDABLE:
            return 0
        for item in refunds:
            if item.state == "failed" or Refund.objects.filter(provider_refund_id=item.provider_refund_id).exists():
                continue
            amount = min(item.amount_minor, payment.refundable_minor)
            if amount <= 0:
                continue
            Refund.objects.create(
                payment=payment,
                amount_minor=amount,
                currency=payment.currency,
                provider_refund_id=item.provider_refund_id,
                reason=RefundReason.DASHBOARD,
            )
            _apply_refund(payment=payment, amount_minor=amount, now=now)
            recorded += amount
        gap = min(amount_refunded_minor, payment.captured_minor) - payment.refunded_minor
        if not refunds and gap > 0:
            Refund.objects.create(
                payment=payment, amount_minor=gap, currency=payment.currency, reason=RefundReason.DASHBOARD
            )
            _apply_refund(payment=payment, amount_minor=gap, now=now)
            recorded += gap
    return recorded


def enrollment_withdraw(
    *, learner: Any, enrollment_id: int, now: datetime | None = None
) -> tuple[Enrollment, Refund | None]:
    """A learner leaves an active enrollment and gets back what the policy allows (see ``refund_preview``)."""
    now = now or timezone.now()
    enrollment = (
        Enrollment.objects.select_related("cohort", "cohort__course").filter(pk=enrollment_id, learner=learner).first()
    )
    if enrollment is None:
        raise NotFound(_("No such enrollment."), code="enrollment_not_found")
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise Conflict(_("Only an active enrollment can be withdrawn."), code="not_active")
    preview = refund_preview(enrollment=enrollment, now=now)
    refund = None
    with transaction.atomic():
        if not enrollment_transition(
            enrollment_id=enrollment.pk, old=EnrollmentStatus.ACTIVE, new=EnrollmentStatus.WITHDRAWN, now=now
        ):
            raise Conflict(_("Your enrollment changed meanwhile; reload."), code="concurrent_change")
        if preview.amount_minor > 0:
            payment = paid_payment_for(enrollment=enrollment)
            assert payment is not None
            refund = refund_issue(
                payment_id=payment.pk, amount_minor=preview.amount_minor, reason=RefundReason.WITHDRAWAL, actor=learner
            )
    enrollment.refresh_from_db()
    if enrollment.cohort.status == CohortStatus.OPEN:
        seats.waitlist_offer_next(cohort_id=enrollment.cohort_id, now=now)
    return enrollment, refund


def staff_refund(*, actor: Any, payment_id: int, amount_minor: int, note: str = "") -> Refund:
    """Staff refund any amount up to what is left of the payment."""
    from stagewise.errors import Forbidden
    from stagewise.permissions import is_staff

    if not is_staff(actor):
        raise Forbidden(_("Only staff can issue refunds."), code="forbidden")
    return refund_issue(
        payment_id=payment_id, amount_minor=amount_minor, reason=RefundReason.STAFF, actor=actor, note=note
    )


def cohort_cancellation_refund(*, cohort_id: int, now: datetime | None = None) -> dict[str, int]:
    """A cancelled cohort: refund every payment in full (what is left of it), close pending orders, free holds.

    Idempotent: a payment already refunded in full has nothing left, so a second run refunds nothing.
    Each payment is refunded in its own transaction under its row lock; a provider failure leaves that payment
    for the next run (the task retries).
    """
    from billing.services import _hold_lapsed

    now = now or timezone.now()
    cohort = Cohort.objects.get(pk=cohort_id)
    if cohort.status != CohortStatus.CANCELLED:
        raise Conflict(_("Only a cancelled cohort refunds everyone."), code="cohort_not_cancelled")
    done = {"refunded": 0, "amount_minor": 0, "holds_released": 0, "failed": 0}
    for hold in SeatHold.objects.filter(cohort_id=cohort_id, status=SeatHoldStatus.HELD):
        if seats.seat_hold_finish(hold_id=hold.pk, status=SeatHoldStatus.RELEASED, now=now):
            _hold_lapsed(hold=hold, now=now)
            done["holds_released"] += 1
    for payment in Payment.objects.filter(order__cohort_id=cohort_id, status__in=REFUNDABLE):
        if payment.refundable_minor <= 0:
            continue
        try:
            refund = refund_issue(
                payment_id=payment.pk, amount_minor=None, reason=RefundReason.COHORT_CANCELLED, now=now
            )
        except Conflict as exc:
            if exc.code == "refund_failed":
                done["failed"] += 1
                continue
            if exc.code == "not_refundable":
                continue  # a concurrent run got there first
            raise
        done["refunded"] += 1
        done["amount_minor"] += refund.amount_minor
    return done
