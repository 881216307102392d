"""Checkout: the prerequisite check, a seat hold and a priced order (or the waitlist), a free order completed."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import Application, Coupon, CouponRedemption, CreditEntry, Order, OrderLine, Payment, Referral
from billing.pricing import credit_balance, order_quote, spent_referral_q
from billing.services.applications import approval_is_current
from billing.services.orders import order_close, order_complete
from billing.services.upgrades import UpgradeSource, upgrade_refuse_if_pending_elsewhere, upgrade_source
from billing.statuses import CreditKind, LineKind, OrderStatus
from cohorts import seats
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.selectors import cohort_is_visible, needs_application
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from content.models import Prerequisite
from stagewise.errors import Conflict, Invalid, NotFound

FREE_PROVIDER = "free"  # the provider of the payment that completes a zero total


@dataclass(frozen=True)
class CheckoutResult:
    """What ``checkout_start`` did: a hold and an order, or a place on the waitlist."""

    enrollment: Enrollment
    order: Order | None  # None when waitlisted
    hold: SeatHold | None
    waitlisted: bool = False
    # What a new order was created with (its lines in id order; no payment yet), so the checkout can answer without
    # reading it back. None for an order that existed already.
    lines: list[OrderLine] | None = None


def _check_prerequisite(*, learner: User, cohort: Cohort, enrollment: Enrollment | None, now: datetime) -> None:
    """Conflict unless the course lets the learner in: approved (before the payment deadline), or the previous
    stage completed when the course asks for it."""
    course = cohort.course
    # Approved now, or approved earlier and back after a lapsed seat hold (expired): the approval still counts.
    approved = enrollment is not None and (
        enrollment.status == EnrollmentStatus.APPROVED
        or Application.objects.filter(enrollment=enrollment, payment_deadline__isnull=False).exists()
    )
    if approved and enrollment is not None and not approval_is_current(enrollment=enrollment, now=now):
        raise Conflict(_("The payment deadline of your approval has passed."), code="payment_deadline_passed")
    if approved or not needs_application(learner=learner, course=course):
        return
    if course.prerequisite == Prerequisite.APPROVAL:
        raise Conflict(_("This course admits learners by application."), code="application_required")
    raise Conflict(
        _("Complete the previous stage first, or ask an instructor to let you in."), code="prerequisite_missing"
    )


def checkout_start(
    *,
    learner: User,
    cohort_id: int,
    coupon_code: str = "",
    referral_code: str = "",
    use_credit: bool = True,
    upgrade: bool = False,
    now: datetime | None = None,
) -> CheckoutResult:
    """Hold a seat and price an order, or put the learner on the waitlist when the cohort is full.

    A cohort the learner can't see is NotFound, exactly as ``cohort_get_for_user`` answers.

    Everything happens under the cohort's row lock, so capacity can't be exceeded whatever the concurrency.
    Idempotent for a learner who already has a pending order with a live hold: returns it unchanged.
    A zero total completes at once, without the provider. No provider call is made here
    (see ``payment_start``), so the lock is held for a few queries only.

    ``upgrade``: a mid-cohort upgrade from the learner's active enrollment one stage below (``upgrades.upgrade_source``
    says which, or refuses): priced at the difference, admitted without the previous stage completed, and the
    enrollment left ends as ``upgraded`` only when this order is paid (``upgrades.upgrade_finish``).
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
        source = upgrade_source(learner=learner, course=cohort.course) if upgrade else None
        if source is not None:
            upgrade_refuse_if_pending_elsewhere(source=source, cohort_id=cohort.pk, now=now)
        hold = None
        if enrollment is not None:
            status = enrollment.status
            if status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED):
                raise Conflict(_("You are already in this cohort."), code="already_enrolled")
            if status == EnrollmentStatus.WAITLISTED:
                return CheckoutResult(enrollment=enrollment, order=None, hold=None, waitlisted=True)
            if status in (EnrollmentStatus.APPLIED,):
                raise Conflict(_("Your application is waiting for a decision."), code="application_pending")
            if status in (
                EnrollmentStatus.REJECTED,
                EnrollmentStatus.WITHDRAWN,
                EnrollmentStatus.REMOVED,
                EnrollmentStatus.UPGRADED,
            ):
                raise Conflict(_("You can't enroll in this cohort again."), code="enrollment_closed_for_you")
            if status == EnrollmentStatus.PENDING_PAYMENT:
                hold = seats.live_hold(enrollment_id=enrollment.pk, now=now)
                pending = Order.objects.filter(enrollment=enrollment, status=OrderStatus.PENDING).first()
                wanted = source.enrollment.pk if source is not None else None
                if hold is not None and pending is not None and pending.upgrade_from_id == wanted:
                    return CheckoutResult(enrollment=enrollment, order=pending, hold=hold)
        # Moving up mid-cohort is the way into the next stage before completing this one; approval still counts.
        if source is None or cohort.course.prerequisite == Prerequisite.APPROVAL:
            _check_prerequisite(learner=learner, cohort=cohort, enrollment=enrollment, now=now)

        if hold is None:
            if seats.seats_free(cohort=cohort, now=now) <= 0:
                if enrollment is None:
                    enrollment = Enrollment.objects.create(
                        cohort=cohort, learner=learner, status=EnrollmentStatus.WAITLISTED, status_changed_at=now
                    )
                    return CheckoutResult(enrollment=enrollment, order=None, hold=None, waitlisted=True)
                if enrollment.status in (EnrollmentStatus.EXPIRED, EnrollmentStatus.APPROVED):
                    # Back after a lapsed hold, or approved while the cohort filled up: in line like anyone else.
                    if not enrollment_transition(
                        enrollment_id=enrollment.pk, old=enrollment.status, new=EnrollmentStatus.WAITLISTED, now=now
                    ):
                        raise Conflict(_("Your enrollment changed meanwhile; reload."), code="concurrent_change")
                    enrollment.status = EnrollmentStatus.WAITLISTED
                    for stale in Order.objects.filter(enrollment=enrollment, status=OrderStatus.PENDING):
                        order_close(order=stale, new=OrderStatus.CANCELLED, now=now)
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
                order_close(order=stale, new=OrderStatus.CANCELLED, now=now)
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
            upgrade_from=source,
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
            order_complete(order=order, now=now)
            order.refresh_from_db()
            enrollment.refresh_from_db(fields=["status"])
            return CheckoutResult(enrollment=enrollment, order=order, hold=hold)
    return CheckoutResult(enrollment=enrollment, order=order, hold=hold, lines=lines)


