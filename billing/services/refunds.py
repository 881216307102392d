"""Refunds: by the course's policy when a learner withdraws, any amount by staff, those made in the provider's
dashboard.

The sum of a payment's refunds never exceeds its capture: every refund is decided under SELECT FOR UPDATE on
the payment row, and the database checks ``refunded_minor <= captured_minor`` as well.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.gateways import get_gateway
from billing.gateways.interface import GatewayError, RefundResult, RefundState
from billing.models import Order, Payment, Refund
from billing.notifications import refund_mail
from billing.refund_policy import REFUNDABLE, paid_payment_for, refund_preview
from billing.services.orders import order_status_after_refund, order_transition, payment_transition
from billing.signals import order_refunded
from billing.statuses import REFUND_TRANSITIONS, OrderStatus, RefundReason, RefundStatus, can_transition
from cohorts import seats
from cohorts.models import Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict, Forbidden, Invalid, NotFound
from stagewise.permissions import is_staff

logger = logging.getLogger(__name__)

REFUND_RETRY_MAX_DELAY = timedelta(hours=6)


def _apply_refund(*, payment: Payment, amount_minor: int, now: datetime) -> None:
    """Add to the payment's refunded total and move the payment and order status. Payment row must be locked."""
    payment.refunded_minor += amount_minor
    new = order_status_after_refund(captured=payment.captured_minor, refunded=payment.refunded_minor)
    if new == payment.status:  # a further partial refund
        payment.save(update_fields=["refunded_minor"])
    else:
        payment_transition(
            payment_id=payment.pk, old=payment.status, new=new, values={"refunded_minor": payment.refunded_minor}
        )
        payment.status = new
    order = Order.objects.select_related("cohort").get(pk=payment.order_id)
    order_id = order.pk
    transaction.on_commit(lambda: order_refunded.send(sender=Order, order_id=order_id))
    # An order closed before its late capture stays closed; its payment carries the refund.
    if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED) and order.status != payment.status:
        order_transition(order_id=order.pk, old=order.status, new=payment.status, now=now)
    # All the money went back (a cancelled cohort, staff, the provider's dashboard): the learner has left, and a
    # seat of an open cohort goes to the waitlist.
    left = payment.status == OrderStatus.REFUNDED and enrollment_transition(
        enrollment_id=order.enrollment_id, old=EnrollmentStatus.ACTIVE, new=EnrollmentStatus.WITHDRAWN, now=now
    )
    if left and order.cohort.status == CohortStatus.OPEN:
        cohort_id = order.cohort_id
        transaction.on_commit(lambda: seats.waitlist_offer_next(cohort_id=cohort_id))


def refund_issue(
    *,
    payment_id: int,
    amount_minor: int | None,
    reason: str,
    actor: User | None = None,
    note: str = "",
    owed: bool = False,
    now: datetime | None = None,
) -> Refund:
    """Refund ``amount_minor`` (None: everything left) of a captured payment through the provider, and record it.

    Holds SELECT FOR UPDATE on the payment for the whole call, including the provider round trip, so two
    concurrent refunds can't both pass the bound check; a provider failure rolls everything back.

    ``owed``: the learner is owed this money whatever the provider says now (a capture after the seat was lost, a
    cancelled cohort), and nobody is there to read an error. A refusal then records the refund as due (staff see
    it) and ``refunds_retry_due`` retries it with backoff, instead of raising.
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
        due = payment.refunds.filter(status=RefundStatus.DUE).first() if owed else None
        if due is not None:
            return due  # owed already, and being retried: asking twice could refund twice
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
            key = f"stagewise-refund-{payment.pk}-{seq}-{amount_minor}"
            try:
                result = get_gateway().refund_create(
                    payment.provider_payment_id,
                    amount_minor=amount_minor,
                    currency=payment.currency,
                    idempotency_key=key,
                )
            except GatewayError as exc:
                if owed:
                    return _refund_due(
                        payment=payment, amount_minor=amount_minor, reason=reason, key=key, exc=exc, now=now
                    )
                raise Conflict(
                    _("The payment provider refused the refund: %(error)s") % {"error": exc.message},
                    code="refund_failed",
                ) from exc
            provider_id = result.provider_refund_id
            status = RefundStatus.PENDING if result.state == RefundState.PENDING else RefundStatus.SUCCEEDED
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
        refund_mail(refund=refund)  # sent after commit: a rollback mails nothing
    return refund


def _retry_delay(attempts: int) -> timedelta:
    """Backoff after ``attempts`` refused requests: 1, 2, 4 … minutes, at most 6 hours."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), REFUND_RETRY_MAX_DELAY)


def _next_key(*, refund: Refund, used: str, exc: GatewayError) -> str:
    """The idempotency key of the next request: the same after a transient error (the request may have reached the
    provider, which then answers the retry with the refund it made), a new one after a refusal (which the provider
    would repeat for the same key)."""
    return f"stagewise-refund-due-{refund.pk}-{refund.attempts}" if exc.permanent else used


def _refund_due(
    *, payment: Payment, amount_minor: int, reason: str, key: str, exc: GatewayError, now: datetime
) -> Refund:
    """Record a refused refund that is owed as due. Payment row locked by the caller."""
    logger.warning("refund of %s on payment %s refused (%s): due, retried later", amount_minor, payment.pk, exc.code)
    refund = Refund.objects.create(
        payment=payment,
        amount_minor=amount_minor,
        currency=payment.currency,
        status=RefundStatus.DUE,
        reason=reason,
        attempts=1,
        last_error=f"{exc.code}: {exc.message}"[:300],
        next_attempt_at=now + _retry_delay(1),
    )
    refund.idempotency_key = _next_key(refund=refund, used=key, exc=exc)
    refund.save(update_fields=["idempotency_key"])
    return refund


