"""The monthly awards' leaderboards and withholding."""

from datetime import date, datetime

from ninja import Field, Schema

from cohorts.awards.models import Award
from stagewise.schemas import InSchema


class AwardOut(Schema):
    id: int
    category: str = Field(..., description="consistent, helpful, improved or newcomer")
    rank: int = Field(..., description="1 is the award; 2–10 the rest of the top ten")
    learner_id: int
    display_name: str
    cohort_id: int = Field(..., description="The cohort the award belongs to (for a track: the learner's latest)")
    figure: int = Field(..., description="The number that ranked it: check-ins, reactions + comments, or the gain")
    reached_at: datetime = Field(..., description="When the figure was reached: the earlier wins a tie")
    details: dict[str, int] = Field(..., description="The figures behind it")
    withheld: bool
    withheld_reason: str = Field(..., description="Only shown to those who review; empty otherwise")

    @staticmethod
    def resolve_display_name(obj: Award) -> str:
        return obj.learner.display_name

    @staticmethod
    def resolve_cohort_id(obj: Award) -> int:
        return obj.enrollment.cohort_id

    @staticmethod
    def resolve_withheld(obj: Award) -> bool:
        return obj.withheld_at is not None


class AwardCategoryOut(Schema):
    category: str
    label: str
    winner: AwardOut | None = Field(..., description="Rank 1, unless withheld")
    top: list[AwardOut]


class LeaderboardOut(Schema):
    months: list[date] = Field(..., description="Months with awards you may see, newest first (first days)")
    month: date | None = Field(..., description="The month shown; null when there are no awards yet")
    status: str | None = Field(..., description="computed (in review: only reviewers see it) or final")
    review_closes_at: datetime | None
    may_withhold: bool = Field(..., description="You may withhold a winner's award now")
    categories: list[AwardCategoryOut]


class WithholdIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=500, description="Kept in the record; the learner isn't told")
