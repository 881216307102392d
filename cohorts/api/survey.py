"""The end-of-cohort survey: members answer once; instructors (their cohorts), marketers and staff read it."""

from typing import Any

from django.db.models import QuerySet
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts.schemas.survey import (
    CohortNpsOut,
    NpsOut,
    SurveyIn,
    SurveyOut,
    SurveyQuestionsIn,
    SurveyQuestionsOut,
    SurveyResponseOut,
)
from cohorts.selectors import enrollment_get_for_member
from cohorts.survey import selectors, services
from cohorts.survey.models import SurveyResponse
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["survey"])


def _nps(nps: selectors.Nps) -> dict[str, Any]:
    return {
        "responses": nps.responses,
        "promoters": nps.promoters,
        "passives": nps.passives,
        "detractors": nps.detractors,
        "nps": nps.score,
    }


@router.get("/cohorts/{cohort_id}/survey", response=SurveyOut, auth=auth_required)
def survey_get(request: AuthedRequest, cohort_id: RowId) -> dict[str, Any]:
    """A member: the questions, whether the survey is open, and their answer if they gave one."""
    enrollment = enrollment_get_for_member(user=request.auth, cohort_id=cohort_id)
    return {
        "open": services.survey_is_open(enrollment.cohort),
        "questions": services.survey_questions(enrollment.cohort),
        "response": selectors.survey_response_of(enrollment_id=enrollment.pk),
    }


@router.post("/cohorts/{cohort_id}/survey", response={201: SurveyResponseOut}, auth=auth_required)
def survey_answer(request: AuthedRequest, cohort_id: RowId, payload: SurveyIn) -> Status[SurveyResponse]:
    """A member of an ended cohort answers, once (409 `survey_answered`; `survey_not_open` before the end)."""
    return Status(
        201,
        services.survey_submit(learner=request.auth, cohort_id=cohort_id, score=payload.score, answers=payload.answers),
    )


@router.get("/cohorts/{cohort_id}/survey/summary", response=NpsOut, auth=auth_required)
def survey_summary(request: AuthedRequest, cohort_id: RowId) -> dict[str, Any]:
    """Instructors of the course, marketers and staff: the cohort's NPS and its groups."""
    cohort = selectors.survey_cohort_for_reader(user=request.auth, cohort_id=cohort_id)
    return _nps(selectors.cohort_nps(cohort=cohort))


@router.get("/cohorts/{cohort_id}/survey/responses", response=list[SurveyResponseOut], auth=auth_required)
@paginate(Pagination)
def survey_responses(request: AuthedRequest, cohort_id: RowId) -> QuerySet[SurveyResponse]:
    """Instructors of the course, marketers and staff: every answer, newest first."""
    return selectors.survey_responses_for_reader(user=request.auth, cohort_id=cohort_id).order_by("-created_at", "-id")


@router.put("/cohorts/{cohort_id}/survey/questions", response=SurveyQuestionsOut, auth=auth_required)
def survey_questions_put(request: AuthedRequest, cohort_id: RowId, payload: SurveyQuestionsIn) -> dict[str, Any]:
    """Instructors: up to five questions besides the score (an empty list brings the defaults back)."""
    cohort = services.survey_questions_set(actor=request.auth, cohort_id=cohort_id, questions=payload.questions)
    return {"questions": services.survey_questions(cohort)}


@router.get("/surveys/nps", response={200: list[CohortNpsOut], 404: ErrorOut}, auth=auth_required)
@paginate(Pagination)
def survey_nps(request: AuthedRequest, track_id: RowId | None = Query(None)) -> list[dict[str, Any]]:
    """Marketers and staff (every course) and instructors (theirs): NPS per ended cohort, oldest first, with its
    stage: the figures behind the NPS-over-time chart."""
    return [
        {
            "cohort_id": row.cohort_id,
            "cohort_name": row.cohort_name,
            "course_id": row.course_id,
            "course_title": row.course_title,
            "track_title": row.track_title,
            "stage": row.stage,
            "ended_on": row.ended_on,
            "members": row.members,
            "responses": row.nps.responses,
            "nps": row.nps.score,
        }
        for row in selectors.nps_by_cohort(user=request.auth, track_id=track_id)
    ]
