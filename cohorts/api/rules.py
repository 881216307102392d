"""Group-rules endpoints: strikes, reinstatement, nudges, and a member's reminder setting."""

from ninja import Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts import moderation, selectors
from cohorts.models import Cohort, Enrollment, Strike
from cohorts.schemas.rules import (
    CohortSettingsIn,
    CohortSettingsOut,
    MemberOut,
    NudgeCandidateOut,
    NudgeIn,
    NudgeOut,
    ReasonIn,
    RemindersIn,
    RulesOut,
    StrikeOut,
)
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["group rules"])


@router.post("/enrollments/{enrollment_id}/strikes", response={201: StrikeOut}, auth=auth_required)
def strike_create(request: AuthedRequest, enrollment_id: RowId, payload: ReasonIn) -> Status[Strike]:
    """Instructors: a warning, or removal when it reaches the cohort's limit (default: the second)."""
    return Status(201, moderation.strike_issue(actor=request.auth, enrollment_id=enrollment_id, reason=payload.reason))


@router.post("/enrollments/{enrollment_id}/reinstate", response=MemberOut, auth=auth_required)
def enrollment_reinstate(request: AuthedRequest, enrollment_id: RowId, payload: ReasonIn) -> Enrollment:
    """Staff: bring a removed learner back (if a seat is free)."""
    return moderation.enrollment_reinstate(actor=request.auth, enrollment_id=enrollment_id, reason=payload.reason)


@router.get("/cohorts/{cohort_id}/nudges", response=list[NudgeCandidateOut], auth=auth_required)
@paginate(Pagination)
def nudge_list(request: AuthedRequest, cohort_id: RowId) -> list[moderation.NudgeCandidate]:
    """Instructors: members with no check-in for the cohort's nudge threshold (default 2 days)."""
    return moderation.nudge_candidates(actor=request.auth, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/nudges", response=NudgeOut, auth=auth_required)
def nudge_send(request: AuthedRequest, cohort_id: RowId, payload: NudgeIn) -> dict[str, int]:
    sent = moderation.nudge_send(
        actor=request.auth, cohort_id=cohort_id, enrollment_ids=payload.enrollment_ids, message=payload.message
    )
    return {"sent": sent}


@router.put("/cohorts/{cohort_id}/reminders", response=MemberOut, auth=auth_required)
def reminders_put(request: AuthedRequest, cohort_id: RowId, payload: RemindersIn) -> Enrollment:
    """A member turns the daily check-in reminder on or off."""
    return moderation.reminders_set(learner=request.auth, cohort_id=cohort_id, enabled=payload.enabled)


@router.post("/cohorts/{cohort_id}/rules/accept", response=RulesOut, auth=auth_required)
def rules_accept(request: AuthedRequest, cohort_id: RowId) -> Enrollment:
    """A member accepts the cohort's group rules (the first acceptance is kept)."""
    return moderation.enrollment_rules_accept(learner=request.auth, cohort_id=cohort_id)


@router.get(
    "/cohorts/{cohort_id}/settings", response={200: CohortSettingsOut, 401: ErrorOut, 404: ErrorOut}, auth=auth_required
)
def cohort_settings(request: AuthedRequest, cohort_id: RowId) -> Cohort:
    """Instructors: how the cohort is run (group rules, reminder hour, strike limit, nudge thresholds)."""
    return selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.put(
    "/cohorts/{cohort_id}/settings",
    response={200: CohortSettingsOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=auth_required,
)
def cohort_settings_put(request: AuthedRequest, cohort_id: RowId, payload: CohortSettingsIn) -> Cohort:
    """Instructors: change how the cohort is run; audited. 422 with the field for a value out of range."""
    return moderation.cohort_settings_update(actor=request.auth, cohort_id=cohort_id, **payload.dict())
