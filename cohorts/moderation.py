"""Group rules: strikes (warning, then removal), reinstatement by staff, nudges, reminder opt-out.

Removal keeps every record, frees the seat (a removed enrollment holds none), tells the learner and writes
an audit event.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts.checkins import checkin_day
from cohorts.models import AuditEvent, CheckIn, Cohort, Enrollment, Strike
from cohorts.seats import cohort_lock, seats_taken
from cohorts.selectors import cohort_get_for_instructor, cohort_get_for_user
from cohorts.statuses import CheckInStatus, EnrollmentStatus
from cohorts.transitions import enrollment_transition
from content.selectors import is_course_instructor
from stagewise.errors import Conflict, Forbidden, Invalid, NotFound
from stagewise.mail import mail_send
from stagewise.permissions import is_staff


def audit_record(*, actor: User, action: str, target: Any, details: dict[str, Any], now: datetime) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        details=details,
        created_at=now,
    )


def _enrollment_for_instructor(*, actor: User, enrollment_id: int) -> Enrollment:
    """The enrollment if ``actor`` teaches its cohort's course (or is staff); the same NotFound whether it is missing
    or another cohort's."""
    enrollment = Enrollment.objects.select_related("cohort__course", "learner").filter(pk=enrollment_id).first()
    if enrollment is None or not is_course_instructor(user=actor, course=enrollment.cohort.course):
        raise NotFound(_("No such member."), code="enrollment_not_found")
    return enrollment


def strike_issue(*, actor: User, enrollment_id: int, reason: str, now: datetime | None = None) -> Strike:
    """Record a strike. Below the cohort's ``strikes_to_remove`` it is a warning; at it the learner is removed.

    The enrollment row is locked while strikes are counted, so two strikes at once can't share a number.
    """
    now = now or timezone.now()
    if len(reason.strip()) < 3:
        raise Invalid(_("Give the learner a reason."), code="reason_required", extra={"field": "reason"})
    enrollment = _enrollment_for_instructor(actor=actor, enrollment_id=enrollment_id)
    cohort: Cohort = enrollment.cohort
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.status != EnrollmentStatus.ACTIVE:
            raise Conflict(_("Only active members can receive strikes."), code="not_active")
        number = Strike.objects.filter(enrollment=locked).count() + 1
        strike = Strike.objects.create(
            enrollment=locked, issued_by=actor, reason=reason.strip()[:500], number=number, created_at=now
        )
        removed = number >= cohort.strikes_to_remove
        if removed:
            enrollment_transition(
                enrollment_id=locked.pk, old=EnrollmentStatus.ACTIVE, new=EnrollmentStatus.REMOVED, now=now
            )
            audit_record(
                actor=actor,
                action="enrollment.removed",
                target=locked,
                details={"reason": strike.reason, "strike": number, "cohort_id": cohort.pk},
                now=now,
            )
        mail_send(
            user=enrollment.learner,
            template="strike",
            context={"cohort": cohort, "strike": strike, "removed": removed, "limit": cohort.strikes_to_remove},
            key=f"strike:{strike.pk}",
        )
    return strike


def enrollment_reinstate(*, actor: User, enrollment_id: int, reason: str, now: datetime | None = None) -> Enrollment:
    """Staff bring a removed learner back, if a seat is free. Audited."""
    now = now or timezone.now()
    if not is_staff(actor):
        raise Forbidden(_("Only staff can reinstate a removed learner."), code="not_staff")
    with transaction.atomic():
        enrollment = Enrollment.objects.select_related("cohort").filter(pk=enrollment_id).first()
        if enrollment is None:
            raise NotFound(_("No such member."), code="enrollment_not_found")
        cohort = cohort_lock(cohort_id=enrollment.cohort_id)
        if enrollment.status != EnrollmentStatus.REMOVED:
            raise Conflict(_("Only removed learners can be reinstated."), code="not_removed")
        if seats_taken(cohort_id=cohort.pk, now=now) >= cohort.capacity:
            raise Conflict(_("The cohort is full; free a seat first."), code="cohort_full")
        if not enrollment_transition(
            enrollment_id=enrollment.pk, old=EnrollmentStatus.REMOVED, new=EnrollmentStatus.ACTIVE, now=now
        ):
            raise Conflict(_("The member changed meanwhile; reload and try again."), code="concurrent_change")
        audit_record(
            actor=actor, action="enrollment.reinstated", target=enrollment, details={"reason": reason}, now=now
        )
    enrollment.refresh_from_db()
    return enrollment


