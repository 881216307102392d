"""Cohort endpoints: list, create, edit, the lifecycle actions, released lessons, invitations, my enrollments.

The operation ids are spelled out: they are those of the module these routes lived in before ``cohorts.api``
became a package (``cohorts_api_…``), and clients generate code from them.
"""

from collections.abc import Callable

from django.db.models import QuerySet
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_optional, auth_required
from accounts.types import ApiRequest, AuthedRequest
from cohorts import invitations, selectors, services
from cohorts.models import Cohort, Enrollment, Invitation
from cohorts.schemas.cohorts import (
    CohortIn,
    CohortOut,
    CohortPatch,
    EnrollmentOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    MyEnrollmentOut,
)
from cohorts.statuses import CohortStatus
from content.models import Lesson
from content.schemas import LessonOut
from stagewise.ids import MAX_ID, RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["cohorts"])


@router.get("/cohorts", response=list[CohortOut], auth=auth_optional, operation_id="cohorts_api_cohort_list")
@paginate(Pagination)
def cohort_list(
    request: ApiRequest,
    status: CohortStatus | None = None,
    course_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> QuerySet[Cohort]:
    return selectors.cohort_list_for_user(user=request.auth, status=status, course_id=course_id)


@router.post("/cohorts", response={201: CohortOut}, auth=auth_required, operation_id="cohorts_api_cohort_create")
def cohort_create(request: AuthedRequest, payload: CohortIn) -> Status[Cohort]:
    cohort = services.cohort_create(
        actor=request.auth,
        course_id=payload.course_id,
        name=payload.name,
        timezone_name=payload.timezone,
        starts_on=payload.starts_on,
        capacity=payload.capacity,
        ends_on=payload.ends_on,
        enrollment_opens_on=payload.enrollment_opens_on,
        enrollment_closes_on=payload.enrollment_closes_on,
    )
    # Read back with the seat count the answer shows.
    return Status(201, selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort.pk))


@router.get("/cohorts/{cohort_id}", response=CohortOut, auth=auth_optional, operation_id="cohorts_api_cohort_detail")
def cohort_detail(request: ApiRequest, cohort_id: RowId) -> Cohort:
    return selectors.cohort_get_for_user(user=request.auth, cohort_id=cohort_id)


@router.patch("/cohorts/{cohort_id}", response=CohortOut, auth=auth_required, operation_id="cohorts_api_cohort_update")
def cohort_update(request: AuthedRequest, cohort_id: RowId, payload: CohortPatch) -> Cohort:
    values = payload.dict(exclude_unset=True, exclude_none=True)
    if "timezone" in values:
        values["timezone_name"] = values.pop("timezone")
    services.cohort_update(actor=request.auth, cohort_id=cohort_id, **values)
    return selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)


def _action(request: AuthedRequest, cohort_id: int, service: Callable[..., Cohort]) -> Cohort:
    service(actor=request.auth, cohort_id=cohort_id)
    return selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.post(
    "/cohorts/{cohort_id}/schedule", response=CohortOut, auth=auth_required, operation_id="cohorts_api_cohort_schedule"
)
def cohort_schedule(request: AuthedRequest, cohort_id: RowId) -> Cohort:
    """Open enrollment automatically when the window starts."""
    return _action(request, cohort_id, services.cohort_schedule)


@router.post(
    "/cohorts/{cohort_id}/open", response=CohortOut, auth=auth_required, operation_id="cohorts_api_cohort_open"
)
def cohort_open(request: AuthedRequest, cohort_id: RowId) -> Cohort:
    return _action(request, cohort_id, services.cohort_open)


@router.post(
    "/cohorts/{cohort_id}/cancel", response=CohortOut, auth=auth_required, operation_id="cohorts_api_cohort_cancel"
)
def cohort_cancel(request: AuthedRequest, cohort_id: RowId) -> Cohort:
    return _action(request, cohort_id, services.cohort_cancel)


@router.post(
    "/cohorts/{cohort_id}/archive", response=CohortOut, auth=auth_required, operation_id="cohorts_api_cohort_archive"
)
def cohort_archive(request: AuthedRequest, cohort_id: RowId) -> Cohort:
    return _action(request, cohort_id, services.cohort_archive)


@router.get(
    "/cohorts/{cohort_id}/lessons",
    response=list[LessonOut],
    auth=auth_required,
    operation_id="cohorts_api_cohort_lesson_list",
)
@paginate(Pagination)
def cohort_lesson_list(request: AuthedRequest, cohort_id: RowId) -> QuerySet[Lesson]:
    """Lessons released so far (members) or all of them (instructors)."""
    return selectors.lesson_list_for_cohort(user=request.auth, cohort_id=cohort_id)


@router.get(
    "/cohorts/{cohort_id}/lessons/{day}",
    response=LessonOut,
    auth=auth_required,
    operation_id="cohorts_api_cohort_lesson_detail",
)
def cohort_lesson_detail(request: AuthedRequest, cohort_id: RowId, day: int) -> Lesson:
    return selectors.lesson_get_for_cohort(user=request.auth, cohort_id=cohort_id, day=day)


@router.post(
    "/cohorts/{cohort_id}/invitations",
    response={201: InvitationOut},
    auth=auth_required,
    operation_id="cohorts_api_invitation_send",
)
def invitation_send(request: AuthedRequest, cohort_id: RowId, payload: InvitationIn) -> Status[Invitation]:
    """Invite an e-mail address to a complimentary seat (instructors of the course, staff). The address gets a link
    to accept with; the answer is the same whether or not an account uses it."""
    return Status(201, invitations.invitation_send(actor=request.auth, cohort_id=cohort_id, email=payload.email))


@router.get(
    "/cohorts/{cohort_id}/invitations",
    response=list[InvitationOut],
    auth=auth_required,
    operation_id="cohorts_api_invitation_list",
)
@paginate(Pagination)
def invitation_list(request: AuthedRequest, cohort_id: RowId) -> QuerySet[Invitation]:
    """Who invited whom, and who accepted when (instructors of the course, staff)."""
    return invitations.invitation_list_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.post(
    "/invitations/accept",
    response={200: EnrollmentOut, 404: ErrorOut},
    auth=auth_required,
    operation_id="cohorts_api_invitation_accept",
)
def invitation_accept(request: AuthedRequest, payload: InvitationAcceptIn) -> Enrollment:
    """Take the seat an invitation offers, signed in with the invited address."""
    return invitations.invitation_accept(user=request.auth, token=payload.token)


@router.get(
    "/me/enrollments",
    response=list[MyEnrollmentOut],
    auth=auth_required,
    operation_id="cohorts_api_my_enrollments",
)
@paginate(Pagination)
def my_enrollments(request: AuthedRequest) -> QuerySet[Enrollment]:
    return selectors.cohort_list_for_learner(user=request.auth)
