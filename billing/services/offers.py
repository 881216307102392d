"""Offers when a cohort ends: completers get credit toward the next stage, the others toward this stage again.

``offers_create_for_cohort`` runs once the cohort's outcomes are final (``cohorts.signals.cohort_closed``). The credit
goes into the ledger with an expiry, so checkout applies it automatically; the offer row remembers what it was for,
and ``offer_mark_used`` links it to the order that took it up (stage-to-stage conversion)."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.consent import consent_allows, unsubscribe_headers, unsubscribe_url
from accounts.models import MailTopic
from billing.models import Order, Payment, Refund, UpgradeOffer
from billing.services.credits import credit_grant
from billing.statuses import CAPTURED_STATUSES, CreditKind, OfferKind, RefundReason, RefundStatus
from cohorts.completion.models import EnrollmentOutcome
from cohorts.models import Cohort
from cohorts.statuses import EnrollmentStatus
from content.models import Course
from stagewise.mail import mail_send

logger = logging.getLogger(__name__)


def paid_for_enrollment(*, enrollment_id: int) -> int:
    """What the learner paid for a seat, net of the money they got back for leaving (minor units). A deposit refund
    is a reward, not money taken back: it doesn't lower the price the offer is a share of (which also keeps the offer
    the same whichever of the two close-time tasks runs first)."""
    captured = Payment.objects.filter(
        order__enrollment_id=enrollment_id, order__status__in=CAPTURED_STATUSES
    ).aggregate(v=Sum("captured_minor"))["v"]
    refunded = (
        Refund.objects.filter(
            payment__order__enrollment_id=enrollment_id,
            status__in=(RefundStatus.SUCCEEDED, RefundStatus.PENDING),
        )
        .exclude(reason=RefundReason.DEPOSIT)
        .aggregate(v=Sum("amount_minor"))["v"]
    )
    return max((captured or 0) - (refunded or 0), 0)


def offer_amount(*, course: Course, kind: str, paid_minor: int) -> int:
    """The course's setting: a fixed credit if it has one (for an upgrade), else a share of what was paid."""
    if kind == OfferKind.UPGRADE and course.upgrade_credit_fixed_minor:
        return course.upgrade_credit_fixed_minor
    percent = course.upgrade_credit_percent if kind == OfferKind.UPGRADE else course.repeat_credit_percent
    return (paid_minor * percent + 50) // 100


def _next_stage(course: Course) -> Course | None:
    return Course.objects.filter(track_id=course.track_id, stage=course.stage + 1, is_published=True).first()


def offers_create_for_cohort(*, cohort_id: int, now: datetime | None = None) -> int:
    """One offer per member with a final outcome; idempotent (one offer per enrollment, by a unique constraint).
    Returns how many this call created."""
    now = now or timezone.now()
    cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
    course = cohort.course
    next_stage = _next_stage(course)
    created = 0
    outcomes = EnrollmentOutcome.objects.filter(enrollment__cohort=cohort).select_related("enrollment__learner")
    for outcome in outcomes:
        if UpgradeOffer.objects.filter(enrollment_id=outcome.enrollment_id).exists():
            continue
        completed = outcome.outcome == EnrollmentStatus.COMPLETED
        kind = OfferKind.UPGRADE if completed else OfferKind.REPEAT
        target = next_stage if completed else course
        if target is None:
            continue  # the top of the ladder: nothing to move up to
        learner = outcome.enrollment.learner
        paid = paid_for_enrollment(enrollment_id=outcome.enrollment_id)
        amount = offer_amount(course=course, kind=kind, paid_minor=paid)
        expires_at = now + timedelta(days=course.offer_valid_days)
        try:
            with transaction.atomic():
                credit = (
                    credit_grant(
                        learner=learner,
                        amount_minor=amount,
                        currency=target.currency,
                        kind=CreditKind.UPGRADE,
                        note=f"{kind}:{outcome.enrollment_id}",
                        expires_at=expires_at,
                    )
                    if amount > 0
                    else None
                )
                offer = UpgradeOffer.objects.create(
                    enrollment_id=outcome.enrollment_id,
                    learner=learner,
                    kind=kind,
                    course=target,
                    credit=credit,
                    amount_minor=amount,
                    currency=target.currency,
                    paid_minor=paid,
                    expires_at=expires_at,
                    created_at=now,
                )
                if consent_allows(user=learner, topic=MailTopic.UPGRADE_OFFERS):
                    # The offer stands either way (checkout applies its credit): only the mail asks for consent.
                    mail_send(
                        user=learner,
                        template="billing_upgrade_offer",
                        context={
                            "offer": offer,
                            "course": target,
                            "from_course": course,
                            "cohort": cohort,
                            "unsubscribe_url": unsubscribe_url(user=learner, topic=MailTopic.UPGRADE_OFFERS),
                        },
                        key=f"offer:{outcome.enrollment_id}",
                        headers=unsubscribe_headers(user=learner, topic=MailTopic.UPGRADE_OFFERS),
                    )
        except IntegrityError:
            continue  # another run created it a moment ago
        created += 1
    logger.info("cohort %s: %s offers created", cohort_id, created)
    return created


def offer_mark_used(*, order_id: int, now: datetime | None = None) -> bool:
    """A paid order for an offer's course takes the learner's open offer up (the newest unexpired one)."""
    now = now or timezone.now()
    order = Order.objects.select_related("cohort").get(pk=order_id)
    offer = (
        UpgradeOffer.objects.filter(
            learner_id=order.learner_id, course_id=order.cohort.course_id, used_order__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if offer is None:
        return False
    return bool(UpgradeOffer.objects.filter(pk=offer.pk, used_order__isnull=True).update(used_order=order, used_at=now))


def offers_open_for_learner(*, learner_id: int, now: datetime | None = None) -> list[UpgradeOffer]:
    now = now or timezone.now()
    return list(
        UpgradeOffer.objects.filter(learner_id=learner_id, used_order__isnull=True, expires_at__gt=now)
        .select_related("course", "course__track")
        .order_by("expires_at")
    )
