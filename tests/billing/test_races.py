"""More races on PostgreSQL: coupon limits under concurrent checkouts, one webhook delivered twice at once."""

import json
import threading

import pytest
from django.test import Client

from billing.models import CouponRedemption, Payment, ProviderEvent
from billing.services.checkout import checkout_start
from cohorts.models import Enrollment
from tests import factories
from tests.billing import factories as bf
from tests.billing.conftest import event, payment_intent, sign
from tests.concurrency import outcome, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(functions):
    return [outcome(result) for result in run_at_once(functions)]


def test_coupon_total_limit_holds_under_20_concurrent_checkouts(no_provider):
    cohort = bf.cohort(capacity=50)
    bf.coupon(code="THREE", value=10, max_redemptions=3)
    learners = [factories.learner() for _ in range(20)]
    outcomes = _run_at_once(
        [lambda lr=lr: checkout_start(learner=lr, cohort_id=cohort.pk, coupon_code="THREE") and "ok" for lr in learners]
    )
    assert outcomes.count("ok") == 3, outcomes
    assert outcomes.count("coupon_exhausted") == 17, outcomes
    assert CouponRedemption.objects.count() == 3


def test_one_event_delivered_twice_at_once_is_handled_once(no_provider):
    cohort = bf.cohort(capacity=5)
    result = checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    Payment.objects.create(order=result.order, provider_payment_id="pi_race", amount_minor=19900, currency="CNY")
    payload = json.dumps(event("payment_intent.succeeded", payment_intent("pi_race", amount=19900))).encode()
    signature = sign(payload)

    def deliver():
        response = Client().post(
            "/billing/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        return str(response.status_code)

    assert _run_at_once([deliver for _ in range(8)]) == ["200"] * 8
    assert ProviderEvent.objects.count() == 1
    assert Enrollment.objects.get(pk=result.enrollment.pk).status == "active"


def test_credit_is_spent_once_under_concurrent_checkouts(no_provider):
    """One learner with 5,000 of credit checks out of 8 cohorts at once: the credit lands on exactly one order
    (the ledger is read under the learner's row lock whenever there is credit to spend)."""
    from billing.models import Order
    from billing.pricing import credit_balance
    from billing.services.credits import credit_grant

    learner = factories.learner()
    credit_grant(learner=learner, amount_minor=5000, currency="CNY")
    cohorts = [bf.cohort(capacity=5) for _ in range(8)]
    outcomes = _run_at_once([lambda c=c: checkout_start(learner=learner, cohort_id=c.pk) and "ok" for c in cohorts])
    assert outcomes.count("ok") == 8, outcomes
    totals = sorted(Order.objects.filter(learner=learner).values_list("total_minor", flat=True))
    list_price = cohorts[0].course.price_minor
    assert totals == [list_price - 5000] + [list_price] * 7
    assert credit_balance(learner=learner, currency="CNY") == 0


def test_a_seat_decision_locks_its_cohort_but_not_the_course(no_provider):
    """Checkouts for different cohorts of one course must not queue behind each other: while one transaction holds
    the cohort lock, another can still lock the course row (and a sibling cohort) without waiting."""
    from django.db import OperationalError, connections, transaction

    from cohorts.seats import cohort_lock
    from content.models import Course

    first = bf.cohort(capacity=5)
    sibling = factories.cohort(course=first.course, capacity=5)
    held = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                cohort_lock(cohort_id=first.pk)
                held.set()
                release.wait(10)
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            try:
                Course.objects.select_for_update(nowait=True).get(pk=first.course_id)
                cohort_lock(cohort_id=sibling.pk)
                blocked = False
            except OperationalError:
                blocked = True
        assert not blocked
    finally:
        release.set()
        holder.join()


def test_the_payment_cohort_and_enrollment_locks_hold_their_rows(no_provider):
    """What the webhook and checkout rely on: while one transaction holds them, nobody else can lock the payment's
    order, the cohort or the learner's enrollment (NOWAIT fails at once instead of waiting)."""
    from django.db import OperationalError, connections, transaction

    from billing.models import Order
    from billing.services.payments import payment_get_locked
    from cohorts.models import Cohort, Enrollment
    from cohorts.seats import cohort_lock, enrollment_lock

    cohort = bf.cohort(capacity=5)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    order = result.order
    payment = Payment.objects.create(
        order=order, provider="stripe", provider_payment_id="pi_lock", amount_minor=1, currency="CNY"
    )
    held, release = threading.Event(), threading.Event()

    def hold_locks() -> None:
        try:
            with transaction.atomic():
                assert payment_get_locked(provider_payment_id="pi_lock").order.pk == order.pk
                locked = cohort_lock(cohort_id=cohort.pk)
                assert locked.course.pk == cohort.course_id
                assert enrollment_lock(cohort=locked, learner_id=learner.pk).pk == result.enrollment.pk
                held.set()
                release.wait(10)
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_locks)
    holder.start()
    try:
        assert held.wait(10)
        locked_rows = (
            (Order, order.pk),
            (Payment, payment.pk),
            (Cohort, cohort.pk),
            (Enrollment, result.enrollment.pk),
        )
        for model, pk in locked_rows:
            with pytest.raises(OperationalError), transaction.atomic():
                model.objects.select_for_update(nowait=True).get(pk=pk)
    finally:
        release.set()
        holder.join()
    with transaction.atomic():  # both are called inside a transaction, as their docstrings ask
        assert payment_get_locked(provider_payment_id="pi_missing") is None
        assert enrollment_lock(cohort=cohort, learner_id=factories.learner().pk) is None