@dataclass(frozen=True)
class NudgeCandidate:
    enrollment_id: int
    display_name: str
    last_checkin_day: int | None
    days_missed: int


def nudge_candidates(*, actor: User, cohort_id: int, now: datetime | None = None) -> list[NudgeCandidate]:
    """Active members with no counted check-in for the cohort's ``nudge_after_days`` closed days or more."""
    now = now or timezone.now()
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    last_closed = min(checkin_day(cohort=cohort, at=now) - 1, cohort.duration_days)
    if last_closed < cohort.nudge_after_days:
        return []
    last_by_enrollment: dict[int, int] = {}
    checked_in_today: set[int] = set()
    for enrollment_id, day in CheckIn.objects.filter(
        enrollment__cohort=cohort, status=CheckInStatus.COUNTED, day__lte=last_closed + 1
    ).values_list("enrollment_id", "day"):
        if day == last_closed + 1:
            checked_in_today.add(enrollment_id)
        else:
            last_by_enrollment[enrollment_id] = max(day, last_by_enrollment.get(enrollment_id, 0))
    result = []
    for enrollment in (
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE)
        .select_related("learner")
        .order_by("learner__display_name", "id")
    ):
        if enrollment.pk in checked_in_today:
            continue  # back on track today: no nudge needed
        last = last_by_enrollment.get(enrollment.pk)
        missed = last_closed - (last or 0)
        if missed >= cohort.nudge_after_days:
            result.append(
                NudgeCandidate(
                    enrollment_id=enrollment.pk,
                    display_name=enrollment.learner.display_name,
                    last_checkin_day=last,
                    days_missed=missed,
                )
            )
    return result


def nudge_send(
    *, actor: User, cohort_id: int, enrollment_ids: list[int], message: str = "", now: datetime | None = None
) -> int:
    """Queue a nudge to the chosen members (at most one each per local day; one whose every try failed may be
    nudged again). Returns how many were queued. The mails go out from a worker after commit, not in this request.
    """
    now = now or timezone.now()
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    today = cohort.local_date(now).isoformat()
    context = {"cohort": cohort, "message": message.strip()[:1000], "teacher": actor}
    sent = 0
    with transaction.atomic():
        for enrollment in Enrollment.objects.filter(
            cohort=cohort, pk__in=enrollment_ids, status=EnrollmentStatus.ACTIVE
        ).select_related("learner"):
            if mail_send(
                user=enrollment.learner, template="nudge", context=context, key=f"nudge:{enrollment.pk}:{today}"
            ):
                sent += 1
    return sent


def reminders_set(*, learner: User, cohort_id: int, enabled: bool) -> Enrollment:
    """A member turns the daily reminder mail on or off."""
    enrollment = _own_active_enrollment(learner=learner, cohort_id=cohort_id)
    enrollment.reminders_enabled = enabled
    enrollment.save(update_fields=["reminders_enabled"])
    return enrollment


def _own_active_enrollment(*, learner: User, cohort_id: int) -> Enrollment:
    cohort = cohort_get_for_user(user=learner, cohort_id=cohort_id)
    enrollment = Enrollment.objects.filter(cohort=cohort, learner=learner, status=EnrollmentStatus.ACTIVE).first()
    if enrollment is None:
        raise NotFound(_("You are not a member of this cohort."), code="not_enrolled")
    return enrollment


def enrollment_rules_accept(*, learner: User, cohort_id: int, now: datetime | None = None) -> Enrollment:
    """A member accepts the cohort's group rules (once; accepting again keeps the first time)."""
    enrollment = _own_active_enrollment(learner=learner, cohort_id=cohort_id)
    if enrollment.rules_accepted_at is None:
        enrollment.rules_accepted_at = now or timezone.now()
        enrollment.save(update_fields=["rules_accepted_at"])
    return enrollment
