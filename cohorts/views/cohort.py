"""A cohort's page (its released lessons for members and instructors), the learner's cohorts, lesson attachments."""

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from accounts.types import PageRequest
from cohorts import hooks, page_selectors, selectors
from cohorts.certificates.selectors import (
    award_certificates_for_enrollment,
    certificate_for_enrollment,
    linkedin_add_url,
)
from cohorts.checkins import CLOSED_STATUSES, checkin_days_open
from cohorts.completion.selectors import outcome_for_enrollment
from cohorts.deposit.selectors import deposit_standing
from cohorts.models import Cohort, Enrollment
from cohorts.opening_alerts import opening_alert_waiting
from cohorts.statuses import MEMBER_STATUSES, CohortStatus, EnrollmentStatus
from cohorts.survey.selectors import survey_response_of
from cohorts.survey.services import survey_is_open
from cohorts.views.common import upgrade_to
from content.selectors import is_course_instructor, next_stage_of
from stagewise.files import private_file_response
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
        rows = list(selectors.lesson_list_for_cohort(user=request.user, cohort_id=cohort.pk, now=now))
        if not is_instructor:
            rows.reverse()  # today's lesson first
        # Only today's lesson is open (a learner's newest one on a day without a lesson); the rest are collapsed.
        today = _day_of(cohort, now=now)
        open_day = today if any(lesson.day == today for lesson in rows) else None
        if open_day is None and rows and not is_instructor:
            open_day = rows[0].day
        lessons = [
            {
                "lesson": lesson,
                "released": lesson.is_published and lesson.day <= released,
                "release_on": cohort.starts_on + timedelta(days=lesson.day - 1),  # a local date
                "open": lesson.day == open_day,
            }
            for lesson in rows
        ]
    outcome = (
        outcome_for_enrollment(enrollment_id=enrollment.pk)
        if enrollment is not None and cohort.outcomes_evaluated_at
        else None
    )
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
        "not_started": cohort.status == CohortStatus.DRAFT or cohort.day_number(now) < 1,
        "lessons": lessons,
        "outcome": outcome,
        # A completer moves up, unless this is the top of the ladder (then there is no offer to point to).
        "next_stage": next_stage_of(course=cohort.course)
        if outcome is not None and outcome.outcome == EnrollmentStatus.COMPLETED
        else None,
        # The member's deposit challenge while the cohort runs (and until it closes).
        "deposit": deposit_standing(enrollment=enrollment, now=now)
        if is_member
        and enrollment is not None
        and cohort.status in (CohortStatus.RUNNING, CohortStatus.ENDED)
        and not cohort.closed_at
        else None,
        # None: no survey for this viewer; else whether they answered it.
        "survey_answered": survey_response_of(enrollment_id=enrollment.pk) is not None
        if is_member and enrollment is not None and survey_is_open(cohort)
        else None,
        "certificate": certificate,
        "linkedin_url": linkedin_add_url(certificate) if certificate else "",
        "award_certificates": award_certificates_for_enrollment(enrollment=enrollment)
        if is_member and enrollment is not None and cohort.status != CohortStatus.OPEN
        else [],
    }
    # A cohort that is not open (running, ended): its course's next open cohort, else "notify me when one opens".
    next_cohort = (
        None
        if cohort.status == CohortStatus.OPEN
        else selectors.next_open_cohort(course_id=cohort.course_id, exclude_id=cohort.pk)
    )
    context["upgrade_to"] = upgrade_to(cohort, enrollment)
    context["next_cohort"] = next_cohort
    context["next_seats_left"] = selectors.seats_left(next_cohort) if next_cohort is not None else 0
    context["alert_waiting"] = (
        next_cohort is None
        and cohort.status != CohortStatus.OPEN
        and opening_alert_waiting(user=request.user, course_id=cohort.course_id)
    )
    return render_page(request, "cohorts/cohort_detail.html", context)


# Enrollments still under way; the others (ended, left, turned down, lapsed) are listed as past.
_UNDER_WAY = frozenset(
    {
        EnrollmentStatus.APPLIED,
        EnrollmentStatus.APPROVED,
        EnrollmentStatus.WAITLISTED,
        EnrollmentStatus.PENDING_PAYMENT,
        EnrollmentStatus.ACTIVE,
    }
)


def _phase(enrollment: Enrollment, *, now: datetime) -> str:
    """Where an enrollment goes on "My cohorts": "running", "upcoming" or "past"."""
    cohort = enrollment.cohort
    if enrollment.status not in _UNDER_WAY or cohort.status in CLOSED_STATUSES or cohort.has_ended(now):
        return "past"
    if cohort.status == CohortStatus.DRAFT or cohort.day_number(now) < 1:
        return "upcoming"
    return "running"


@login_required
def my_cohorts(request: PageRequest) -> HttpResponse:
    """The learner's cohorts: running first (with a "check in today" button while today's check-in is due), then
    upcoming (soonest first), then past."""
    now = timezone.now()
    sections: dict[str, list[dict[str, Any]]] = {"running": [], "upcoming": [], "past": []}
    open_days: dict[int, tuple[int, ...]] = {}
    enrollments = list(selectors.cohort_list_for_learner(user=request.user))
    # An approved applicant pays by a deadline: the page says "pay now" and when.
    deadlines = hooks.payment_deadlines(
        enrollment_ids=[e.pk for e in enrollments if e.status == EnrollmentStatus.APPROVED]
    )
    for enrollment in enrollments:
        cohort = enrollment.cohort
        phase = _phase(enrollment, now=now)
        if phase == "running" and enrollment.status == EnrollmentStatus.ACTIVE:
            days_open = checkin_days_open(cohort=cohort, at=now)
            open_days[enrollment.pk] = tuple(d for d in days_open if 1 <= d <= cohort.duration_days)
        sections[phase].append(
            {
                "enrollment": enrollment,
                "cohort": cohort,
                "course": cohort.course,
                "today": _day_of(cohort, now=now),
                "pay_by": deadlines.get(enrollment.pk),
            }
        )
    counted = page_selectors.counted_days(wanted=open_days)
    for row in sections["running"]:
        days_open = open_days.get(row["enrollment"].pk, ())
        row["checkin_due"] = any((row["enrollment"].pk, day) not in counted for day in days_open)
    sections["upcoming"].reverse()  # soonest first
    context = {
        "sections": sections,
        "has_any": any(sections.values()),
        "now_year": now.year,
    }
    return render_page(request, "cohorts/my_cohorts.html", context)


def lesson_attachment(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    """A lesson's attachment, for its instructors and the members who have the lesson (media is not public):
    streamed, or a redirect to a short-lived signed URL on object storage."""
    lesson = selectors.lesson_attachment_for_user(user=request.user, lesson_id=lesson_id)
    name = lesson.attachment.name or ""
    return private_file_response(
        storage=lesson.attachment.storage, name=name, filename=name.rsplit("/", 1)[-1], as_attachment=True, max_age=3600
    )