def refund_retry(*, refund_id: int, now: datetime | None = None, early: bool = False) -> Refund:
    """Ask the provider again for a due refund; at most once per due refund, however many workers try.

    Locks the payment row (as every refund decision does), then the refund's, for the provider round trip. What is
    left of the payment bounds it: a refund staff made meanwhile leaves less to send, or nothing (void). A refusal
    counts an attempt and sets the next one. ``early``: staff ask now, before the backoff is over.
    """
    now = now or timezone.now()
    payment_id = Refund.objects.filter(pk=refund_id).values_list("payment_id", flat=True).first()
    if payment_id is None:
        raise NotFound(_("No such refund."), code="refund_not_found")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != RefundStatus.DUE:
            return refund  # another worker got there first
        if not early and refund.next_attempt_at is not None and refund.next_attempt_at > now:
            return refund
        amount = min(refund.amount_minor, payment.refundable_minor if payment.status in REFUNDABLE else 0)
        if amount <= 0:
            _refund_finish(refund=refund, new=RefundStatus.VOID, values={"next_attempt_at": None})
            logger.info("due refund %s: nothing left on payment %s, void", refund.pk, payment.pk)
            return refund
        if amount != refund.amount_minor:
            # A new amount is a new request: the provider refuses a key reused with other parameters.
            refund.amount_minor = amount
            refund.idempotency_key = f"stagewise-refund-due-{refund.pk}-{refund.attempts}-{amount}"
        try:
            result = get_gateway().refund_create(
                payment.provider_payment_id or "",
                amount_minor=amount,
                currency=payment.currency,
                idempotency_key=refund.idempotency_key,
            )
        except GatewayError as exc:
            refund.attempts += 1
            refund.last_error = f"{exc.code}: {exc.message}"[:300]
            refund.next_attempt_at = now + _retry_delay(refund.attempts)
            refund.idempotency_key = _next_key(refund=refund, used=refund.idempotency_key, exc=exc)
            refund.save(update_fields=["amount_minor", "attempts", "last_error", "next_attempt_at", "idempotency_key"])
            logger.warning("due refund %s refused again (%s): attempt %s", refund.pk, exc.code, refund.attempts)
            return refund
        new = RefundStatus.PENDING if result.state == RefundState.PENDING else RefundStatus.SUCCEEDED
        values = {
            "amount_minor": amount,
            "provider_refund_id": result.provider_refund_id,
            "attempts": refund.attempts + 1,
            "last_error": "",
            "next_attempt_at": None,
        }
        if _refund_finish(refund=refund, new=new, values=values):
            _apply_refund(payment=payment, amount_minor=amount, now=now)
            refund_mail(refund=refund)
    return refund


def _refund_finish(*, refund: Refund, new: str, values: dict[str, Any]) -> bool:
    """due → ``new`` with a conditional UPDATE (checked against the table); False if it was no longer due."""
    if not can_transition(REFUND_TRANSITIONS, refund.status, new):
        raise Conflict(f"A refund can't go from {refund.status} to {new}.", code="invalid_transition")
    changed = Refund.objects.filter(pk=refund.pk, status=refund.status).update(status=new, **values)
    if changed == 1:
        refund.status = new
        for name, value in values.items():
            setattr(refund, name, value)
    return changed == 1


def refunds_retry_due(*, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Periodic: retry every due refund whose next attempt has come. Returns how many went through, still due."""
    now = now or timezone.now()
    done = {"refunded": 0, "due": 0, "void": 0}
    due = Refund.objects.filter(status=RefundStatus.DUE, next_attempt_at__lte=now).order_by("next_attempt_at", "id")
    for refund_id in due.values_list("pk", flat=True)[:limit]:
        refund = refund_retry(refund_id=refund_id, now=now)
        if refund.status == RefundStatus.DUE:
            done["due"] += 1
        elif refund.status == RefundStatus.VOID:
            done["void"] += 1
        else:
            done["refunded"] += 1
    return done


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
            if (
                item.state == RefundState.FAILED
                or Refund.objects.filter(provider_refund_id=item.provider_refund_id).exists()
            ):
                continue
            amount = min(item.amount_minor, payment.refundable_minor)
            if amount <= 0:
                continue
            refund = Refund.objects.create(
                payment=payment,
                amount_minor=amount,
                currency=payment.currency,
                provider_refund_id=item.provider_refund_id,
                reason=RefundReason.DASHBOARD,
            )
            _apply_refund(payment=payment, amount_minor=amount, now=now)
            refund_mail(refund=refund)
            recorded += amount
        gap = min(amount_refunded_minor, payment.captured_minor) - payment.refunded_minor
        if not refunds and gap > 0:
            refund = Refund.objects.create(
                payment=payment, amount_minor=gap, currency=payment.currency, reason=RefundReason.DASHBOARD
            )
            _apply_refund(payment=payment, amount_minor=gap, now=now)
            refund_mail(refund=refund)
            recorded += gap
    return recorded


def enrollment_withdraw(
    *, learner: User, enrollment_id: int, now: datetime | None = None
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


def staff_refund(*, actor: User | AnonymousUser, payment_id: int, amount_minor: int, note: str = "") -> Refund:
    """Staff refund any amount up to what is left of the payment; anyone else is Forbidden."""
    if not isinstance(actor, User) or not is_staff(actor):
        raise Forbidden(_("Only staff can issue refunds."), code="forbidden")
    return refund_issue(
        payment_id=payment_id, amount_minor=amount_minor, reason=RefundReason.STAFF, actor=actor, note=note
    )
