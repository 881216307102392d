"""Every status machine: its table is the documented one, its transition function allows exactly the table's pairs
and refuses every other, and each entry has a code path (issue 12, item 36).

The cohort's machine is tested the same way in tests/cohorts/test_services.py.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.gateways import get_gateway
from billing.models import Order, Payment, Refund
from billing.pricing import order_quote
from billing.services.checkout import checkout_start
from billing.services.holds import seat_holds_release_expired
from billing.services.orders import order_transition, payment_transition
from billing.services.payments import payment_confirm_test_card, payment_mark_succeeded, payment_start
from billing.services.refunds import refund_retry, staff_refund
from billing.statuses import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    OrderStatus,
    RefundReason,
    RefundStatus,
)
from cohorts.models import Enrollment, SeatHold
from cohorts.seats import seat_hold_transition
from cohorts.statuses import ENROLLMENT_TRANSITIONS, SEAT_HOLD_TRANSITIONS, EnrollmentStatus, SeatHoldStatus
from cohorts.transitions import enrollment_transition
from stagewise.errors import Conflict, Invalid
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

E, OS, H = EnrollmentStatus, OrderStatus, SeatHoldStatus


def pairs(table: dict[str, frozenset[str]]) -> set[tuple[str, str]]:
    return {(old, new) for old, targets in table.items() for new in targets}


def allowed_by(transition, row_model, row_id: int, values: list[str]) -> set[tuple[str, str]]:
    """Every (old, new) pair the transition function carries out on a real row; refusals must be invalid_transition
    and leave the row alone."""
    allowed = set()
    for old, new in itertools.product(values, values):
        row_model.objects.filter(pk=row_id).update(status=old)
        try:
            changed = transition(old=old, new=new)
        except Conflict as error:
            assert error.code == "invalid_transition", (old, new)
            assert row_model.objects.get(pk=row_id).status == old, (old, new)
            continue
        assert changed is True, (old, new)
        assert row_model.objects.get(pk=row_id).status == new, (old, new)
        allowed.add((old, new))
    return allowed


# The tables are the documented machines -------------------------------------------------------------------------


def test_the_enrollment_machine_is_the_documented_one():
    assert pairs(ENROLLMENT_TRANSITIONS) == {
        (E.APPLIED, E.APPROVED),
        (E.APPLIED, E.REJECTED),
        (E.APPROVED, E.PENDING_PAYMENT),
        (E.APPROVED, E.WAITLISTED),  # the cohort filled up meanwhile (checkout)
        (E.APPROVED, E.EXPIRED),  # the payment deadline passed, or the cohort was cancelled
        (E.WAITLISTED, E.PENDING_PAYMENT),  # a seat freed (waitlist_offer_next)
        (E.WAITLISTED, E.EXPIRED),  # the cohort was cancelled
        (E.PENDING_PAYMENT, E.ACTIVE),
        (E.PENDING_PAYMENT, E.EXPIRED),
        (E.ACTIVE, E.COMPLETED),  # the end job (cohorts.completion), tests/cohorts/test_completion.py
        (E.ACTIVE, E.NOT_COMPLETED),
        (E.COMPLETED, E.NOT_COMPLETED),  # an instructor's override in the review window
        (E.NOT_COMPLETED, E.COMPLETED),
        (E.ACTIVE, E.WITHDRAWN),  # withdrew, or was refunded in full
        (E.ACTIVE, E.REMOVED),
        (
            E.ACTIVE,
            E.UPGRADED,
        ),  # moved up mid-cohort once the next stage's order was paid, tests/billing/test_upgrades.py
        (E.REMOVED, E.ACTIVE),  # staff reinstate
        (E.EXPIRED, E.PENDING_PAYMENT),  # tries again while seats last, or a late capture retakes a free seat
        (E.EXPIRED, E.WAITLISTED),  # tries again in a full cohort
    }


def test_the_order_and_payment_machines_are_the_documented_ones():
    documented = {
        (OS.PENDING, OS.PAID),
        (OS.PENDING, OS.FAILED),
        (OS.PENDING, OS.CANCELLED),
        (OS.PAID, OS.PARTIALLY_REFUNDED),
        (OS.PAID, OS.REFUNDED),
        (OS.PARTIALLY_REFUNDED, OS.REFUNDED),
    }
    assert pairs(ORDER_TRANSITIONS) == documented
    # A payment also records a capture of an attempt we had given up on.
    assert pairs(PAYMENT_TRANSITIONS) == documented | {(OS.CANCELLED, OS.PAID), (OS.FAILED, OS.PAID)}


def test_the_seat_hold_and_refund_machines_are_the_documented_ones():
    assert pairs(SEAT_HOLD_TRANSITIONS) == {(H.HELD, H.CONVERTED), (H.HELD, H.RELEASED)}
    R = RefundStatus
    assert pairs(REFUND_TRANSITIONS) == {(R.DUE, R.SUCCEEDED), (R.DUE, R.PENDING), (R.DUE, R.VOID)}


# Each transition function allows exactly its table -------------------------------------------------------------


@pytest.fixture
def order(db) -> Order:
    cohort = bf.cohort(capacity=5)
    return checkout_start(learner=factories.learner(), cohort_id=cohort.pk).order


def test_enrollment_transition_allows_exactly_the_table(order):
    def transition(*, old, new):
        return enrollment_transition(enrollment_id=order.enrollment_id, old=old, new=new)

    allowed = allowed_by(transition, Enrollment, order.enrollment_id, EnrollmentStatus.values)
    assert allowed == pairs(ENROLLMENT_TRANSITIONS)


def test_order_transition_allows_exactly_the_table(order):
    def transition(*, old, new):
        return order_transition(order_id=order.pk, old=old, new=new)

    assert allowed_by(transition, Order, order.pk, OrderStatus.values) == pairs(ORDER_TRANSITIONS)


def test_payment_transition_allows_exactly_the_table(order):
    payment = Payment.objects.create(order=order, amount_minor=order.total_minor, currency=order.currency)

    def transition(*, old, new):
        return payment_transition(payment_id=payment.pk, old=old, new=new)

    assert allowed_by(transition, Payment, payment.pk, OrderStatus.values) == pairs(PAYMENT_TRANSITIONS)


def test_seat_hold_transition_allows_exactly_the_table(order):
    now = timezone.now()

    def transition(*, old, new):
        return seat_hold_transition(hold_id=order.seat_hold_id, old=old, new=new, now=now)

    assert allowed_by(transition, SeatHold, order.seat_hold_id, SeatHoldStatus.values) == pairs(SEAT_HOLD_TRANSITIONS)


def test_a_transition_from_a_stale_status_changes_nothing(order):
    # given an order that another worker already paid
    Order.objects.filter(pk=order.pk).update(status=OS.PAID)

    # when a second worker tries to cancel it as pending, and a hold already converted is released
    cancelled = order_transition(order_id=order.pk, old=OS.PENDING, new=OS.CANCELLED)
    SeatHold.objects.filter(pk=order.seat_hold_id).update(status=H.CONVERTED)
    released = seat_hold_transition(hold_id=order.seat_hold_id, old=H.HELD, new=H.RELEASED, now=timezone.now())

    # then both are told they lost, and nothing changed
    assert (cancelled, released) == (False, False)
    assert Order.objects.get(pk=order.pk).status == OS.PAID
    assert SeatHold.objects.get(pk=order.seat_hold_id).status == H.CONVERTED


# Entries and their paths ----------------------------------------------------------------------------------------


def test_a_lapsed_hold_after_a_declined_card_fails_the_order(localstripe):
    """pending → failed: the card was declined and the learner did not try again before the hold ran out."""
    # given a declined card
    cohort = bf.cohort(capacity=2)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    declined = payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4000000000000341")
    assert declined.error_code == "card_declined"

    # when the hold runs out
    SeatHold.objects.filter(pk=result.hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert seat_holds_release_expired() == 1

    # then the order and its payment failed (not cancelled: the learner did not give up), the learner expired
    assert Order.objects.get(pk=result.order.pk).status == OS.FAILED
    assert Payment.objects.get(order=result.order).status == OS.FAILED
    assert Enrollment.objects.get(pk=result.enrollment.pk).status == E.EXPIRED


def test_a_lapsed_hold_whose_provider_cannot_be_reached_still_closes_its_order(localstripe, settings):
    """A pending payment that the release job can neither cancel nor look up used to stop the job with its hold
    released and its order pending for ever (a dead end: the learner could neither pay nor check out again). The
    order closes; a capture reported later is a late capture."""
    # given a started payment whose hold ran out, while the provider is unreachable
    cohort = bf.cohort(capacity=1)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    payment = payment_start(order_id=result.order.pk)
    SeatHold.objects.filter(pk=result.hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"

    # when the release job runs
    assert seat_holds_release_expired() == 1

    # then the order closes and the learner expires: they may check out again
    assert Order.objects.get(pk=result.order.pk).status == OS.CANCELLED
    assert Enrollment.objects.get(pk=result.enrollment.pk).status == E.EXPIRED

    # and a capture the provider reports later is a late capture of a closed order: refunded in full
    settings.STRIPE_API_BASE = alive
    get_gateway().test_card_confirm(payment.provider_payment_id, card_number="4242424242424242")
    payment_mark_succeeded(result=get_gateway().payment_retrieve(payment.provider_payment_id))
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_minor) == (OS.REFUNDED, 19900)
    assert checkout_start(learner=learner, cohort_id=cohort.pk).order is not None  # and they may try again


def test_a_fully_refunded_order_is_no_first_order_for_the_referral_rules(localstripe):
    """A learner whose only paid order was refunded in full (say, its cohort was cancelled) still gets a friend's
    first-order discount; one who kept any money of an order does not."""
    # given a learner whose paid order went back in full, and another whose went back in part
    friend, keeper = factories.learner(), factories.learner()
    code = bf.referral_code_get_or_create(learner=factories.learner()).code
    cohort = bf.cohort(capacity=5)
    for learner, amount in ((friend, 19900), (keeper, 9900)):
        result = checkout_start(learner=learner, cohort_id=cohort.pk)
        payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4242424242424242")
        payment = Payment.objects.get(order=result.order, status=OS.PENDING)
        payment_mark_succeeded(result=get_gateway().payment_retrieve(payment.provider_payment_id))
        staff_refund(actor=factories.staff(), payment_id=payment.pk, amount_minor=amount)

    # when each prices their next order with the referral code
    course = bf.paid_course(price_minor=10000)
    quote = order_quote(learner=friend, course=course, referral_code=code)

    # then the fully refunded one gets the discount and the other does not
    assert quote.total_minor < 10000
    with pytest.raises(Invalid) as refused:
        order_quote(learner=keeper, course=course, referral_code=code)
    assert refused.value.code == "referral_not_first_order"


def test_a_due_refund_goes_through_once_however_often_it_is_retried(localstripe, settings):
    """due → succeeded once: retrying a refund that went through (staff's "retry now" twice) asks nothing more."""
    # given a refund owed on a late capture that the provider refused
    cohort = bf.cohort(capacity=1)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4242424242424242")
    SeatHold.objects.filter(pk=result.hold.pk).update(status=H.RELEASED)
    checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    payment = Payment.objects.get(order=result.order)
    captured = get_gateway().payment_retrieve(payment.provider_payment_id)
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"
    payment_mark_succeeded(result=captured)
    due = Refund.objects.get(payment=payment)
    assert (due.status, due.reason) == (RefundStatus.DUE, RefundReason.SEAT_UNAVAILABLE)

    # when it is retried now, twice, with the provider back
    settings.STRIPE_API_BASE = alive
    first = refund_retry(refund_id=due.pk, early=True)
    second = refund_retry(refund_id=due.pk, early=True)

    # then it went through once
    assert (first.status, second.status) == (RefundStatus.SUCCEEDED, RefundStatus.SUCCEEDED)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_minor) == (OS.REFUNDED, 19900)
    assert Refund.objects.filter(payment=payment).count() == 1
