"""Writes on cohorts and enrollments. Status changes go through ``cohort_transition``."""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User, validate_timezone
from cohorts import seats
from cohorts.days import local_date
from cohorts.models import Cohort, Enrollment
from cohorts.opening_alerts import opening_alerts_send
from cohorts.selectors import cohort_get_for_instructor
from cohorts.signals import cohort_cancelled
from cohorts.statuses import (
    COHORT_TRANSITIONS,
    CohortStatus,
    EnrollmentStatus,
    can_transition,
)
from content.selectors import course_get_for_instructor
from stagewise.errors import Conflict, Invalid, lazy_format

logger = logging.getLogger(__name__)

EDITABLE_BEFORE_START = (
    "name",
    "timezone",
    "enrollment_opens_on",
    "enrollment_closes_on",
    "starts_on",
    "ends_on",
)


def _check_dates(*, tz: str, opens_on: date, closes_on: date, starts_on: date, ends_on: date, now: datetime) -> None:
    try:
        validate_timezone(tz)
    except Exception as exc:
        raise Invalid(
            lazy_format(_("Unknown time zone: %(zone)s."), zone=tz),
            code="invalid_timezone",
            extra={"field": "timezone"},
        ) from exc
    # The start first: a past start date is the mistake to report, not the enrollment window it implies.
    if ends_on < starts_on:
        raise Invalid(_("The cohort can't end before it starts."), code="invalid_dates", extra={"field": "ends_on"})
    if starts_on <= local_date(tz=tz, at=now):
        raise Invalid(
            _("The first day must be in the future (in the cohort's time zone)."),
            code="start_in_past",
            extra={"field": "starts_on"},
        )
    if closes_on < opens_on:
        raise Invalid(
            _("Enrollment must close on or after the day it opens."),
            code="invalid_enrollment_window",
            extra={"field": "enrollment_closes_on"},
        )
    if opens_on > starts_on:
        raise Invalid(
            _("Enrollment must open on or before the first day."),
            code="invalid_enrollment_window",
            extra={"field": "enrollment_opens_on"},
        )


def cohort_create(
    *,
    actor: User,
    course_id: int,
    name: str,
    timezone_name: str,
    starts_on: date,
    capacity: int,
    enrollment_opens_on: date | None = None,
    enrollment_closes_on: date | None = None,
    ends_on: date | None = None,
    now: datetime | None = None,
) -> Cohort:
    """Create a draft cohort. ``ends_on`` defaults to the course's duration; enrollment to "from now to day 1"."""
    course = course_get_for_instructor(user=actor, course_id=course_id)
    now = now or timezone.now()
    if not name.strip():
        raise Invalid(_("A cohort needs a name."), code="invalid_name", extra={"field": "name"})
    if capacity < 1:
        raise Invalid(_("Capacity must be at least 1."), code="invalid_capacity", extra={"field": "capacity"})
    ends_on = ends_on or starts_on + timedelta(days=course.duration_days - 1)
    try:
        today = local_date(tz=timezone_name, at=now)
    except Exception as exc:
        raise Invalid(
            lazy_format(_("Unknown time zone: %(zone)s."), zone=timezone_name),
            code="invalid_timezone",
            extra={"field": "timezone"},
        ) from exc
    opens_on = enrollment_opens_on or today
    closes_on = enrollment_closes_on or starts_on
    _check_dates(
        tz=timezone_name,
        opens_on=opens_on,
        closes_on=closes_on,
        starts_on=starts_on,
        ends_on=ends_on,
        now=now,
    )
    return Cohort.objects.create(
        course=course,
        name=name.strip(),
        timezone=timezone_name,
        enrollment_opens_on=opens_on,
        enrollment_closes_on=closes_on,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        created_by=actor,
    )


