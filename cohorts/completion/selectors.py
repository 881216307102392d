"""Reading outcomes: a member's own, and a cohort's for its instructors."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cohorts.completion.models import EnrollmentOutcome
from cohorts.models import Cohort
from cohorts.selectors import cohort_get_for_instructor, enrollment_get_for_member
from stagewise.errors import NotFound


def outcome_get_for_member(*, user: Viewer, cohort_id: int) -> EnrollmentOutcome:
    """The member's own outcome; NotFound ``outcome_not_found`` until the cohort's outcomes are evaluated."""
    enrollment = enrollment_get_for_member(user=user, cohort_id=cohort_id)
    outcome = EnrollmentOutcome.objects.filter(enrollment=enrollment).first()
    if outcome is None:
        raise NotFound(_("This cohort's outcomes are not out yet."), code="outcome_not_found")
    outcome.enrollment = enrollment
    return outcome


def outcome_for_enrollment(*, enrollment_id: int) -> EnrollmentOutcome | None:
    return EnrollmentOutcome.objects.filter(enrollment_id=enrollment_id).first()


def outcomes_of_cohort(*, cohort: Cohort) -> QuerySet[EnrollmentOutcome]:
    return (
        EnrollmentOutcome.objects.filter(enrollment__cohort=cohort)
        .select_related("enrollment__learner", "overridden_by")
        .order_by("outcome", "enrollment__learner__display_name", "enrollment_id")
    )


def outcome_list_for_instructor(*, user: Viewer, cohort_id: int) -> QuerySet[EnrollmentOutcome]:
    return outcomes_of_cohort(cohort=cohort_get_for_instructor(user=user, cohort_id=cohort_id))
