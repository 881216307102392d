"""The one place an enrollment's status changes: a conditional UPDATE checked against the transition table."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Enrollment
from cohorts.signals import enrollment_changed
from cohorts.statuses import ENROLLMENT_TRANSITIONS, can_transition
from stagewise.errors import Conflict, lazy_format


def enrollment_transition(*, enrollment_id: int, old: str, new: str, now: datetime | None = None) -> bool:
    """``old`` → ``new`` with a conditional UPDATE; False if the enrollment was no longer ``old``."""
    if not can_transition(ENROLLMENT_TRANSITIONS, old, new):
        raise Conflict(
            lazy_format(_("An enrollment can't go from %(old)s to %(new)s."), old=old, new=new),
            code="invalid_transition",
        )
    changed = Enrollment.objects.filter(pk=enrollment_id, status=old).update(
        status=new, status_changed_at=now or timezone.now()
    )
    if changed:
        transaction.on_commit(
            lambda: enrollment_changed.send(sender=Enrollment, enrollment_id=enrollment_id, old=old, new=new)
        )
    return changed == 1
