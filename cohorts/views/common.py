"""What several cohort page families share: the day-state words, instants in the cohort's zone, going back."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy, pgettext_lazy

from cohorts import selectors
from cohorts.models import Cohort, Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus
from stagewise.pages import safe_next

DAY_STATE_LABELS = {
    "counted": gettext_lazy("Checked in"),
    "makeup": gettext_lazy("Make-up"),
    "rejected": pgettext_lazy("check-in", "Rejected"),
    "missed": gettext_lazy("Missed"),
    "today": gettext_lazy("Today"),
    "future": gettext_lazy("Upcoming"),
}


def back(request: HttpRequest, fallback: str, anchor: str = "") -> HttpResponse:
    """Back to the page the form was on (its ``next``), at ``anchor``."""
    target = safe_next(request, fallback)
    return redirect(target.split("#")[0] + anchor)


def taught_cohort(request: HttpRequest, cohort_id: int) -> Cohort:
    """The cohort if the user teaches it (NotFound otherwise: the 404 page)."""
    return selectors.cohort_get_for_instructor(user=request.user, cohort_id=cohort_id)


def applications_waiting_in(cohort: Cohort) -> int:
    """The count on the instructor's "Applications" tab: applications waiting for a decision."""
    return selectors.applications_waiting(cohort_ids=[cohort.pk]).get(cohort.pk, 0)


def upgrade_to(cohort: Cohort, enrollment: Enrollment | None) -> Cohort | None:
    """The next stage's open cohort an active member may move up to before ``cohort`` ends (the cohort page's and
    the Today page's "upgrade now" offer; billing prices it); None for anyone else."""
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return None
    if cohort.status not in (CohortStatus.OPEN, CohortStatus.RUNNING):
        return None
    return selectors.next_stage_open_cohort(course=cohort.course)
