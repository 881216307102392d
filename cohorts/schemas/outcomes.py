"""The end of a cohort: each member's outcome and an instructor's override."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from cohorts.completion.models import EnrollmentOutcome
from stagewise.schemas import InSchema


class OutcomeOut(Schema):
    enrollment_id: int
    learner_id: int
    display_name: str
    outcome: Literal["completed", "not_completed"]
    counted_days: int = Field(..., description="Days with a counted check-in (make-ups as the course says).")
    makeup_days: int
    total_days: int
    rate_percent: int
    final_task_done: bool
    longest_streak: int
    required_rate_percent: int
    required_final_task: bool
    evaluated_outcome: Literal["completed", "not_completed"] = Field(..., description="What the rule decided.")
    evaluated_at: datetime
    overridden_at: datetime | None
    override_reason: str

    @staticmethod
    def resolve_learner_id(obj: EnrollmentOutcome) -> int:
        return obj.enrollment.learner_id

    @staticmethod
    def resolve_display_name(obj: EnrollmentOutcome) -> str:
        return obj.enrollment.learner.display_name


class OverrideIn(InSchema):
    outcome: Literal["completed", "not_completed"]
    reason: str = Field(..., min_length=1, max_length=500)