def _order_create(
    *,
    learner: User,
    cohort: Cohort,
    enrollment: Enrollment,
    seat_hold: SeatHold,
    coupon_code: str,
    referral_code: str,
    use_credit: bool,
    now: datetime,
    upgrade_from: UpgradeSource | None = None,
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
        User.objects.select_for_update().filter(pk=learner.pk).values_list("pk").first()
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
        upgrade_from=upgrade_from.enrollment.cohort.course if upgrade_from is not None else None,
        upgrade_paid_minor=upgrade_from.paid_minor if upgrade_from is not None else 0,
    )
    if quote.coupon is not None:
        coupon = Coupon.objects.select_for_update().get(pk=quote.coupon.pk)
        if coupon.max_redemptions is not None and coupon.redemptions.count() >= coupon.max_redemptions:
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
        upgrade_from=upgrade_from.enrollment if upgrade_from is not None else None,
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
            raise Invalid(
                _("You have already used this coupon."), code="coupon_already_used", extra={"field": "coupon"}
            ) from exc
    credit = -quote.line(LineKind.UPGRADE_CREDIT)
    if credit:
        CreditEntry.objects.create(
            learner=learner, amount_minor=-credit, currency=quote.currency, kind=CreditKind.SPEND, order=order
        )
    if quote.referral_code is not None:
        Referral.objects.filter(spent_referral_q(), friend=learner).delete()  # one referral per friend
        Referral.objects.create(referrer=quote.referral_code.learner, friend=learner, order=order)
    return order, lines
