"""Seat holds, capacity, waitlist and expiry, on the real database (PostgreSQL for the race)."""

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.utils import timezone

from billing.models import Order
from billing.services.checkout import checkout_start
from billing.services.holds import seat_holds_release_expired
from billing.statuses import OrderStatus
from cohorts.models import Enrollment, SeatHold
from cohorts.seats import seats_taken
from cohorts.statuses import EnrollmentStatus, SeatHoldStatus
from stagewise.errors import Conflict, NotFound
from tests import factories
from tests.billing import factories as bf
from tests.concurrency import outcome, run_at_once

pytestmark = pytest.mark.django_db


def test_starting_a_payment_holds_a_seat_for_30_minutes():
    cohort = bf.cohort(capacity=2)
    now = timezone.now()
    result = checkout_start(learner=factories.learner(), cohort_id=cohort.pk, now=now)
    assert result.hold.expires_at == now + timedelta(minutes=30)
    assert result.enrollment.status == EnrollmentStatus.PENDING_PAYMENT
    assert result.order.status == OrderStatus.PENDING
    assert seats_taken(cohort_id=cohort.pk, now=now) == 1
    assert seats_taken(cohort_id=cohort.pk, now=now + timedelta(minutes=31)) == 0


def test_checkout_again_returns_the_same_order_and_hold():
    cohort = bf.cohort(capacity=2)
    learner = factories.learner()
    first = checkout_start(learner=learner, cohort_id=cohort.pk)
    again = checkout_start(learner=learner, cohort_id=cohort.pk)
    assert (again.order.pk, again.hold.pk) == (first.order.pk, first.hold.pk)
    assert SeatHold.objects.count() == 1


def test_full_cohort_puts_the_learner_on_the_waitlist():
    cohort = bf.cohort(capacity=1)
    checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    late = factories.learner()
    result = checkout_start(learner=late, cohort_id=cohort.pk)
    assert result.waitlisted and result.order is None
    assert Enrollment.objects.get(learner=late).status == EnrollmentStatus.WAITLISTED


def test_active_members_count_against_capacity():
    cohort = bf.cohort(capacity=1)
    factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.ACTIVE)
    assert checkout_start(learner=factories.learner(), cohort_id=cohort.pk).waitlisted


def test_closed_cohort_refuses():
    cohort = bf.cohort(status="running")
    with pytest.raises(Conflict) as exc:
        checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    assert exc.value.code == "enrollment_closed"
    assert not Enrollment.objects.filter(cohort=cohort).exists()


def test_a_cohort_the_learner_cannot_see_is_not_found():
    """A draft is answered like a missing cohort, as everywhere else: its existence isn't revealed."""
    draft = bf.cohort(status="draft")
    for cohort_id in (draft.pk, draft.pk + 1000):
        with pytest.raises(NotFound) as exc:
            checkout_start(learner=factories.learner(), cohort_id=cohort_id)
        assert exc.value.code == "cohort_not_found"
    assert not Enrollment.objects.filter(cohort=draft).exists()


