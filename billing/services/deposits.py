"""The deposit challenge (打卡返学费) at the close of a cohort: every member who kept it gets the course's share of
what they paid back through the provider, once.

``deposit_refunds_issue`` runs once the cohort's outcomes are final (``cohorts.signals.cohort_closed``). Who kept the
challenge is ``cohorts.deposit.rules`` over the check-ins as they stand then (after the instructors' review).
Members who withdrew or were removed have no outcome and get nothing.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from billing.models import DepositRefund, Payment
from billing.refund_policy import REFUNDABLE
from billing.services.offers import paid_for_enrollment
from billing.services.refunds import refund_issue
from billing.statuses import RefundReason, RefundStatus
from cohorts.completion.models import OUTCOMES
from cohorts.deposit.rules import OUT, deposit_standing_compute
from cohorts.deposit.selectors import deposit_rule
from cohorts.models import CheckIn, Cohort, Enrollment

logger = logging.getLogger(__name__)


def deposit_amount(*, paid_minor: int, percent: int) -> int:
    """The course's share of what was paid, rounded down (money going out never exceeds the promise)."""
    return paid_minor * percent // 100


def deposit_refund_issue(*, enrollment_id: int, percent: int, now: datetime) -> DepositRefund | None:
    """Refund one member who kept the challenge; None if there is nothing to refund or another run did it.

    Decided under SELECT FOR UPDATE on the member's payment (the lock every refund decision takes) and checked
    against the claim row there, so a second run, on this worker or another, finds the claim and asks the provider
    nothing. The claim commits with the refund; a refusal leaves the refund due (``refunds_retry_due`` retries it).
    """
    payment_id = (
        Payment.objects.filter(order__enrollment_id=enrollment_id, status__in=REFUNDABLE)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    if payment_id is None:
        return None  # a free seat, or everything went back already
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if DepositRefund.objects.filter(enrollment_id=enrollment_id).exists():
            return None
        if payment.status not in REFUNDABLE:
            return None  # refunded in full meanwhile
        if payment.refunds.filter(status=RefundStatus.DUE).exists():
            # Another refund of this payment is owed and being retried, and ``refund_issue`` would hand that one back:
            # left to staff (logged) rather than recording the wrong refund as the deposit.
            logger.warning(
                "deposit of enrollment %s not refunded: payment %s has a refund due", enrollment_id, payment_id
            )
            return None
        paid = paid_for_enrollment(enrollment_id=enrollment_id)
        amount = min(deposit_amount(paid_minor=paid, percent=percent), payment.refundable_minor)
        if amount <= 0:
            return None
        refund = refund_issue(
            payment_id=payment.pk, amount_minor=amount, reason=RefundReason.DEPOSIT, owed=True, now=now
        )
        return DepositRefund.objects.create(
            enrollment_id=enrollment_id, refund=refund, percent=percent, paid_minor=paid, created_at=now
        )


def deposit_refunds_issue(*, cohort_id: int, now: datetime | None = None) -> dict[str, int]:
    """Once a cohort is closed: refund everyone who kept the deposit challenge. Idempotent (one claim per
    enrollment). Returns how many were refunded, are due (refused, retried later), and how many members were out."""
    now = now or timezone.now()
    done = {"refunded": 0, "due": 0, "amount_minor": 0, "out": 0}
    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
    rule = deposit_rule(cohort.course)
    if rule.percent <= 0 or cohort.closed_at is None:
        return done
    members = list(
        Enrollment.objects.filter(
            cohort=cohort, status__in=OUTCOMES, outcome__isnull=False, deposit_refund__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    checkins: dict[int, list[tuple[int, str, bool]]] = {}
    for enrollment_id, day, status, makeup in CheckIn.objects.filter(enrollment_id__in=members).values_list(
        "enrollment_id", "day", "status", "is_makeup"
    ):
        checkins.setdefault(enrollment_id, []).append((day, status, makeup))
    for enrollment_id in members:
        standing = deposit_standing_compute(
            rule=rule,
            duration=cohort.duration_days,
            today=cohort.duration_days + 1,
            checkins=checkins.get(enrollment_id, ()),
        )
        if standing.state == OUT:
            done["out"] += 1
            continue
        issued = deposit_refund_issue(enrollment_id=enrollment_id, percent=rule.percent, now=now)
        if issued is None:
            continue
        if issued.refund.status == RefundStatus.DUE:
            done["due"] += 1
        else:
            done["refunded"] += 1
            done["amount_minor"] += issued.refund.amount_minor
    logger.info("cohort %s: deposit refunds %s", cohort_id, done)
    return done
