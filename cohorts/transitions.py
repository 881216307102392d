"""The one place an enrollment's status changes: a conditional UPDATE checked against the transition table."""

from datetime import datetime

from django.utils import timezone

from cohorts.models import Enrollment
from cohorts.statuses import ENROLLMENT_TRANSITIONS, can_transition
from stagewise.errors import Conflict


def enrollment_transition(*, enrollment_id: int, old: str, new: str, now: datetime | None = None) -> bool:
    """``old`` → ``new`` with a conditional UPDATE; False if the enrollment was no longer ``old``."""
    if not can_transition(ENROLLMENT_TRANSITIONS, old, new):
        raise Conflict(f"An enrollment can't go from {old} to {new}.", code="invalid_transition")
    changed = Enrollment.objects.filter(pk=enrollment_id, status=old).update(
        status=new, status_changed_at=now or timezone.now()
    )
    return changed == 1
