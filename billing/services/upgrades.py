"""Moving up a stage mid-cohort: an active member checks out the next stage's cohort paying the difference; when that
order is paid, the old enrollment ends as ``upgraded`` (its seat freed) and an ``Upgrade`` row records the move.

The checkout (``checkout_start(upgrade=True)``) asks ``upgrade_source`` which enrollment the learner leaves and what
it counts for; ``order_complete`` calls ``upgrade_finish`` in the transaction that activates the new enrollment, so
both enrollments change together or not at all, whether the payment succeeded on the webhook or was free.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from billing.models import Order, Upgrade, UpgradeOffer
from billing.pricing import Quote, order_quote
from billing.services.offers import paid_for_enrollment
from billing.signals import upgrade_completed
from billing.statuses import LineKind, OrderStatus
from cohorts import seats
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import next_stage_open_cohort
from cohorts.statuses import MEMBER_STATUSES, CohortStatus, EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from content.models import Course
from stagewise.errors import Conflict, NotFound

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpgradeSource:
    """The enrollment a learner moves up from, and what they paid for its seat (net of refunds, minor units)."""

    enrollment: Enrollment
    paid_minor: int


def _refuse_unless_active(enrollment: Enrollment) -> None:
    if enrollment.status == EnrollmentStatus.UPGRADED or Upgrade.objects.filter(from_enrollment=enrollment).exists():
        raise Conflict(_("You have already moved up from this cohort."), code="already_upgraded")
    if enrollment.status != EnrollmentStatus.ACTIVE or enrollment.cohort.status not in (
        CohortStatus.OPEN,
        CohortStatus.RUNNING,
    ):
        raise Conflict(
            _("Only an active member of a cohort that has not ended can move up a stage."), code="upgrade_not_active"
        )


def upgrade_source(*, learner: User, course: Course) -> UpgradeSource:
    """The learner's enrollment in the stage below ``course`` (same track) that an upgrade to ``course`` ends, with
    what it counts for. Refuses with ``upgrade_not_member`` (no enrollment one stage below), ``already_upgraded``,
    ``upgrade_not_active`` (not active, or its cohort has ended), ``upgrade_currency_mismatch``."""
    below = list(
        Enrollment.objects.select_related("cohort", "cohort__course")
        .filter(learner=learner, cohort__course__track_id=course.track_id, cohort__course__stage=course.stage - 1)
        .exclude(status__in=(EnrollmentStatus.APPLIED, EnrollmentStatus.REJECTED, EnrollmentStatus.WAITLISTED))
        .order_by("-cohort__starts_on", "-id")
    )
    active = [e for e in below if e.status == EnrollmentStatus.ACTIVE]
    if not below or course.stage <= 1:
        raise Conflict(_("You are not a member of a cohort of the stage below this one."), code="upgrade_not_member")
    enrollment = active[0] if active else below[0]
    _refuse_unless_active(enrollment)
    if enrollment.cohort.course.currency.upper() != course.currency.upper():
        raise Conflict(
            _("This stage is priced in another currency: what you paid can't count toward it."),
            code="upgrade_currency_mismatch",
        )
    return UpgradeSource(enrollment=enrollment, paid_minor=paid_for_enrollment(enrollment_id=enrollment.pk))


def upgrade_refuse_if_pending_elsewhere(*, source: UpgradeSource, cohort_id: int, now: datetime) -> None:
    """``upgrade_pending`` if the learner is already paying to move up from the same seat into another cohort (its
    seat still held): two such payments would buy two seats for one. A lapsed one is stale and doesn't count."""
    if (
        Order.objects.filter(
            upgrade_from=source.enrollment,
            status=OrderStatus.PENDING,
            seat_hold__status=SeatHoldStatus.HELD,
            seat_hold__expires_at__gt=now,
        )
        .exclude(cohort_id=cohort_id)
        .exists()
    ):
        raise Conflict(
            _("You are already moving up into another cohort: finish or cancel that payment first."),
            code="upgrade_pending",
        )


