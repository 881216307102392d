"""Check-in endpoints: record (multipart, with an optional image), make up, edit, streak, review, roster."""

from django.db.models import QuerySet
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts import checkins, selectors, streaks
from cohorts.models import CheckIn
from cohorts.schemas.checkins import (
    CheckInIn,
    CheckInOut,
    CheckInPatch,
    DayRateOut,
    MakeupIn,
    RejectionIn,
    RosterRowOut,
    StreakOut,
)
from stagewise.ids import RowId
from stagewise.pagination import Pagination

router = Router(tags=["check-ins"])


@router.post("/cohorts/{cohort_id}/checkins", response={201: CheckInOut}, auth=auth_required)
def checkin_create(
    request: AuthedRequest, cohort_id: RowId, payload: Form[CheckInIn], image: UploadedFile | None = File(None)
) -> Status[CheckIn]:
    """Check in for today (multipart form: text, link, image)."""
    return Status(
        201,
        checkins.checkin_record(
            learner=request.auth,
            cohort_id=cohort_id,
            text=payload.text,
            link=payload.link,
            image=image,
        ),
    )


@router.post("/cohorts/{cohort_id}/makeups", response={201: CheckInOut}, auth=auth_required)
def checkin_makeup(
    request: AuthedRequest, cohort_id: RowId, payload: Form[MakeupIn], image: UploadedFile | None = File(None)
) -> Status[CheckIn]:
    """A make-up check-in (补卡) for a missed day, with a reason."""
    return Status(
        201,
        checkins.checkin_makeup(
            learner=request.auth,
            cohort_id=cohort_id,
            day=payload.day,
            reason=payload.reason,
            text=payload.text,
            link=payload.link,
            image=image,
        ),
    )


@router.get("/cohorts/{cohort_id}/checkins/mine", response=list[CheckInOut], auth=auth_required)
@paginate(Pagination)
def checkin_list_mine(request: AuthedRequest, cohort_id: RowId) -> QuerySet[CheckIn]:
    return selectors.checkin_list_for_member(user=request.auth, cohort_id=cohort_id)


@router.get("/cohorts/{cohort_id}/streak", response=StreakOut, auth=auth_required)
def streak_mine(request: AuthedRequest, cohort_id: RowId) -> streaks.Streak:
    return streaks.streak_get_for_member(user=request.auth, cohort_id=cohort_id)


@router.patch("/checkins/{checkin_id}", response=CheckInOut, auth=auth_required)
def checkin_update(request: AuthedRequest, checkin_id: RowId, payload: CheckInPatch) -> CheckIn:
    return checkins.checkin_update(learner=request.auth, checkin_id=checkin_id, text=payload.text, link=payload.link)


@router.post("/checkins/{checkin_id}/reject", response=CheckInOut, auth=auth_required)
def checkin_reject(request: AuthedRequest, checkin_id: RowId, payload: RejectionIn) -> CheckIn:
    """Instructors: the check-in stops counting; the learner is told and may redo it that same day."""
    return checkins.checkin_reject(actor=request.auth, checkin_id=checkin_id, reason=payload.reason)


@router.post("/checkins/{checkin_id}/feature", response=CheckInOut, auth=auth_required)
def checkin_feature(request: AuthedRequest, checkin_id: RowId) -> CheckIn:
    return checkins.checkin_feature(actor=request.auth, checkin_id=checkin_id, featured=True)


@router.post("/checkins/{checkin_id}/unfeature", response=CheckInOut, auth=auth_required)
def checkin_unfeature(request: AuthedRequest, checkin_id: RowId) -> CheckIn:
    return checkins.checkin_feature(actor=request.auth, checkin_id=checkin_id, featured=False)


@router.get("/cohorts/{cohort_id}/checkin-rates", response=list[DayRateOut], auth=auth_required)
@paginate(Pagination)
def cohort_checkin_rates(request: AuthedRequest, cohort_id: RowId) -> list[streaks.DayRate]:
    """Instructors: the cohort's daily check-in rate so far."""
    return streaks.daily_rate_list_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.get("/cohorts/{cohort_id}/roster", response=list[RosterRowOut], auth=auth_required)
@paginate(Pagination)
def cohort_roster(request: AuthedRequest, cohort_id: RowId) -> list[streaks.RosterRow]:
    """Instructors: every member and whether they checked in today."""
    return streaks.roster_list_for_instructor(user=request.auth, cohort_id=cohort_id)