def test_expired_hold_is_released_and_the_first_in_line_gets_an_offer(no_provider, django_capture_on_commit_callbacks):
    """The expired hold's order never reached the provider (no payment row), so no provider call is needed."""
    cohort = bf.cohort(capacity=1)
    payer = factories.learner()
    first_in_line, second_in_line = factories.learner(), factories.learner()
    now = timezone.now()
    held = checkout_start(learner=payer, cohort_id=cohort.pk, now=now)
    checkout_start(learner=first_in_line, cohort_id=cohort.pk, now=now + timedelta(seconds=1))
    checkout_start(learner=second_in_line, cohort_id=cohort.pk, now=now + timedelta(seconds=2))

    later = now + timedelta(minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        assert seat_holds_release_expired(now=later) == 1
    assert seat_holds_release_expired(now=later) == 0  # claimed once

    assert Order.objects.get(pk=held.order.pk).status == OrderStatus.CANCELLED
    assert Enrollment.objects.get(pk=held.enrollment.pk).status == EnrollmentStatus.EXPIRED
    offered = Enrollment.objects.get(learner=first_in_line)
    assert offered.status == EnrollmentStatus.PENDING_PAYMENT
    offer = SeatHold.objects.get(enrollment=offered, status=SeatHoldStatus.HELD)
    assert offer.is_waitlist_offer and offer.expires_at == later + timedelta(hours=24)
    assert Enrollment.objects.get(learner=second_in_line).status == EnrollmentStatus.WAITLISTED
    assert [m.to for m in mail.outbox] == [[first_in_line.email]]

    # The offered learner pays within their own hold; the expired one can't take the seat back, but gets in line
    # (issue 12, item 36: they used to be refused with cohort_full, a dead end).
    result = checkout_start(learner=first_in_line, cohort_id=cohort.pk, now=later + timedelta(minutes=1))
    assert result.hold.pk == offer.pk and result.order is not None
    back = checkout_start(learner=payer, cohort_id=cohort.pk, now=later + timedelta(minutes=2))
    assert back.waitlisted and back.order is None
    assert Enrollment.objects.get(pk=held.enrollment.pk).status == EnrollmentStatus.WAITLISTED
    queue = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.WAITLISTED).order_by("status_changed_at")
    assert [e.learner_id for e in queue] == [second_in_line.pk, payer.pk]  # behind those already waiting


def test_an_approved_learner_finding_the_cohort_full_joins_the_waitlist(no_provider):
    """Issue 12, item 36 (approved → waitlisted had no path): approval doesn't hold a seat; a full cohort queues
    the approved learner, who is offered the next free seat and may then pay."""
    from billing.models import Application
    from cohorts.transitions import enrollment_transition

    # given an approved learner and a cohort that filled up meanwhile
    cohort = bf.cohort(capacity=1)
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=learner, status=EnrollmentStatus.APPLIED)
    Application.objects.create(enrollment=enrollment, submitted_at=timezone.now())
    enrollment_transition(enrollment_id=enrollment.pk, old=EnrollmentStatus.APPLIED, new=EnrollmentStatus.APPROVED)
    Application.objects.filter(enrollment=enrollment).update(payment_deadline=timezone.now() + timedelta(days=3))
    checkout_start(learner=factories.learner(), cohort_id=cohort.pk)

    # when they check out
    result = checkout_start(learner=learner, cohort_id=cohort.pk)

    # then they are in line, not refused
    assert result.waitlisted
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.WAITLISTED


def test_expired_learner_may_retry_while_seats_last(no_provider):
    cohort = bf.cohort(capacity=2)
    learner = factories.learner()
    now = timezone.now()
    first = checkout_start(learner=learner, cohort_id=cohort.pk, now=now)
    seat_holds_release_expired(now=now + timedelta(minutes=31))
    again = checkout_start(learner=learner, cohort_id=cohort.pk, now=now + timedelta(minutes=32))
    assert again.order.pk != first.order.pk
    assert again.enrollment.status == EnrollmentStatus.PENDING_PAYMENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_never_oversold_with_24_simultaneous_attempts_on_the_last_3_seats():
    """24 threads, each with its own database connection, start at the same instant."""
    cohort = bf.cohort(capacity=10)
    for _ in range(7):
        factories.enrollment(cohort=cohort, learner=factories.learner(), status=EnrollmentStatus.ACTIVE)
    learners = [factories.learner() for _ in range(24)]

    def attempt(learner):
        return "waitlisted" if checkout_start(learner=learner, cohort_id=cohort.pk).waitlisted else "held"

    outcomes = [outcome(result) for result in run_at_once([partial(attempt, learner) for learner in learners])]

    assert sorted(set(outcomes)) == ["held", "waitlisted"], outcomes
    assert outcomes.count("held") == 3
    assert outcomes.count("waitlisted") == 21
    assert seats_taken(cohort_id=cohort.pk) == 10
    assert SeatHold.objects.filter(cohort=cohort, status=SeatHoldStatus.HELD).count() == 3
