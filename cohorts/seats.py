"""Seats: capacity = member enrollments + live seat holds. Every seat decision runs under the cohort's row lock.

The one definition of a taken seat (``seats_taken_annotation``), used by the catalog, the checkout, an instructor's
admit, a reinstatement and a capacity change; and the one lock per row kind for cohorts and enrollments.
"""

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Expression, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.signals import waitlist_seat_offered
from cohorts.statuses import MEMBER_STATUSES, SEAT_HOLD_TRANSITIONS, EnrollmentStatus, SeatHoldStatus, can_transition
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict


# A taken seat: a member enrollment, or a seat hold that hasn't run out. ``cohort`` is a cohort's id, or an
# ``OuterRef`` to one when counting for every cohort of a list. Exact only while holding the cohort's row lock.
def _members(cohort: int | OuterRef) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(cohort=cohort, status__in=MEMBER_STATUSES)


def _live_holds(cohort: int | OuterRef, now: datetime) -> QuerySet[SeatHold]:
    return SeatHold.objects.filter(cohort=cohort, status=SeatHoldStatus.HELD, expires_at__gt=now)


def seats_taken_annotation(*, cohort_ref: str = "pk", now: datetime | None = None) -> Expression:
    """Seats taken, as one SQL expression (two counting subqueries), to annotate the cohorts of a list: the catalog
    shows the seats the checkout will find. ``cohort_ref`` names the cohort's id in the outer query."""
    now = now or timezone.now()

    def count(qs: QuerySet[Any]) -> Any:
        return Coalesce(Subquery(qs.order_by().values("cohort").annotate(n=Count("pk")).values("n")), 0)

    return count(_members(OuterRef(cohort_ref))) + count(_live_holds(OuterRef(cohort_ref), now))


def seats_taken(*, cohort_id: int, now: datetime | None = None) -> int:
    """Seats taken in one cohort: two plain counts (every checkout runs this under the cohort's lock; measured in
    bench/, they cost the worker about half the CPU of the annotated query, which the ORM builds as four nested
    expressions)."""
    now = now or timezone.now()
    return _members(cohort_id).count() + _live_holds(cohort_id, now).count()


def seats_free(*, cohort: Cohort, now: datetime | None = None) -> int:
    return max(cohort.capacity - seats_taken(cohort_id=cohort.pk, now=now), 0)


def cohort_lock(*, cohort_id: int) -> Cohort:
    """SELECT … FOR UPDATE on the cohort, with its course: serialises every seat decision for the cohort. Call
    inside a transaction. Raises Cohort.DoesNotExist.

    Only the cohort's row is locked (FOR UPDATE OF): the course row, joined for its settings, stays unlocked, so
    cohorts of one course don't queue.
    """
    return Cohort.objects.select_related("course").select_for_update(of=("self",)).get(pk=cohort_id)


def enrollment_lock(*, cohort: Cohort, learner_id: int) -> Enrollment | None:
    """The learner's enrollment in ``cohort``, its row locked; None if there is none. Call inside a transaction,
    after ``cohort_lock``."""
    try:  # (cohort, learner) is unique; get() compiles no ORDER BY, as first() would
        enrollment = Enrollment.objects.select_for_update().get(cohort=cohort, learner_id=learner_id)
    except Enrollment.DoesNotExist:
        return None
    enrollment.cohort = cohort
    return enrollment


def live_hold(*, enrollment_id: int, now: datetime) -> SeatHold | None:
    return SeatHold.objects.filter(enrollment_id=enrollment_id, status=SeatHoldStatus.HELD, expires_at__gt=now).first()


def live_hold_of_order(*, hold_id: int | None) -> SeatHold | None:
    """The hold an order points at (``Order.seat_hold``), if it is still held."""
    if hold_id is None:
        return None
    return SeatHold.objects.filter(pk=hold_id, status=SeatHoldStatus.HELD).first()


