from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_optional, auth_required
from accounts.models import User
from cohorts import selectors, services
from cohorts.schemas import AdmitIn, CohortIn, CohortOut, CohortPatch, EnrollmentOut, MyEnrollmentOut
from cohorts.statuses import CohortStatus
from content.schemas import LessonOut
from stagewise.errors import NotFound
from stagewise.pagination import Pagination

# Ids beyond the database's bigint are refused up front (SQLite would crash on them in a filter).
MAX_ID = 2**63 - 1

router = Router(tags=["cohorts"])


@router.get("/cohorts", response=list[CohortOut], auth=auth_optional)
@paginate(Pagination)
def cohort_list(
    request: HttpRequest,
    status: CohortStatus | None = None,
    course_id: int | None = Query(None, ge=1, le=MAX_ID),
):
    return selectors.cohort_list_for_user(user=request.auth, status=status, course_id=course_id)


@router.post("/cohorts", response={201: CohortOut}, auth=auth_required)
def cohort_create(request: HttpRequest, payload: CohortIn):
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
    return Status(201, selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort.pk))


@router.get("/cohorts/{cohort_id}", response=CohortOut, auth=auth_optional)
def cohort_detail(request: HttpRequest, cohort_id: int):
    return selectors.cohort_get_for_user(user=request.auth, cohort_id=cohort_id)


@router.patch("/cohorts/{cohort_id}", response=CohortOut, auth=auth_required)
def cohort_update(request: HttpRequest, cohort_id: int, payload: CohortPatch):
    values = payload.dict(exclude_unset=True, exclude_none=True)
    if "timezone" in values:
        values["timezone_name"] = values.pop("timezone")
    services.cohort_update(actor=request.auth, cohort_id=cohort_id, **values)
    return selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)


def _action(request: HttpRequest, cohort_id: int, service) -> object:
    service(actor=request.auth, cohort_id=cohort_id)
    return selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.post("/cohorts/{cohort_id}/schedule", response=CohortOut, auth=auth_required)
def cohort_schedule(request: HttpRequest, cohort_id: int):
    """Open enrollment automatically when the window starts."""
    return _action(request, cohort_id, services.cohort_schedule)


@router.post("/cohorts/{cohort_id}/open", response=CohortOut, auth=auth_required)
def cohort_open(request: HttpRequest, cohort_id: int):
    return _action(request, cohort_id, services.cohort_open)


@router.post("/cohorts/{cohort_id}/cancel", response=CohortOut, auth=auth_required)
def cohort_cancel(request: HttpRequest, cohort_id: int):
    return _action(request, cohort_id, services.cohort_cancel)


@router.post("/cohorts/{cohort_id}/archive", response=CohortOut, auth=auth_required)
def cohort_archive(request: HttpRequest, cohort_id: int):
    return _action(request, cohort_id, services.cohort_archive)


@router.get("/cohorts/{cohort_id}/lessons", response=list[LessonOut], auth=auth_required)
@paginate(Pagination)
def cohort_lesson_list(request: HttpRequest, cohort_id: int):
    """Lessons released so far (members) or all of them (instructors)."""
    return selectors.lesson_list_for_cohort(user=request.auth, cohort_id=cohort_id)


@router.get("/cohorts/{cohort_id}/lessons/{day}", response=LessonOut, auth=auth_required)
def cohort_lesson_detail(request: HttpRequest, cohort_id: int, day: int):
    return selectors.lesson_get_for_cohort(user=request.auth, cohort_id=cohort_id, day=day)


@router.post("/cohorts/{cohort_id}/admissions", response={201: EnrollmentOut}, auth=auth_required)
def cohort_admit(request: HttpRequest, cohort_id: int, payload: AdmitIn):
    """Give a learner a complimentary seat (instructors of the course, staff)."""
    selectors.cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)
    learner = User.objects.filter(email__iexact=payload.learner_email.strip()).first()
    if learner is None:
        raise NotFound("No account uses this email.", code="learner_not_found")
    return Status(201, services.enrollment_admit(actor=request.auth, cohort_id=cohort_id, learner=learner))


@router.get("/me/enrollments", response=list[MyEnrollmentOut], auth=auth_required)
@paginate(Pagination)
def my_enrollments(request: HttpRequest):
    return selectors.cohort_list_for_learner(user=request.auth)
