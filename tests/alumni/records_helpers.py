"""Histories for the alumni-record tests: cohorts that ran and ended, check-ins, outcomes, orders, refunds, awards,
survey answers — rows of the source tables, made the way the apps make them."""

from datetime import date, timedelta

from django.utils import timezone

from accounts.models import User
from billing.models import Order, Payment, Refund
from billing.statuses import OrderStatus, RefundReason, RefundStatus
from cohorts.awards.models import AwardRoundStatus
from cohorts.completion.models import EnrollmentOutcome
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.survey.models import SurveyResponse
from content.models import Course
from tests import factories


def ended_cohort(*, course: Course, ended_days_ago: int = 10) -> Cohort:
    """A cohort whose last day was ``ended_days_ago`` days ago (in its own zone), marked ended."""
    ends_on = factories.local_today() - timedelta(days=ended_days_ago)
    starts_on = ends_on - timedelta(days=course.duration_days - 1)
    return factories.cohort(course=course, starts_on=starts_on, status=CohortStatus.ENDED)


def running_cohort(*, course: Course, day: int = 3) -> Cohort:
    """A running cohort whose day ``day`` is today."""
    starts_on = factories.local_today() - timedelta(days=day - 1)
    return factories.cohort(course=course, starts_on=starts_on, status=CohortStatus.RUNNING)


def checkins(*, enrollment: Enrollment, days: list[int], rejected: list[int] | None = None) -> None:
    cohort = enrollment.cohort
    for day in days + (rejected or []):
        CheckIn.objects.create(
            enrollment=enrollment,
            day=day,
            local_date=cohort.starts_on + timedelta(days=day - 1),
            text="Did the task.",
            status="rejected" if day in (rejected or []) else "counted",
            created_at=timezone.now() - timedelta(days=40 - day),
        )


def outcome(*, enrollment: Enrollment, completed: bool) -> EnrollmentOutcome:
    status = EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.NOT_COMPLETED
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status)
    enrollment.status = status
    return EnrollmentOutcome.objects.create(
        enrollment=enrollment,
        outcome=status,
        counted_days=5,
        makeup_days=0,
        total_days=7,
        rate_percent=71,
        final_task_done=completed,
        longest_streak=3,
        required_rate_percent=70,
        required_final_task=False,
        evaluated_outcome=status,
        evaluated_at=timezone.now(),
    )


def paid_order(*, enrollment: Enrollment, amount: int = 19900, currency: str = "CNY", refunded: int = 0) -> Payment:
    """An order paid in full (and, with ``refunded``, partly refunded by staff), as the provider confirmed it."""
    status = OrderStatus.PAID if not refunded else OrderStatus.PARTIALLY_REFUNDED
    if refunded and refunded >= amount:
        status = OrderStatus.REFUNDED
    now = timezone.now()
    order = Order.objects.create(
        learner=enrollment.learner,
        enrollment=enrollment,
        cohort=enrollment.cohort,
        currency=currency,
        total_minor=amount,
        status=status,
        paid_at=now,
    )
    payment = Payment.objects.create(
        order=order,
        amount_minor=amount,
        currency=currency,
        captured_minor=amount,
        refunded_minor=refunded,
        status=status,
        captured_at=now,
    )
    if refunded:
        Refund.objects.create(
            payment=payment,
            amount_minor=refunded,
            currency=currency,
            status=RefundStatus.SUCCEEDED,
            reason=RefundReason.STAFF,
        )
    return payment


def survey(*, enrollment: Enrollment, score: int, days_ago: int = 1) -> SurveyResponse:
    return SurveyResponse.objects.create(
        enrollment=enrollment, score=score, created_at=timezone.now() - timedelta(days=days_ago)
    )


def final_award(*, cohort: Cohort, learner: User) -> None:
    award = factories.award(cohort=cohort, learner=learner)
    award.round.status = AwardRoundStatus.FINAL
    award.round.save(update_fields=["status"])


def days_ago(n: int) -> date:
    return factories.local_today() - timedelta(days=n)
