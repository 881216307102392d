"""Pages for cohorts: a cohort's page with its released lessons, the learner's cohorts, and scheduling ("Teach").

Views build the whole context from selectors (templates never query) and write only through services.
Anything a user may not see answers 404, exactly like something that does not exist.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.forms import service_error_message
from accounts.views import render_page
from cohorts import selectors, services
from cohorts.forms import CohortForm
from cohorts.statuses import MEMBER_STATUSES, CohortStatus, EnrollmentStatus
from content.selectors import course_get_for_instructor, is_course_instructor
from stagewise.errors import ApplicationError, NotFound

# Enrollments that may (re)start enrollment from the cohort page.
_MAY_ENROLL_AGAIN = frozenset({EnrollmentStatus.EXPIRED})


def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    try:
        cohort = selectors.cohort_get_for_user(user=request.user, cohort_id=cohort_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    now = timezone.now()
    enrollment = selectors.enrollment_for(user=request.user, cohort=cohort)
    is_instructor = is_course_instructor(user=request.user, course=cohort.course)
    is_member = enrollment is not None and enrollment.status in MEMBER_STATUSES
    released = selectors.released_day(cohort=cohort, now=now)
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
        "today": cohort.day_number(now) if cohort.status == CohortStatus.RUNNING else None,
        "lessons": lessons,
    }
    return render_page(request, "cohorts/cohort_detail.html", context)


@login_required
def my_cohorts(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for enrollment in selectors.cohort_list_for_learner(user=request.user):
        cohort = enrollment.cohort
        rows.append(
            {
                "enrollment": enrollment,
                "cohort": cohort,
                "course": cohort.course,
                "today": cohort.day_number(now) if cohort.status == CohortStatus.RUNNING else None,
            }
        )
    return render_page(request, "cohorts/my_cohorts.html", {"rows": rows})


@login_required
def teach_cohorts(request: HttpRequest, course_id: int) -> HttpResponse:
    try:
        course = course_get_for_instructor(user=request.user, course_id=course_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = CohortForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                cohort = services.cohort_create(actor=request.user, course_id=course.pk, **form.service_values())
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Cohort “%(name)s” created as a draft. Open or schedule it.") % {"name": cohort.name}
                )
                return redirect("cohorts:teach_cohorts", course_id=course.pk)
    cohorts = [
        {"cohort": c, "seats_left": selectors.seats_left(c)}
        for c in selectors.cohort_list_for_user(user=request.user, course_id=course.pk)
    ]
    return render_page(
        request,
        "cohorts/teach_cohorts.html",
        {"course": course, "cohorts": cohorts, "form": form, "tab": "cohorts"},
        status=status,
    )


_ACTIONS = {
    "schedule": (services.cohort_schedule, gettext_lazy("Enrollment will open automatically on %(date)s.")),
    "open": (services.cohort_open, gettext_lazy("Enrollment is open.")),
    "cancel": (services.cohort_cancel, gettext_lazy("Cohort cancelled.")),
}


@login_required
@require_POST
def teach_cohort_action(request: HttpRequest, cohort_id: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404
    try:
        cohort = selectors.cohort_get_for_instructor(user=request.user, cohort_id=cohort_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    service, done = _ACTIONS[action]
    try:
        service(actor=request.user, cohort_id=cohort.pk)
    except ApplicationError as exc:
        messages.error(request, service_error_message(exc))
    else:
        messages.success(request, str(done) % {"date": date_format(cohort.enrollment_opens_on, "DATE_FORMAT")})
    return redirect("cohorts:teach_cohorts", course_id=cohort.course_id)
