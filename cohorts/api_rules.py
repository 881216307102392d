"""Group-rules endpoints: strikes, reinstatement, nudges, and a member's reminder setting."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from cohorts import moderation
from stagewise.pagination import Pagination

router = Router(tags=["group rules"])


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class StrikeOut(Schema):
    id: int
    enrollment_id: int
    number: int
    reason: str
    created_at: datetime
    removed: bool

    @staticmethod
    def resolve_removed(obj) -> bool:
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


class NudgeIn(Schema):
    enrollment_ids: list[int] = Field(..., min_length=1, max_length=1000)
    message: str = Field("", max_length=1000)


class NudgeOut(Schema):
    sent: int


class RemindersIn(Schema):
    enabled: bool


@router.post("/enrollments/{enrollment_id}/strikes", response={201: StrikeOut}, auth=auth_required)
def strike_create(request: HttpRequest, enrollment_id: int, payload: ReasonIn):
    """Instructors: a warning, or removal when it reaches the cohort's limit (default: the second)."""
    return Status(201, moderation.strike_issue(actor=request.auth, enrollment_id=enrollment_id, reason=payload.reason))


@router.post("/enrollments/{enrollment_id}/reinstate", response=MemberOut, auth=auth_required)
def enrollment_reinstate(request: HttpRequest, enrollment_id: int, payload: ReasonIn):
    """Staff: bring a removed learner back (if a seat is free)."""
    return moderation.enrollment_reinstate(actor=request.auth, enrollment_id=enrollment_id, reason=payload.reason)


@router.get("/cohorts/{cohort_id}/nudges", response=list[NudgeCandidateOut], auth=auth_required)
@paginate(Pagination)
def nudge_list(request: HttpRequest, cohort_id: int):
    """Instructors: members with no check-in for the cohort's nudge threshold (default 2 days)."""
    return moderation.nudge_candidates(actor=request.auth, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/nudges", response=NudgeOut, auth=auth_required)
def nudge_send(request: HttpRequest, cohort_id: int, payload: NudgeIn):
    sent = moderation.nudge_send(
        actor=request.auth, cohort_id=cohort_id, enrollment_ids=payload.enrollment_ids, message=payload.message
    )
    return {"sent": sent}


@router.put("/cohorts/{cohort_id}/reminders", response=MemberOut, auth=auth_required)
def reminders_put(request: HttpRequest, cohort_id: int, payload: RemindersIn):
    """A member turns the daily check-in reminder on or off."""
    return moderation.reminders_set(learner=request.auth, cohort_id=cohort_id, enabled=payload.enabled)


class RulesOut(Schema):
    rules: str
    accepted_at: datetime | None


@router.post("/cohorts/{cohort_id}/rules/accept", response=RulesOut, auth=auth_required)
def rules_accept(request: HttpRequest, cohort_id: int):
    """A member accepts the cohort's group rules (the first acceptance is kept)."""
    enrollment = moderation.enrollment_rules_accept(learner=request.auth, cohort_id=cohort_id)
    return {"rules": enrollment.cohort.rules, "accepted_at": enrollment.rules_accepted_at}
