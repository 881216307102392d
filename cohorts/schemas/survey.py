"""The end-of-cohort survey."""

from datetime import date, datetime

from ninja import Field, Schema

from cohorts.survey.models import SurveyResponse
from stagewise.schemas import InSchema


class SurveyAnswerOut(Schema):
    question: str
    answer: str


class SurveyResponseOut(Schema):
    id: int
    enrollment_id: int
    display_name: str
    score: int
    group: str = Field(..., description="promoter (9–10), passive (7–8) or detractor (0–6)")
    answers: list[SurveyAnswerOut]
    created_at: datetime

    @staticmethod
    def resolve_display_name(obj: SurveyResponse) -> str:
        return obj.enrollment.learner.display_name


class SurveyOut(Schema):
    open: bool = Field(..., description="Whether the member may answer now (the cohort has ended).")
    questions: list[str]
    response: SurveyResponseOut | None


class SurveyIn(InSchema):
    score: int = Field(..., ge=0, le=10, description="How likely they would recommend the course, 0–10.")
    answers: list[str] = Field(default_factory=list, max_length=5, description="One per question, in order; optional.")


class SurveyQuestionsIn(InSchema):
    questions: list[str] = Field(..., max_length=5, description="Up to five; empty: the defaults.")


class SurveyQuestionsOut(Schema):
    questions: list[str]


class NpsOut(Schema):
    responses: int
    promoters: int
    passives: int
    detractors: int
    nps: int | None = Field(..., description="% promoters − % detractors; null without answers.")


class CohortNpsOut(Schema):
    cohort_id: int
    cohort_name: str
    course_id: int
    course_title: str
    track_title: str
    stage: int
    ended_on: date
    members: int
    responses: int
    nps: int | None
