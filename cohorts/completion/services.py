"""The end of a cohort, in three steps, each claimed by a conditional UPDATE so that running it twice, or in two
workers at once, changes nothing the second time:

1. ``cohort_outcomes_evaluate``: once the cohort has ended (its last day plus the grace), every active member gets an
   outcome, completed or not completed, with the figures that decided it; the review window opens.
2. ``outcome_override``: inside the window an instructor may change one outcome, with a reason (audited).
3. ``cohort_close``: after the window the outcomes are final; each learner is told, and ``cohort_closed`` lets the
   certificates, deposit refunds and upgrade offers follow.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts.completion.models import EnrollmentOutcome
from cohorts.completion.rules import Rule, completion_evaluate
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.moderation import audit_record
from cohorts.signals import cohort_closed
from cohorts.statuses import CohortStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from content.selectors import is_course_instructor
from stagewise.errors import Conflict, Invalid, NotFound
from stagewise.mail import mail_send

logger = logging.getLogger(__name__)


def _rule(cohort: Cohort) -> Rule:
    course = cohort.course
    return Rule(
        min_rate_percent=course.completion_min_rate_percent,
        requires_final_task=course.completion_requires_final_task,
        counts_makeups=course.completion_counts_makeups,
    )


def cohort_outcomes_evaluate(*, cohort_id: int, now: datetime | None = None) -> int | None:
    """Step 1 for one ended cohort; returns how many outcomes it wrote, None if another run got there first.

    The claim and the outcomes commit together: if anything fails, the cohort is claimed by nobody and the next run
    tries again."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Cohort.objects.filter(
            pk=cohort_id, status=CohortStatus.ENDED, outcomes_evaluated_at__isnull=True
        ).update(outcomes_evaluated_at=now, review_closes_at=now + timedelta(hours=settings.COHORT_REVIEW_HOURS))
        if not claimed:
            return None
        cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
        rule = _rule(cohort)
        members = list(Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE).only("id"))
        checkins: dict[int, list[tuple[int, str, bool]]] = {}
        for enrollment_id, day, status, makeup in CheckIn.objects.filter(enrollment__in=members).values_list(
            "enrollment_id", "day", "status", "is_makeup"
        ):
            checkins.setdefault(enrollment_id, []).append((day, status, makeup))
        outcomes = []
        for enrollment in members:
            result = completion_evaluate(
                rule=rule, duration=cohort.duration_days, checkins=checkins.get(enrollment.pk, ())
            )
            if not enrollment_transition(
                enrollment_id=enrollment.pk, old=EnrollmentStatus.ACTIVE, new=result.outcome, now=now
            ):
                continue  # withdrawn or removed a moment ago: no outcome
            outcomes.append(
                EnrollmentOutcome(
                    enrollment=enrollment,
                    outcome=result.outcome,
                    evaluated_outcome=result.outcome,
                    counted_days=result.counted_days,
                    makeup_days=result.makeup_days,
                    total_days=result.total_days,
                    rate_percent=result.rate_percent,
                    final_task_done=result.final_task_done,
                    longest_streak=result.longest_streak,
                    required_rate_percent=rule.min_rate_percent,
                    required_final_task=rule.requires_final_task,
                    evaluated_at=now,
                )
            )
        EnrollmentOutcome.objects.bulk_create(outcomes)
    logger.info("cohort %s ended: %s outcomes evaluated", cohort_id, len(outcomes))
    return len(outcomes)


def outcome_override(
    *, actor: User, enrollment_id: int, outcome: str, reason: str, now: datetime | None = None
) -> EnrollmentOutcome:
    """An instructor of the course (or staff) changes one outcome inside the review window, with a reason."""
    now = now or timezone.now()
    reason = reason.strip()
    if outcome not in (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED):
        raise Invalid(_("The outcome is either completed or not completed."), code="invalid_outcome")
    if not reason:
        raise Invalid(
            _("Give a reason for changing the outcome: the learner and staff will see it."), code="reason_required"
        )
    if len(reason) > 500:
        raise Invalid(_("Keep the reason under 500 characters."), code="reason_too_long")
    with transaction.atomic():
        found = (
            EnrollmentOutcome.objects.select_for_update(of=("self",))
            .select_related("enrollment__cohort__course", "enrollment__learner")
            .filter(enrollment_id=enrollment_id)
            .first()
        )
        if found is None or not is_course_instructor(user=actor, course=found.enrollment.cohort.course):
            raise NotFound(_("No such outcome."), code="outcome_not_found")
        cohort = found.enrollment.cohort
        if cohort.closed_at is not None or cohort.review_closes_at is None or now >= cohort.review_closes_at:
            raise Conflict(
                _("The review window is over: outcomes are final once certificates have gone out."),
                code="review_closed",
            )
        if found.outcome == outcome:
            raise Conflict(_("The outcome is already that."), code="outcome_unchanged")
        enrollment_transition(enrollment_id=enrollment_id, old=found.outcome, new=outcome, now=now)
        audit_record(
            actor=actor,
            action="outcome_override",
            target=found.enrollment,
            details={"from": found.outcome, "to": outcome, "reason": reason},
            now=now,
        )
        found.outcome = outcome
        found.overridden_by = actor
        found.overridden_at = now
        found.override_reason = reason
        found.save(update_fields=["outcome", "overridden_by", "overridden_at", "override_reason"])
    return found


def cohort_close(*, cohort_id: int, now: datetime | None = None) -> bool:
    """Step 3 for one cohort whose review window is over: the outcomes are final. Tells each learner and sends
    ``cohort_closed`` after commit. False if it was closed already (or isn't due)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Cohort.objects.filter(
            pk=cohort_id, closed_at__isnull=True, review_closes_at__lte=now, outcomes_evaluated_at__isnull=False
        ).update(closed_at=now)
        if not claimed:
            return False
        cohort = Cohort.objects.select_related("course").get(pk=cohort_id)
        for outcome in EnrollmentOutcome.objects.filter(enrollment__cohort=cohort).select_related(
            "enrollment__learner"
        ):
            mail_send(
                user=outcome.enrollment.learner,
                template="cohort_outcome",
                context={"cohort": cohort, "course": cohort.course, "outcome": outcome},
                key=f"outcome:{outcome.enrollment_id}",
            )
        transaction.on_commit(lambda: cohort_closed.send(sender=Cohort, cohort_id=cohort_id))
    logger.info("cohort %s closed", cohort_id)
    return True


def cohort_ends_run(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled part: evaluate every ended cohort not yet evaluated, close every one whose window is over."""
    now = now or timezone.now()
    done = {"evaluated": 0, "closed": 0}
    for cohort_id in Cohort.objects.filter(status=CohortStatus.ENDED, outcomes_evaluated_at__isnull=True).values_list(
        "pk", flat=True
    ):
        if cohort_outcomes_evaluate(cohort_id=cohort_id, now=now) is not None:
            done["evaluated"] += 1
    for cohort_id in Cohort.objects.filter(
        closed_at__isnull=True, outcomes_evaluated_at__isnull=False, review_closes_at__lte=now
    ).values_list("pk", flat=True):
        done["closed"] += cohort_close(cohort_id=cohort_id, now=now)
    return done
