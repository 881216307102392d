from django.conf import settings
from django.db import models
from django.db.models import Q

from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus

OUTCOMES = (EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED)


class EnrollmentOutcome(models.Model):
    """How a member's cohort ended, with the figures that decided it: written once when the cohort ends, changed only
    by an instructor's override (with a reason) inside the review window. The alumni record reads it."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="outcome")
    outcome = models.CharField(max_length=16, choices=[(value, EnrollmentStatus(value).label) for value in OUTCOMES])
    # What the course's rule measured (make-ups counted as the course says; rejected check-ins never).
    counted_days = models.PositiveSmallIntegerField()
    makeup_days = models.PositiveSmallIntegerField(help_text="Of the counted days, made up later.")
    total_days = models.PositiveSmallIntegerField()
    rate_percent = models.PositiveSmallIntegerField(help_text="counted / total, rounded down.")
    final_task_done = models.BooleanField()
    longest_streak = models.PositiveSmallIntegerField()
    # The rule as it stood (the course may change later).
    required_rate_percent = models.PositiveSmallIntegerField()
    required_final_task = models.BooleanField()
    evaluated_outcome = models.CharField(max_length=16, help_text="What the rule decided, before any override.")
    evaluated_at = models.DateTimeField()
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["enrollment_id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=OUTCOMES), name="outcome_is_an_outcome"),
            models.CheckConstraint(
                condition=Q(overridden_at__isnull=True) | ~Q(override_reason=""), name="outcome_override_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"enrollment {self.enrollment_id}: {self.outcome}"

    @property
    def is_overridden(self) -> bool:
        return self.overridden_at is not None
