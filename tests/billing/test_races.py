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
