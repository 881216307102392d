"""Group rules: strikes, reinstatement, nudges, reminders and accepting the rules."""

from datetime import datetime

from ninja import Field, Schema

from cohorts.models import Enrollment, Strike
from stagewise.ids import BodyRowId
from stagewise.schemas import InSchema


# Why a learner gets a strike or is reinstated (see ``cohorts.schemas.checkins.RejectionIn``).
class ReasonIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class StrikeOut(Schema):
    id: int
    enrollment_id: int
    number: int
    reason: str
    created_at: datetime
    removed: bool

    @staticmethod
    def resolve_removed(obj: Strike) -> bool:
        return obj.number >= obj.enrollment.cohort.strikes_to_remove


class MemberOut(Schema):
    id: int
    cohort_id: int
    learner_id: int
    status: str
    reminders_enabled: bool


class NudgeCandidateOut(Schema):
    enrollment_id: int
    display_name: str
    last_checkin_day: int | None
    days_missed: int = Field(..., description="Days over since the last counted check-in.")
    counted_days: int = Field(..., description="Counted check-ins on the days that are over.")
    closed_days: int = Field(..., description="The cohort's days that are over.")
    rate_percent: int = Field(..., description="counted_days ÷ closed_days, in percent.")


class NudgeIn(InSchema):
    enrollment_ids: list[BodyRowId] = Field(..., min_length=1, max_length=1000)
    message: str = Field("", max_length=1000)


class NudgeOut(Schema):
    sent: int


class RemindersIn(InSchema):
    enabled: bool


# Read from the member's enrollment: the cohort's rules and when the member accepted them.
class RulesOut(Schema):
    rules: str
    accepted_at: datetime | None

    @staticmethod
    def resolve_rules(obj: Enrollment) -> str:
        return obj.cohort.rules

    @staticmethod
    def resolve_accepted_at(obj: Enrollment) -> datetime | None:
        return obj.rules_accepted_at


class CohortSettingsIn(InSchema):
    """How the cohort is run. The ranges are the service's (its refusals say what would be right)."""

    rules: str = Field("", max_length=10_000, description="Group rules, markdown.")
    reminder_hour: int = Field(..., description="0-23, the cohort's local hour of the daily reminder.")
    strikes_to_remove: int = Field(..., description="1-10: the strike that removes a member; above any member's.")
    nudge_after_days: int = Field(..., description="1-30 days without a check-in before a member needs a nudge.")
    nudge_below_rate_percent: int = Field(..., description="0-100: a check-in rate below it needs a nudge (0: off).")


class CohortSettingsOut(Schema):
    rules: str
    reminder_hour: int
    strikes_to_remove: int
    nudge_after_days: int
    nudge_below_rate_percent: int
