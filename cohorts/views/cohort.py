"""A cohort's page (its released lessons for members and instructors), the learner's cohorts, lesson attachments."""

from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone

from accounts.types import PageRequest
from cohorts import selectors
from cohorts.certificates.selectors import certificate_for_enrollment, linkedin_add_url
from cohorts.models import Cohort
from cohorts.statuses import MEMBER_STATUSES, CohortStatus, EnrollmentStatus
from content.selectors import is_course_instructor
from stagewise.pages import render_page

_MAY_ENROLL_AGAIN = frozenset({EnrollmentStatus.EXPIRED})


def _day_of(cohort: Cohort, *, now: datetime) -> int | None:
    """The day a running cohort is on ("Day 3 of 7"), None once its last day is over or before it runs."""
    day = cohort.day_number(now)
    return day if cohort.status == CohortStatus.RUNNING and 1 <= day <= cohort.duration_days else None


def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_user(user=request.user, cohort_id=cohort_id)
    now = timezone.now()
    enrollment = selectors.enrollment_for(user=request.user, cohort=cohort)
    is_instructor = is_course_instructor(user=request.user, course=cohort.course)
    is_member = enrollment is not None and enrollment.status in MEMBER_STATUSES
    released = selectors.released_day(cohort=cohort, now=now)
    certificate = certificate_for_enrollment(enrollment=enrollment) if is_member and enrollment else None
    lessons = None
    if is_member or is_instructor:
        rows = selectors.lesson_list_for_cohort(user=request.user, cohort_id=cohort.pk, now=now)
        lessons = [
            {
                "lesson": lesson,
                "released": lesson.is_published and lesson.day <= released,
                "release_on": cohort.starts_on + timedelta(days=lesson.day - 1),  # a local date
            }
            for lesson in rows
        ]
        if not is_instructor:
            lessons.reverse()  # today's lesson first
    context = {
        "cohort": cohort,
        "course": cohort.course,
        "seats_left": selectors.seats_left(cohort),
        "enrollment": enrollment,
        "is_member": is_member,
        "is_instructor": is_instructor,
        "can_enroll": cohort.status == CohortStatus.OPEN
        and (enrollment is None or enrollment.status in _MAY_ENROLL_AGAIN),
        "enroll_url": f"/cohorts/{cohort.pk}/enroll/",
        "today": _day_of(cohort, now=now),
        "has_ended": cohort.has_ended(now),
        "lessons": lessons,
        "certificate": certificate,
        "linkedin_url": linkedin_add_url(certificate) if certificate else "",
    }
    return render_page(request, "cohorts/cohort_detail.html", context)


@login_required
def my_cohorts(request: PageRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for enrollment in selectors.cohort_list_for_learner(user=request.user):
        cohort = enrollment.cohort
        rows.append(
            {
                "enrollment": enrollment,
                "cohort": cohort,
                "course": cohort.course,
                "today": _day_of(cohort, now=now),
            }
        )
    return render_page(request, "cohorts/my_cohorts.html", {"rows": rows})


def lesson_attachment(request: HttpRequest, lesson_id: int) -> FileResponse:
    """A lesson's attachment, for its instructors and the members who have the lesson (media is not public)."""
    lesson = selectors.lesson_attachment_for_user(user=request.user, lesson_id=lesson_id)
    response = FileResponse(
        lesson.attachment.open("rb"), as_attachment=True, filename=(lesson.attachment.name or "").rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
