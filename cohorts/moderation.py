"""Group rules: strikes (warning, then removal), reinstatement by staff, nudges, reminder opt-out.

Removal keeps every record, frees the seat (a removed enrollment holds none), tells the learner and writes
an audit event.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count
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
from stagewise.errors import Conflict, Forbidden, Invalid, NotFound, lazy_format
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
    days_missed: int  # closed days since the last counted check-in
    counted_days: int  # counted check-ins on the closed days
    closed_days: int  # the cohort's days that are over

    @property
    def rate_percent(self) -> int:
        return round(100 * self.counted_days / self.closed_days) if self.closed_days else 100


def nudge_candidates(*, actor: User, cohort_id: int, now: datetime | None = None) -> list[NudgeCandidate]:
    """Active members who went quiet or fall behind, once ``nudge_after_days`` days are over: no counted check-in
    for ``nudge_after_days`` closed days or more, or counted check-ins on fewer than ``nudge_below_rate_percent``
    of the closed days (2 of 8 days, however recent). A member who checked in today is back on track: not listed."""
    now = now or timezone.now()
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    last_closed = min(checkin_day(cohort=cohort, at=now) - 1, cohort.duration_days)
    if last_closed < max(cohort.nudge_after_days, 1):
        return []
    last_by_enrollment: dict[int, int] = {}
    counted: dict[int, int] = {}
    checked_in_today: set[int] = set()
    for enrollment_id, day in CheckIn.objects.filter(
        enrollment__cohort=cohort, status=CheckInStatus.COUNTED, day__lte=last_closed + 1
    ).values_list("enrollment_id", "day"):
        if day == last_closed + 1:
            checked_in_today.add(enrollment_id)
        else:
            last_by_enrollment[enrollment_id] = max(day, last_by_enrollment.get(enrollment_id, 0))
            counted[enrollment_id] = counted.get(enrollment_id, 0) + 1
    result = []
    for enrollment in (
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ACTIVE)
        .select_related("learner")
        .order_by("learner__display_name", "id")
    ):
        if enrollment.pk in checked_in_today:
            continue  # back on track today: no nudge needed
        last = last_by_enrollment.get(enrollment.pk)
        candidate = NudgeCandidate(
            enrollment_id=enrollment.pk,
            display_name=enrollment.learner.display_name,
            last_checkin_day=last,
            days_missed=last_closed - (last or 0),
            counted_days=counted.get(enrollment.pk, 0),
            closed_days=last_closed,
        )
        if candidate.days_missed >= cohort.nudge_after_days or candidate.rate_percent < cohort.nudge_below_rate_percent:
            result.append(candidate)
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


RULES_MAX_LENGTH = 10_000
STRIKES_MAX = 10
NUDGE_AFTER_DAYS_MAX = 30


def _check_settings(*, cohort: Cohort, values: dict[str, Any]) -> None:
    """The rules of each setting, with a message that says what would be right."""
    if len(values["rules"]) > RULES_MAX_LENGTH:
        raise Invalid(
            lazy_format(_("Keep the group rules under %(max)s characters."), max=RULES_MAX_LENGTH),
            code="rules_too_long",
            extra={"field": "rules"},
        )
    if not 0 <= values["reminder_hour"] <= 23:
        raise Invalid(
            _("The reminder hour is a whole hour from 0 to 23, in the cohort's time zone."),
            code="invalid_reminder_hour",
            extra={"field": "reminder_hour"},
        )
    if not 1 <= values["strikes_to_remove"] <= STRIKES_MAX:
        raise Invalid(
            lazy_format(_("Removal comes at a strike from 1 to %(max)s."), max=STRIKES_MAX),
            code="invalid_strike_limit",
            extra={"field": "strikes_to_remove"},
        )
    most = (
        Strike.objects.filter(enrollment__cohort=cohort, enrollment__status=EnrollmentStatus.ACTIVE)
        .values("enrollment")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("n", flat=True)
        .first()
    ) or 0
    if values["strikes_to_remove"] <= most:
        raise Invalid(
            lazy_format(
                _(
                    "An active member already has %(count)s strikes: a limit of %(limit)s would leave them in the "
                    "cohort past it. Choose %(min)s or more."
                ),
                count=most,
                limit=values["strikes_to_remove"],
                min=most + 1,
            ),
            code="strike_limit_below_strikes",
            extra={"field": "strikes_to_remove", "most_strikes": most},
        )
    if not 1 <= values["nudge_after_days"] <= NUDGE_AFTER_DAYS_MAX:
        raise Invalid(
            lazy_format(_("List members after 1 to %(max)s days without a check-in."), max=NUDGE_AFTER_DAYS_MAX),
            code="invalid_nudge_days",
            extra={"field": "nudge_after_days"},
        )
    if not 0 <= values["nudge_below_rate_percent"] <= 100:
        raise Invalid(
            _("The check-in rate is a percentage from 0 (off) to 100."),
            code="invalid_nudge_rate",
            extra={"field": "nudge_below_rate_percent"},
        )


COHORT_SETTINGS = ("rules", "reminder_hour", "strikes_to_remove", "nudge_after_days", "nudge_below_rate_percent")


def cohort_settings_update(
    *,
    actor: User,
    cohort_id: int,
    rules: str,
    reminder_hour: int,
    strikes_to_remove: int,
    nudge_after_days: int,
    nudge_below_rate_percent: int,
    now: datetime | None = None,
) -> Cohort:
    """An instructor of the cohort changes how it is run: group rules, reminder hour, strike limit, nudge list.

    Every change is audited (who, when, each setting's old and new value). Under the cohort's row lock, so two
    saves at once don't interleave.
    """
    now = now or timezone.now()
    cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    values: dict[str, Any] = {
        "rules": rules.strip(),
        "reminder_hour": reminder_hour,
        "strikes_to_remove": strikes_to_remove,
        "nudge_after_days": nudge_after_days,
        "nudge_below_rate_percent": nudge_below_rate_percent,
    }
    with transaction.atomic():
        cohort = cohort_lock(cohort_id=cohort_id)
        _check_settings(cohort=cohort, values=values)
        changes = {
            name: [getattr(cohort, name), value] for name, value in values.items() if getattr(cohort, name) != value
        }
        if changes:
            for name in changes:
                setattr(cohort, name, values[name])
            cohort.save(update_fields=list(changes))
            audit_record(actor=actor, action="cohort.settings_changed", target=cohort, details=changes, now=now)
    return cohort
