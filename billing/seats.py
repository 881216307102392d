"""Seats: capacity = member enrollments + live seat holds. Every check runs under the cohort's row lock.

The one definition of a taken seat, for checkout and for everything in cohorts that counts seats (the catalog,
an instructor's admit, a reinstatement, a capacity change).
"""

from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from billing.models import SeatHold
from billing.statuses import SeatHoldStatus
from cohorts.models import Cohort, Enrollment
from cohorts.services import enrollment_transition
from cohorts.statuses import MEMBER_STATUSES, EnrollmentStatus
from content.models import Course
from stagewise import rows

# Every checkout counts seats under the cohort lock. Written by hand, from model metadata only (no input): the
# ORM's union-count took more CPU to build (about 0.7 ms) than the database took to answer it.
_SEATS_TAKEN_SQL = (
    f"SELECT (SELECT COUNT(*) FROM {Enrollment._meta.db_table}"  # noqa: S608
    f" WHERE cohort_id = %s AND status IN ({', '.join(['%s'] * len(MEMBER_STATUSES))}))"
    f" + (SELECT COUNT(*) FROM {SeatHold._meta.db_table} WHERE cohort_id = %s AND status = %s AND expires_at > %s)"
)


def seats_taken(*, cohort_id: int, now: datetime | None = None) -> int:
    """Member enrollments plus unexpired holds, in one query. Exact only while holding the cohort's row lock."""
    now = now or timezone.now()
    expires_after = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_SEATS_TAKEN_SQL, [cohort_id, *MEMBER_STATUSES, cohort_id, SeatHoldStatus.HELD, expires_after])
        return cursor.fetchone()[0]


def seats_taken_annotation(*, cohort_ref: str = "pk", now: datetime | None = None) -> Any:
    """``seats_taken`` as one SQL expression (two counting subqueries), to annotate cohorts in a list: the catalog
    shows the same seats the checkout will find. ``cohort_ref`` names the cohort's id in the outer query."""
    now = now or timezone.now()

    def count(qs: Any) -> Any:
        return Coalesce(Subquery(qs.order_by().values("cohort").annotate(n=Count("pk")).values("n")), 0)

    members = Enrollment.objects.filter(cohort=OuterRef(cohort_ref), status__in=MEMBER_STATUSES)
    holds = SeatHold.objects.filter(cohort=OuterRef(cohort_ref), status=SeatHoldStatus.HELD, expires_at__gt=now)
    return count(members) + count(holds)


def seats_free(*, cohort: Cohort, now: datetime | None = None) -> int:
    return max(cohort.capacity - seats_taken(cohort_id=cohort.pk, now=now), 0)


def cohort_lock(*, cohort_id: int) -> Cohort:
    """SELECT … FOR UPDATE on the cohort, with its course: serialises every seat decision for the cohort. Call
    inside a transaction. Raises Cohort.DoesNotExist.

    Only the cohort's row is locked (FOR UPDATE OF): the course row, joined for its settings, stays unlocked, so
    cohorts of one course don't queue. Hand-written (see ``stagewise.rows``): every checkout and late capture runs
    it, and compiling the locking join cost more than the database took to answer it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Cohort, 'c')}, {rows.columns(Course, 'k')} FROM {rows.table(Cohort)} c "  # noqa: S608
            f"JOIN {rows.table(Course)} k ON k.id = c.course_id WHERE c.id = %s{rows.for_update(of='c')}",
            [cohort_id if rows.possible_id(cohort_id) else 0],
        )
        row = cursor.fetchone()
    if row is None:
        raise Cohort.DoesNotExist(f"cohort {cohort_id}")
    cohort, course = rows.instances(row, Cohort, Course)
    rows.attach(cohort, "course", course)
    return cast(Cohort, cohort)


def enrollment_lock(*, cohort: Cohort, learner_id: int) -> Enrollment | None:
    """The learner's enrollment in ``cohort`` (attached), its row locked; None if there is none. Call inside a
    transaction, after ``cohort_lock``. Hand-written (see ``stagewise.rows``): every checkout runs it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(Enrollment, 'e')} FROM {rows.table(Enrollment)} e "  # noqa: S608
            f"WHERE e.cohort_id = %s AND e.learner_id = %s{rows.for_update()}",
            [cohort.pk, learner_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    enrollment = cast(Enrollment, rows.instances(row, Enrollment)[0])
    rows.attach(enrollment, "cohort", cohort)
    return enrollment


def live_hold(*, enrollment_id: int, now: datetime) -> SeatHold | None:
    return SeatHold.objects.filter(enrollment_id=enrollment_id, status=SeatHoldStatus.HELD, expires_at__gt=now).first()


def seat_hold_create(
    *,
    cohort: Cohort,
    enrollment: Enrollment,
    now: datetime,
    minutes: int | None = None,
    offer: bool = False,
    fresh: bool = False,
    order: Any = None,
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
    hold = SeatHold(
        cohort=cohort,
        enrollment=enrollment,
        order=order,
        expires_at=now + timedelta(minutes=minutes),
        is_waitlist_offer=offer,
    )
    rows.insert(hold)  # hand-written (see stagewise.rows): every checkout runs it
    return hold


def seat_hold_finish(*, hold_id: int, status: str, now: datetime) -> bool:
    """HELD → ``status`` (converted or released) with a conditional UPDATE; False if someone else finished it."""
    return SeatHold.objects.filter(pk=hold_id, status=SeatHoldStatus.HELD).update(status=status, released_at=now) == 1


def waitlist_offer_next(*, cohort_id: int, now: datetime | None = None) -> list[int]:
    """Give freed seats to the first in line: each gets a hold of its own and a mail. Returns enrollment ids.

    Takes the cohort lock; safe to call from any worker at any time.
    """
    from billing.tasks import waitlist_offer_mail_task  # tasks import services, which import this module

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
            transaction.on_commit(partial(waitlist_offer_mail_task.delay, enrollment_id))
    return offered


def hold_for(*, learner: Any, cohort_id: int, now: datetime | None = None) -> SeatHold | None:
    now = now or timezone.now()
    return (
        SeatHold.objects.filter(
            enrollment__learner=learner, cohort_id=cohort_id, status=SeatHoldStatus.HELD, expires_at__gt=now
        )
        .order_by("-id")
        .first()
    )
