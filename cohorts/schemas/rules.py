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
    days_missed: int


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