def cohort_update(*, actor: User, cohort_id: int, now: datetime | None = None, **values: Any) -> Cohort:
    """Change a cohort. Dates, zone and name only before it starts; capacity never below the seats taken."""
    now = now or timezone.now()
    with transaction.atomic():
        cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
        cohort = seats.cohort_lock(cohort_id=cohort_id)
        unknown = set(values) - set(EDITABLE_BEFORE_START) - {"capacity", "timezone_name"}
        if unknown:
            raise Invalid(
                lazy_format(_("Unknown fields: %(fields)s."), fields=", ".join(sorted(unknown))), code="unknown_fields"
            )
        if "timezone_name" in values:
            values["timezone"] = values.pop("timezone_name")
        date_fields = set(values) & set(EDITABLE_BEFORE_START)
        if date_fields and (cohort.status not in (CohortStatus.DRAFT, CohortStatus.OPEN) or now >= cohort.starts_at):
            raise Conflict(
                _("Dates, time zone and name can only change before the cohort starts."),
                code="cohort_already_started",
            )
        if "capacity" in values:
            taken = seats.seats_taken(cohort_id=cohort.pk, now=now)
            if values["capacity"] < max(taken, 1):
                raise Invalid(
                    lazy_format(_("Capacity can't go below the %(taken)s seats already taken."), taken=taken),
                    code="capacity_below_taken",
                    extra={"field": "capacity", "taken": taken},
                )
        if "starts_on" in values and "ends_on" not in values:
            values["ends_on"] = values["starts_on"] + timedelta(days=cohort.course.duration_days - 1)
        for name, value in values.items():
            setattr(cohort, name, value)
        if date_fields:
            _check_dates(
                tz=cohort.timezone,
                opens_on=cohort.enrollment_opens_on,
                closes_on=cohort.enrollment_closes_on,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                now=now,
            )
        if values:
            cohort.save(update_fields=list(values))
    return cohort


def cohort_transition(*, cohort_id: int, old: str, new: str, now: datetime | None = None) -> bool:
    """Move a cohort from ``old`` to ``new`` with a conditional UPDATE.

    Returns False when the cohort was no longer in ``old`` (another worker or request got there first). Opening a
    cohort mails the learners waiting for one of its course (``cohorts.opening_alerts``), in the same transaction.
    Raises Conflict for a transition the lifecycle does not allow.
    """
    if not can_transition(COHORT_TRANSITIONS, old, new):
        raise Conflict(
            lazy_format(_("A cohort can't go from %(old)s to %(new)s."), old=old, new=new), code="invalid_transition"
        )
    now = now or timezone.now()
    with transaction.atomic():
        updated = Cohort.objects.filter(pk=cohort_id, status=old).update(status=new, status_changed_at=now)
        if updated == 1 and new == CohortStatus.OPEN:
            # Whoever asked to hear about the next cohort of this course hears now (once), if this commits.
            opening_alerts_send(cohort=Cohort.objects.select_related("course").get(pk=cohort_id), now=now)
    return updated == 1


def _transition_or_conflict(*, cohort: Cohort, new: str, now: datetime | None = None) -> Cohort:
    if not can_transition(COHORT_TRANSITIONS, cohort.status, new):
        raise Conflict(
            lazy_format(
                _("A cohort that is “%(status)s” can't become “%(target)s”."),
                status=CohortStatus(cohort.status).label,
                target=CohortStatus(new).label,
            ),
            code="invalid_transition",
            extra={"status": cohort.status, "target": new},
        )
    if not cohort_transition(cohort_id=cohort.pk, old=cohort.status, new=new, now=now):
        raise Conflict(_("The cohort changed meanwhile; reload and try again."), code="concurrent_change")
    cohort.refresh_from_db(fields=["status", "status_changed_at"])
    return cohort


def cohort_schedule(*, actor: User, cohort_id: int) -> Cohort:
    """Let the scheduler open enrollment at the window's start (draft cohorts only)."""
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    if cohort.status != CohortStatus.DRAFT:
        raise Conflict(_("Only a draft cohort can be scheduled."), code="invalid_transition")
    if not cohort.scheduled:
        Cohort.objects.filter(pk=cohort.pk).update(scheduled=True)
        cohort.scheduled = True
    return cohort


def cohort_open(*, actor: User, cohort_id: int, now: datetime | None = None) -> Cohort:
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    return _transition_or_conflict(cohort=cohort, new=CohortStatus.OPEN, now=now)


