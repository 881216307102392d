"""Statuses and their allowed transitions, each in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CohortStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")  # being prepared; only its instructors see it
    OPEN = "open", _("Open for enrollment")  # learners can enroll
    RUNNING = "running", _("Running")  # between local midnight of day 1 and the end of the last day
    ENDED = "ended", _("Ended")  # the last day (plus grace) is over
    ARCHIVED = "archived", _("Archived")  # hidden from lists, kept for records
    CANCELLED = "cancelled", _("Cancelled")  # called off before it ran; everyone is refunded


COHORT_TRANSITIONS: dict[str, frozenset[str]] = {
    CohortStatus.DRAFT: frozenset({CohortStatus.OPEN, CohortStatus.CANCELLED}),
    CohortStatus.OPEN: frozenset({CohortStatus.RUNNING, CohortStatus.CANCELLED}),
    CohortStatus.RUNNING: frozenset({CohortStatus.ENDED}),
    CohortStatus.ENDED: frozenset({CohortStatus.ARCHIVED}),
    CohortStatus.ARCHIVED: frozenset(),
    CohortStatus.CANCELLED: frozenset(),
}


class EnrollmentStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # waiting for an instructor's decision
    APPROVED = "approved", _("Approved")  # may pay until the deadline
    REJECTED = "rejected", _("Rejected")  # application turned down
    WAITLISTED = "waitlisted", _("Waitlisted")  # cohort full; first in line gets the next free seat
    PENDING_PAYMENT = "pending_payment", _("Pending payment")  # a seat is held until a deadline
    ACTIVE = "active", _("Active")  # paid (or free) and in the cohort
    COMPLETED = "completed", _("Completed")  # met the course's completion rule when the cohort ended
    NOT_COMPLETED = "not_completed", _("Not completed")  # did not meet it
    WITHDRAWN = "withdrawn", _("Withdrawn")  # left, refunded by policy
    REMOVED = "removed", _("Removed")  # removed for rule violations
    EXPIRED = "expired", _("Expired")  # did not pay in time
    UPGRADED = "upgraded", _("Upgraded")  # moved up to the next stage's cohort before this one ended; seat freed


ENROLLMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    EnrollmentStatus.APPLIED: frozenset({EnrollmentStatus.APPROVED, EnrollmentStatus.REJECTED}),
    EnrollmentStatus.APPROVED: frozenset(
        {EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.EXPIRED, EnrollmentStatus.WAITLISTED}
    ),
    EnrollmentStatus.REJECTED: frozenset(),
    EnrollmentStatus.WAITLISTED: frozenset({EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.EXPIRED}),
    EnrollmentStatus.PENDING_PAYMENT: frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.EXPIRED}),
    EnrollmentStatus.ACTIVE: frozenset(
        {
            EnrollmentStatus.COMPLETED,
            EnrollmentStatus.NOT_COMPLETED,
            EnrollmentStatus.WITHDRAWN,
            EnrollmentStatus.REMOVED,
            EnrollmentStatus.UPGRADED,  # the next stage's order was paid (billing.services.upgrades)
        }
    ),
    # An instructor's override inside the end-of-cohort review window (cohorts.completion).
    EnrollmentStatus.COMPLETED: frozenset({EnrollmentStatus.NOT_COMPLETED}),
    EnrollmentStatus.NOT_COMPLETED: frozenset({EnrollmentStatus.COMPLETED}),
    EnrollmentStatus.WITHDRAWN: frozenset(),
    EnrollmentStatus.REMOVED: frozenset({EnrollmentStatus.ACTIVE}),  # staff reinstate
    # Try again while seats last, or queue when the cohort is full.
    EnrollmentStatus.EXPIRED: frozenset({EnrollmentStatus.PENDING_PAYMENT, EnrollmentStatus.WAITLISTED}),
    EnrollmentStatus.UPGRADED: frozenset(),
}

# Members: they take a seat and read the cohort's lessons. The other seats taken are live seat holds (cohorts.seats).
MEMBER_STATUSES = frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED})


class CheckInStatus(models.TextChoices):
    COUNTED = "counted", _("Counted")  # counts toward the streak and completion
    REJECTED = "rejected", _("Rejected")  # an instructor rejected it: it does not count; may be redone that day


def can_transition(transitions: dict[str, frozenset[str]], old: str, new: str) -> bool:
    return new in transitions.get(old, frozenset())


class SeatHoldStatus(models.TextChoices):
    HELD = "held", _("Held")  # counts against capacity until expires_at
    CONVERTED = "converted", _("Converted")  # the payment succeeded; the enrollment holds the seat now
    RELEASED = "released", _("Released")  # expired, failed or cancelled; the seat is free again


SEAT_HOLD_TRANSITIONS: dict[str, frozenset[str]] = {
    SeatHoldStatus.HELD: frozenset({SeatHoldStatus.CONVERTED, SeatHoldStatus.RELEASED}),
    SeatHoldStatus.CONVERTED: frozenset(),
    SeatHoldStatus.RELEASED: frozenset(),
}
