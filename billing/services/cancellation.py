"""A cancelled cohort refunds everyone in full, closes its pending orders and frees its holds, once."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Payment
from billing.refund_policy import REFUNDABLE
from billing.services.holds import enrollment_lapse, hold_lapse
from billing.services.refunds import refund_issue
from billing.statuses import RefundReason, RefundStatus
from cohorts import seats
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.statuses import CohortStatus, EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict


def cohort_cancellation_refund(*, cohort_id: int, now: datetime | None = None) -> dict[str, int]:
    """A cancelled cohort: refund every payment in full (what is left of it), close pending orders, free holds,
    expire the waitlisted and the approved who had not paid.

    Idempotent: a payment already refunded in full has nothing left, so a second run refunds nothing.
    Each payment is refunded in its own transaction under its row lock; a refund the provider refuses is recorded
    as due (counted in ``failed``) and retried by ``refunds_retry_due``, not by another run.
    """
    now = now or timezone.now()
    cohort = Cohort.objects.get(pk=cohort_id)
    if cohort.status != CohortStatus.CANCELLED:
        raise Conflict(_("Only a cancelled cohort refunds everyone."), code="cohort_not_cancelled")
    done = {"refunded": 0, "amount_minor": 0, "holds_released": 0, "failed": 0, "expired": 0}
    for hold in SeatHold.objects.filter(cohort_id=cohort_id, status=SeatHoldStatus.HELD):
        if seats.seat_hold_finish(hold_id=hold.pk, status=SeatHoldStatus.RELEASED, now=now):
            hold_lapse(hold=hold, now=now)
            done["holds_released"] += 1
    # The cancellation released the holds already; their orders close and their learners expire here.
    waiting = Enrollment.objects.filter(cohort_id=cohort_id, status=EnrollmentStatus.PENDING_PAYMENT)
    for enrollment_id in waiting.values_list("pk", flat=True):
        enrollment_lapse(enrollment_id=enrollment_id, now=now)
    # Nobody waits for a seat or a payment deadline in a cohort that won't run.
    queued = Enrollment.objects.filter(
        cohort_id=cohort_id, status__in=(EnrollmentStatus.WAITLISTED, EnrollmentStatus.APPROVED)
    ).values_list("pk", "status")
    for enrollment_id, status in queued:
        if enrollment_transition(enrollment_id=enrollment_id, old=status, new=EnrollmentStatus.EXPIRED, now=now):
            done["expired"] += 1
    payments = Payment.objects.filter(order__cohort_id=cohort_id, status__in=REFUNDABLE).exclude(
        refunds__status=RefundStatus.DUE  # already owed and being retried (refund_retry)
    )
    for payment in payments:
        if payment.refundable_minor <= 0:
            continue
        try:
            refund = refund_issue(
                payment_id=payment.pk, amount_minor=None, reason=RefundReason.COHORT_CANCELLED, owed=True, now=now
            )
        except Conflict as exc:
            if exc.code == "not_refundable":
                continue  # a concurrent run got there first
            raise
        if refund.status == RefundStatus.DUE:
            done["failed"] += 1
            continue
        done["refunded"] += 1
        done["amount_minor"] += refund.amount_minor
    return done
