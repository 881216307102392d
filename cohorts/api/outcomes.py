"""The end of a cohort: outcomes and the instructor's override in the review window."""

from django.db.models import QuerySet
from ninja import Router
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts.completion import selectors, services
from cohorts.completion.models import EnrollmentOutcome
from cohorts.schemas.outcomes import OutcomeOut, OverrideIn
from stagewise.ids import RowId
from stagewise.pagination import Pagination

router = Router(tags=["cohort end"])


@router.get("/cohorts/{cohort_id}/outcome", response=OutcomeOut, auth=auth_required)
def outcome_mine(request: AuthedRequest, cohort_id: RowId) -> EnrollmentOutcome:
    """A member's own outcome once the cohort has ended (404 ``outcome_not_found`` before)."""
    return selectors.outcome_get_for_member(user=request.auth, cohort_id=cohort_id)


@router.get("/cohorts/{cohort_id}/outcomes", response=list[OutcomeOut], auth=auth_required)
@paginate(Pagination)
def outcome_list(request: AuthedRequest, cohort_id: RowId) -> QuerySet[EnrollmentOutcome]:
    """Instructors: every member's outcome, with the figures that decided it."""
    return selectors.outcome_list_for_instructor(user=request.auth, cohort_id=cohort_id)


@router.put("/enrollments/{enrollment_id}/outcome", response=OutcomeOut, auth=auth_required)
def outcome_override(request: AuthedRequest, enrollment_id: RowId, payload: OverrideIn) -> EnrollmentOutcome:
    """Instructors: change one outcome, with a reason, until the review window closes (409 ``review_closed``)."""
    return services.outcome_override(
        actor=request.auth, enrollment_id=enrollment_id, outcome=payload.outcome, reason=payload.reason
    )