def _late_capture_with_refund_due(settings):
    """A capture whose seat went to someone else while the provider could not take the refund: a due refund."""
    from billing.gateways import get_gateway
    from billing.models import Refund
    from billing.services.payments import payment_confirm_test_card, payment_mark_succeeded
    from cohorts.models import SeatHold

    cohort = bf.cohort(capacity=1)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4242424242424242")
    SeatHold.objects.filter(pk=result.hold.pk).update(status="released")
    checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    payment = Payment.objects.get(order=result.order)
    captured = get_gateway().payment_retrieve(payment.provider_payment_id)
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"
    payment_mark_succeeded(result=captured)
    settings.STRIPE_API_BASE = alive
    return payment, Refund.objects.get(payment=payment, status="due")


def test_a_due_refund_retried_by_four_workers_at_once_goes_out_once(localstripe, settings):
    """Issue 12, item 13: staff press "retry now" while the periodic task runs, on several workers: the payment's
    row lock and the refund's conditional update let one of them ask the provider and record it."""
    from billing.models import Refund
    from billing.services.refunds import refund_retry

    payment, due = _late_capture_with_refund_due(settings)

    outcomes = _run_at_once([lambda: refund_retry(refund_id=due.pk, early=True).status for _ in range(4)])

    assert outcomes == ["succeeded"] * 4, outcomes
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_minor) == ("refunded", 19900)
    assert Refund.objects.filter(payment=payment).count() == 1


def test_a_cancellation_and_a_late_capture_at_once_never_keep_the_money(localstripe):
    """Issue 12, item 12: an instructor cancels while the provider reports a learner's capture. Whichever commits
    first, after the cancellation job the money is back in full, once, and the learner is no member."""
    from billing.gateways import get_gateway
    from billing.models import Refund
    from billing.services.cancellation import cohort_cancellation_refund
    from billing.services.payments import payment_mark_succeeded, payment_start
    from cohorts.services import cohort_cancel

    for _round in range(3):
        cohort = bf.cohort(capacity=5)
        teacher = factories.instructor()
        cohort.course.instructors.add(teacher)
        learner = factories.learner()
        result = checkout_start(learner=learner, cohort_id=cohort.pk)
        payment = payment_start(order_id=result.order.pk)
        captured = get_gateway().test_card_confirm(payment.provider_payment_id, card_number="4242424242424242")

        outcomes = _run_at_once(
            [
                lambda cohort=cohort, teacher=teacher: cohort_cancel(actor=teacher, cohort_id=cohort.pk).status,
                lambda captured=captured: payment_mark_succeeded(result=captured).status,
            ]
        )
        assert "cancelled" in outcomes, outcomes
        cohort_cancellation_refund(cohort_id=cohort.pk)

        payment.refresh_from_db()
        assert (payment.captured_minor, payment.refunded_minor) == (19900, 19900), outcomes
        assert Refund.objects.filter(payment=payment).count() == 1
        assert Enrollment.objects.get(pk=result.enrollment.pk).status in ("withdrawn", "expired")