def seat_hold_create(
    *,
    cohort: Cohort,
    enrollment: Enrollment,
    now: datetime,
    minutes: int | None = None,
    offer: bool = False,
    fresh: bool = False,
) -> SeatHold:
    """Hold a seat. Precondition: the caller holds the cohort lock and has checked ``seats_free``.

    A stale (expired, not yet released) hold of the same enrollment is released first (``fresh``: a new
    enrollment, which has none).
    """
    if not fresh:
        SeatHold.objects.filter(enrollment=enrollment, status=SeatHoldStatus.HELD).update(
            status=SeatHoldStatus.RELEASED, released_at=now
        )
    minutes = minutes if minutes is not None else settings.BILLING_SEAT_HOLD_MINUTES
    return SeatHold.objects.create(
        cohort=cohort,
        enrollment=enrollment,
        expires_at=now + timedelta(minutes=minutes),
        is_waitlist_offer=offer,
    )


def seat_hold_finish(*, hold_id: int | None, status: str, now: datetime, live_at: datetime | None = None) -> bool:
    """HELD → ``status`` (converted or released) with a conditional UPDATE; False if someone else finished it
    (or there is no hold). ``live_at``: only if the hold has not run out by then."""
    if hold_id is None:
        return False
    return seat_hold_transition(hold_id=hold_id, old=SeatHoldStatus.HELD, new=status, now=now, live_at=live_at)


def seat_hold_transition(*, hold_id: int, old: str, new: str, now: datetime, live_at: datetime | None = None) -> bool:
    """``old`` → ``new`` with a conditional UPDATE checked against the table; False if it was no longer ``old`` (or,
    with ``live_at``, had run out by then)."""
    if not can_transition(SEAT_HOLD_TRANSITIONS, old, new):
        raise Conflict(f"A seat hold can't go from {old} to {new}.", code="invalid_transition")
    holds = SeatHold.objects.filter(pk=hold_id, status=old)
    if live_at is not None:
        holds = holds.filter(expires_at__gt=live_at)
    return holds.update(status=new, released_at=now) == 1


def seat_holds_release_all(*, cohort_id: int, now: datetime) -> int:
    """HELD → RELEASED for every hold of a cohort (a cancelled cohort takes no more payments). Conditional UPDATE: a
    hold converted meanwhile stays converted. Returns how many were released."""
    return SeatHold.objects.filter(cohort_id=cohort_id, status=SeatHoldStatus.HELD).update(
        status=SeatHoldStatus.RELEASED, released_at=now
    )


def waitlist_offer_next(*, cohort_id: int, now: datetime | None = None) -> list[int]:
    """Give freed seats to the first in line: each gets a hold of its own, and ``waitlist_seat_offered`` is sent
    for it once the transaction commits (billing mails the offer). Returns enrollment ids.

    Takes the cohort lock; safe to call from any worker at any time.
    """
    now = now or timezone.now()
    offered: list[int] = []
    with transaction.atomic():
        cohort = cohort_lock(cohort_id=cohort_id)
        free = seats_free(cohort=cohort, now=now)
        if free <= 0:
            return offered
        queue = Enrollment.objects.filter(cohort_id=cohort_id, status=EnrollmentStatus.WAITLISTED).order_by(
            "status_changed_at", "id"
        )[:free]
        for enrollment in queue:
            if enrollment_transition(
                enrollment_id=enrollment.pk,
                old=EnrollmentStatus.WAITLISTED,
                new=EnrollmentStatus.PENDING_PAYMENT,
                now=now,
            ):
                seat_hold_create(
                    cohort=cohort,
                    enrollment=enrollment,
                    now=now,
                    minutes=settings.BILLING_WAITLIST_OFFER_MINUTES,
                    offer=True,
                )
                offered.append(enrollment.pk)
        for enrollment_id in offered:
            transaction.on_commit(partial(waitlist_seat_offered.send, sender=SeatHold, enrollment_id=enrollment_id))
    return offered


def hold_for(*, learner: User, cohort_id: int, now: datetime | None = None) -> SeatHold | None:
    now = now or timezone.now()
    return (
        SeatHold.objects.filter(
            enrollment__learner=learner, cohort_id=cohort_id, status=SeatHoldStatus.HELD, expires_at__gt=now
        )
        .order_by("-id")
        .first()
    )