def upgrade_quote(
    *, learner: User, cohort: Cohort, coupon_code: str = "", referral_code: str = "", now: datetime | None = None
) -> Quote:
    """What moving up to ``cohort`` costs now: its course's price minus what the learner paid for the seat they
    leave (a line of its own, never below zero), then the usual discounts. Refuses as ``upgrade_source`` does."""
    source = upgrade_source(learner=learner, course=cohort.course)
    return order_quote(
        learner=learner,
        course=cohort.course,
        coupon_code=coupon_code,
        referral_code=referral_code,
        now=now or timezone.now(),
        upgrade_from=source.enrollment.cohort.course,
        upgrade_paid_minor=source.paid_minor,
    )


@dataclass(frozen=True)
class UpgradeTarget:
    """Where an active member may move up to now: the next stage's soonest open cohort."""

    enrollment: Enrollment
    cohort: Cohort


def upgrade_target_for(*, learner: User, enrollment_id: int) -> UpgradeTarget:
    """The next stage's open cohort for one of the learner's enrollments. NotFound for someone else's enrollment;
    ``already_upgraded``, ``upgrade_not_active``, or ``upgrade_no_next_stage`` (no next stage, or none of its
    cohorts is open)."""
    enrollment = (
        Enrollment.objects.select_related("cohort", "cohort__course").filter(pk=enrollment_id, learner=learner).first()
    )
    if enrollment is None or enrollment.status not in (*MEMBER_STATUSES, EnrollmentStatus.UPGRADED):
        raise NotFound(_("No such enrollment."), code="enrollment_not_found")
    _refuse_unless_active(enrollment)
    cohort = next_stage_open_cohort(course=enrollment.cohort.course)
    if cohort is None:
        raise Conflict(_("The next stage has no cohort open for enrollment."), code="upgrade_no_next_stage")
    return UpgradeTarget(enrollment=enrollment, cohort=cohort)


def upgrade_finish(*, order: Order, now: datetime) -> Upgrade | None:
    """The paid ``order`` moved its learner up: its ``upgrade_from`` enrollment active → upgraded (its seat freed, the
    waitlist offered it while the cohort is open, its reminders stop), an ``Upgrade`` row, an open offer toward the
    new course used, and the learner's mail after commit.

    Call inside the transaction that turned the order paid and its enrollment active (``order_complete``), so the two
    enrollments change together. Once per order: ``order_complete`` runs once per order. Should the old enrollment no
    longer be active by then (withdrawn or ended meanwhile), it is left as it is, and nothing is recorded.
    """
    if order.upgrade_from_id is None:
        return None
    if not enrollment_transition(
        enrollment_id=order.upgrade_from_id, old=EnrollmentStatus.ACTIVE, new=EnrollmentStatus.UPGRADED, now=now
    ):
        logger.warning(
            "order %s paid, but enrollment %s was no longer active to upgrade", order.pk, order.upgrade_from_id
        )
        return None
    credited = -sum(line.amount_minor for line in order.lines.filter(kind=LineKind.UPGRADE_DIFFERENCE))
    try:
        with transaction.atomic():
            upgrade = Upgrade.objects.create(
                learner_id=order.learner_id,
                from_enrollment_id=order.upgrade_from_id,
                to_enrollment_id=order.enrollment_id,
                order=order,
                credited_minor=credited,
                currency=order.currency,
                created_at=now,
            )
    except IntegrityError:  # the transition above succeeded, so no other order recorded this move
        raise Conflict(_("You have already moved up from this cohort."), code="already_upgraded") from None
    target_course_id = Cohort.objects.filter(pk=order.cohort_id).values_list("course_id", flat=True).get()
    offer = (
        UpgradeOffer.objects.filter(
            learner_id=order.learner_id, course_id=target_course_id, used_order__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if offer is not None:
        UpgradeOffer.objects.filter(pk=offer.pk, used_order__isnull=True).update(used_order=order, used_at=now)
    old_cohort_id, old_cohort_status = (
        Cohort.objects.filter(enrollments__pk=order.upgrade_from_id).values_list("pk", "status").get()
    )
    if old_cohort_status == CohortStatus.OPEN:  # as a withdrawal does: the freed seat goes to the first in line
        transaction.on_commit(partial(seats.waitlist_offer_next, cohort_id=old_cohort_id))
    transaction.on_commit(partial(upgrade_completed.send, sender=Upgrade, upgrade_id=upgrade.pk))
    return upgrade
