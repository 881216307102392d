"""The ladder (catalog) and a course's page: courses with their cohorts, so they live with the cohorts' data."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import opening_alerts
from cohorts.models import Cohort, Enrollment
from cohorts.opening_alerts import opening_alert_waiting
from cohorts.selectors import (
    admission_for,
    cohort_list_for_learner,
    cohort_list_for_user,
    seats_left,
    upcoming_cohorts_by_course,
)
from cohorts.statuses import CohortStatus
from content import selectors as content_selectors
from stagewise.errors import Conflict
from stagewise.pages import render_page, safe_next


def _my_enrollments(request: HttpRequest) -> dict[int, Enrollment]:
    """The signed-in user's enrollment in each cohort (by cohort id); empty for visitors."""
    if not request.user.is_authenticated:
        return {}
    return {enrollment.cohort_id: enrollment for enrollment in cohort_list_for_learner(user=request.user)}


def _cohort_row(cohort: Cohort, mine: dict[int, Enrollment]) -> dict[str, Any]:
    return {"cohort": cohort, "seats_left": seats_left(cohort), "enrollment": mine.get(cohort.pk)}


def catalog(request: HttpRequest) -> HttpResponse:
    """The ladder: every track with its stages in order, each stage with its open and running cohorts."""
    courses = list(content_selectors.course_list_for_user(user=request.user))
    upcoming = upcoming_cohorts_by_course(course_ids=[course.pk for course in courses])
    mine = _my_enrollments(request)
    stages_by_track: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for course in courses:
        stages_by_track[course.track_id].append(
            {"course": course, "cohorts": [_cohort_row(c, mine) for c in upcoming[course.pk]]}
        )
    tracks = [
        {"track": track, "stages": stages_by_track[track.pk]}
        for track in content_selectors.track_list()
        if stages_by_track.get(track.pk)
    ]
    return render_page(request, "cohorts/catalog.html", {"tracks": tracks})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = content_selectors.course_get_by_slug_for_user(user=request.user, slug=slug)
    mine = _my_enrollments(request)
    cohorts = [
        _cohort_row(c, mine)
        for c in cohort_list_for_user(user=request.user, course_id=course.pk)
        if c.status != CohortStatus.ARCHIVED
    ]
    has_open = any(row["cohort"].status == CohortStatus.OPEN for row in cohorts)
    is_instructor = content_selectors.is_course_instructor(user=request.user, course=course)
    admission = (
        admission_for(learner=request.user, course=course)
        if request.user.is_authenticated and not is_instructor
        else None
    )
    context = {
        "admission": admission,
        "course": course,
        "has_open": has_open,
        "alert_waiting": not has_open and opening_alert_waiting(user=request.user, course_id=course.pk),
        "ladder": list(content_selectors.course_list_for_user(user=request.user, track_id=course.track_id)),
        "cohorts": cohorts,
        "instructors": list(course.instructors.order_by("display_name", "id")),
        "is_instructor": is_instructor,
    }
    return render_page(request, "cohorts/course_detail.html", context)


@login_required
@require_POST
def opening_alert(request: PageRequest, slug: str) -> HttpResponse:
    """ "Notify me when a cohort opens" (``action=request``) or take it back (``action=cancel``)."""
    course = content_selectors.course_get_by_slug_for_user(user=request.user, slug=slug)
    if request.POST.get("action") == "cancel":
        opening_alerts.opening_alert_cancel(learner=request.user, course_id=course.pk)
        messages.info(request, _("You won't be mailed about %(course)s.") % {"course": course.title})
    else:
        try:
            opening_alerts.opening_alert_request(learner=request.user, course_id=course.pk)
        except Conflict as exc:
            messages.info(request, exc.message)
        else:
            messages.success(request, _("We'll mail you when a cohort of %(course)s opens.") % {"course": course.title})
    return redirect(safe_next(request, reverse("cohorts:course", args=[course.slug])))
