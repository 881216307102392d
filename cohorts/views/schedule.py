"""Scheduling cohorts ("Teach"): a course's cohorts, a new one as a draft, and the schedule / open / cancel actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.types import PageRequest
from cohorts import selectors, services
from cohorts.forms import CohortForm
from content.selectors import course_get_for_instructor
from stagewise.errors import ApplicationError
from stagewise.pages import render_page


@login_required
def teach_cohorts(request: PageRequest, course_id: int) -> HttpResponse:
    course = course_get_for_instructor(user=request.user, course_id=course_id)
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
    listed = list(selectors.cohort_list_for_user(user=request.user, course_id=course.pk))
    waiting = selectors.applications_waiting(cohort_ids=[c.pk for c in listed])
    cohorts = [
        {"cohort": c, "seats_left": selectors.seats_left(c), "applications_waiting": waiting.get(c.pk, 0)}
        for c in listed
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
def teach_cohort_action(request: PageRequest, cohort_id: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404
    cohort = selectors.cohort_get_for_instructor(user=request.user, cohort_id=cohort_id)
    service, done = _ACTIONS[action]
    try:
        service(actor=request.user, cohort_id=cohort.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done) % {"date": date_format(cohort.enrollment_opens_on, "DATE_FORMAT")})
    return redirect("cohorts:teach_cohorts", course_id=cohort.course_id)
