"""Check-in endpoints: record (multipart, with an optional image), make up, edit, streak, review, roster."""

from datetime import date, datetime

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.auth import auth_required
from cohorts import checkins, selectors, streaks
from cohorts.models import CheckIn
from cohorts.statuses import MEMBER_STATUSES
from stagewise.errors import NotFound
from stagewise.ids import RowId
from stagewise.pagination import Pagination

router = Router(tags=["check-ins"])


class CheckInIn(Schema):
    text: str = Field("", max_length=5000)
    link: str = Field("", max_length=500)


class MakeupIn(CheckInIn):
    day: int = Field(..., ge=1, le=366)
    reason: str = Field(..., min_length=1, max_length=300)


class CheckInPatch(Schema):
    text: str | None = Field(None, max_length=5000)
    link: str | None = Field(None, max_length=500)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class CheckInOut(Schema):
    id: int
    day: int
    local_date: date
    text: str
    link: str
    image_url: str | None
    is_makeup: bool
    makeup_reason: str
    status: str
    is_featured: bool
    rejection_reason: str
    created_at: datetime

    @staticmethod
    def resolve_image_url(obj: CheckIn) -> str | None:
        # Served by a view that checks who may see the check-in: media files are not public.
        return reverse("cohorts:checkin_image", args=[obj.pk]) if obj.image else None


class DayStateOut(Schema):
    day: int
    date: date
    state: str


class StreakOut(Schema):
    current: int
    longest: int
    counted_days: int
    elapsed_days: int
    rate: float
    today: int
    days: list[DayStateOut]


class DayRateOut(Schema):
    day: int
    date: date
    counted: int
    members: int
    rate: float


class RosterRowOut(Schema):
    enrollment_id: int
    learner_id: int
    display_name: str
    checked_in_today: bool
    counted_days: int
    last_checkin_day: int | None


def _my_enrollment(request: HttpRequest, cohort_id: int):
    cohort = selectors.cohort_get_for_user(user=request.auth, cohort_id=cohort_id)
    enrollment = selectors.enrollment_for(user=request.auth, cohort=cohort)
    if enrollment is None or enrollment.status not in MEMBER_STATUSES:
        raise NotFound("You are not a member of this cohort.", code="not_enrolled")
    enrollment.cohort = cohort
    return enrollment


@router.post("/cohorts/{cohort_id}/checkins", response={201: CheckInOut}, auth=auth_required)
def checkin_create(
    request: HttpRequest, cohort_id: RowId, payload: Form[CheckInIn], image: UploadedFile | None = File(None)
):
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
    request: HttpRequest, cohort_id: RowId, payload: Form[MakeupIn], image: UploadedFile | None = File(None)
):
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
def checkin_list_mine(request: HttpRequest, cohort_id: int):
    enrollment = _my_enrollment(request, cohort_id)
    return CheckIn.objects.filter(enrollment=enrollment).order_by("-day")


@router.get("/cohorts/{cohort_id}/streak", response=StreakOut, auth=auth_required)
def streak_mine(request: HttpRequest, cohort_id: int):
    return streaks.streak_for_enrollment(enrollment=_my_enrollment(request, cohort_id))


@router.patch("/checkins/{checkin_id}", response=CheckInOut, auth=auth_required)
def checkin_update(request: HttpRequest, checkin_id: int, payload: CheckInPatch):
    return checkins.checkin_update(learner=request.auth, checkin_id=checkin_id, text=payload.text, link=payload.link)


@router.post("/checkins/{checkin_id}/reject", response=CheckInOut, auth=auth_required)
def checkin_reject(request: HttpRequest, checkin_id: int, payload: ReasonIn):
    """Instructors: the check-in stops counting; the learner is told and may redo it that same day."""
    return checkins.checkin_reject(actor=request.auth, checkin_id=checkin_id, reason=payload.reason)


@router.post("/checkins/{checkin_id}/feature", response=CheckInOut, auth=auth_required)
def checkin_feature(request: HttpRequest, checkin_id: int):
    return checkins.checkin_feature(actor=request.auth, checkin_id=checkin_id, featured=True)


@router.post("/checkins/{checkin_id}/unfeature", response=CheckInOut, auth=auth_required)
def checkin_unfeature(request: HttpRequest, checkin_id: int):
    return checkins.checkin_feature(actor=request.auth, checkin_id=checkin_id, featured=False)


@router.get("/cohorts/{cohort_id}/checkin-rates", response=list[DayRateOut], auth=auth_required)
@paginate(Pagination)
def cohort_checkin_rates(request: HttpRequest, cohort_id: int):
    """Instructors: the cohort's daily check-in rate so far."""
    cohort = selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)
    return [
        {"day": r.day, "date": r.date, "counted": r.counted, "members": r.members, "rate": r.rate}
        for r in streaks.cohort_daily_rates(cohort=cohort)
    ]


@router.get("/cohorts/{cohort_id}/roster", response=list[RosterRowOut], auth=auth_required)
@paginate(Pagination)
def cohort_roster(request: HttpRequest, cohort_id: int):
    """Instructors: every member and whether they checked in today."""
    cohort = selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)
    return streaks.cohort_roster(cohort=cohort)
