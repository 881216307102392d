"""What every page's navigation needs from cohorts: an instructor's applications waiting for a decision."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cohorts.selectors import applications_waiting_for_instructor


def teach_applications(request: HttpRequest) -> dict[str, Any]:
    """``teach_applications``: the cohorts of the signed-in instructor's courses with applications waiting, and how
    many (a list of ``{"cohort", "count"}``), read once per page and only when a template asks (the "Teach" link)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_instructor:
        return {"teach_applications": []}
    return {"teach_applications": SimpleLazyObject(lambda: applications_waiting_for_instructor(user=user))}