def cohort_cancel(*, actor: User, cohort_id: int, now: datetime | None = None) -> Cohort:
    """Call off a draft or open cohort. Once that commits, ``cohort_cancelled`` is sent: billing refunds everyone.

    Payment closes at once: every held seat is released in the same transaction, so a capture that arrives later
    finds no seat to convert and is refunded (billing's ``payment_mark_succeeded``), even before billing's job runs.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
        cohort = _transition_or_conflict(cohort=cohort, new=CohortStatus.CANCELLED, now=now)
        seats.seat_holds_release_all(cohort_id=cohort.pk, now=now)
        transaction.on_commit(lambda: cohort_cancelled.send(sender=Cohort, cohort_id=cohort.pk))
    return cohort


def cohort_archive(*, actor: User, cohort_id: int, now: datetime | None = None) -> Cohort:
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    return _transition_or_conflict(cohort=cohort, new=CohortStatus.ARCHIVED, now=now)


def cohort_transitions_run(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled transitions: open at the window's start, run at local midnight of day 1, end after the last day.

    Idempotent and safe when two workers run it at once: every change is a conditional UPDATE on the old
    status, so each transition happens exactly once and the loser simply skips it. Returns what *this*
    call changed.
    """
    now = now or timezone.now()
    # Local dates are at most 14 h ahead of / 12 h behind UTC: a one-day margin narrows the candidates.
    horizon = now.date() + timedelta(days=1)
    done = {"opened": 0, "started": 0, "ended": 0}

    for cohort in Cohort.objects.filter(
        status=CohortStatus.DRAFT, scheduled=True, enrollment_opens_on__lte=horizon
    ).select_related("course"):
        if cohort.enrollment_opens_at <= now and cohort_transition(
            cohort_id=cohort.pk, old=CohortStatus.DRAFT, new=CohortStatus.OPEN, now=now
        ):
            done["opened"] += 1
            cohort.status = CohortStatus.OPEN

    for cohort in Cohort.objects.filter(status=CohortStatus.OPEN, starts_on__lte=horizon).select_related("course"):
        if cohort.starts_at <= now and cohort_transition(
            cohort_id=cohort.pk, old=CohortStatus.OPEN, new=CohortStatus.RUNNING, now=now
        ):
            done["started"] += 1

    for cohort in Cohort.objects.filter(status=CohortStatus.RUNNING, ends_on__lt=horizon).select_related("course"):
        if cohort.ends_at <= now and cohort_transition(
            cohort_id=cohort.pk, old=CohortStatus.RUNNING, new=CohortStatus.ENDED, now=now
        ):
            done["ended"] += 1

    if any(done.values()):
        logger.info("cohort transitions at %s: %s", now.isoformat(), done)
    return done


# The cohorts a complimentary seat can be given in (and an invitation sent to).
ADMITTING = (CohortStatus.DRAFT, CohortStatus.OPEN, CohortStatus.RUNNING)


def enrollment_admit(*, cohort_id: int, learner: User, now: datetime | None = None) -> Enrollment:
    """Give ``learner`` a seat without payment (a complimentary seat): what an accepted invitation does
    (``cohorts.invitations.invitation_accept``, which checks that the learner was invited).

    Takes the cohort row lock (``seats.cohort_lock``) so that the capacity check (``seats.seats_taken``: members and
    live holds) and the insert can't interleave with another seat decision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cohort = seats.cohort_lock(cohort_id=cohort_id)
        if cohort.status not in ADMITTING:
            raise Conflict(_("This cohort no longer takes learners."), code="cohort_closed")
        if seats.seats_taken(cohort_id=cohort.pk, now=now) >= cohort.capacity:
            raise Conflict(_("The cohort is full."), code="cohort_full", extra={"capacity": cohort.capacity})
        try:
            with transaction.atomic():
                return Enrollment.objects.create(
                    cohort=cohort, learner=learner, status=EnrollmentStatus.ACTIVE, status_changed_at=now
                )
        except IntegrityError as exc:
            raise Conflict(_("This learner is already in the cohort."), code="already_enrolled") from exc
