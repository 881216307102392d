from django.db import models
from django.db.models import Q

from cohorts.models import Enrollment


class SurveyResponse(models.Model):
    """A learner's answer to their ended cohort's survey: once per enrollment, optional."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="survey_response")
    score = models.PositiveSmallIntegerField(help_text="How likely they would recommend the course, 0–10.")
    # [{"question": ..., "answer": ...}] as the learner saw the questions (the instructor may change them later).
    answers = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="survey_score_0_to_10")]

    def __str__(self) -> str:
        return f"survey of enrollment {self.enrollment_id}: {self.score}"

    @property
    def group(self) -> str:
        """Net Promoter groups: 9–10 promoters, 7–8 passives, 0–6 detractors."""
        return "promoter" if self.score >= 9 else "passive" if self.score >= 7 else "detractor"
