"""Billing reads written by hand for the hot paths: the same answers as the ORM's."""

import pytest

from billing.models import Order, Payment
from billing.selectors import order_with_payments
from billing.services import checkout_start
from billing.statuses import OrderStatus
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_order_with_payments_is_the_learners_order_with_every_attempt(no_provider, django_assert_num_queries):
    cohort = bf.cohort(capacity=2)
    learner = factories.learner(name="张伟 𠮷野家")
    order = checkout_start(learner=learner, cohort_id=cohort.pk).order
    # no payment yet: an empty list, from the one statement
    with django_assert_num_queries(1):
        found = order_with_payments(learner_id=learner.pk, order_id=order.pk)
        assert found is not None and list(found.payments.all()) == []
    # a declined attempt and the one after it: both, newest first, as the ORM lists them
    Payment.objects.create(
        order=order, provider_payment_id="pi_first", amount_minor=19900, currency="CNY", status=OrderStatus.CANCELLED
    )
    Payment.objects.create(order=order, provider_payment_id="pi_second", amount_minor=19900, currency="CNY")
    expected = Order.objects.get(pk=order.pk)
    with django_assert_num_queries(1):
        found = order_with_payments(learner_id=learner.pk, order_id=order.pk)
        payments = list(found.payments.all())
        assert [p.provider_payment_id for p in payments] == ["pi_second", "pi_first"]
        assert all(p.order is found for p in payments)
    assert _values(found) == _values(expected)
    assert [_values(p) for p in payments] == [_values(p) for p in expected.payments.all()]


def test_order_with_payments_finds_nothing_that_is_not_the_learners(no_provider):
    cohort = bf.cohort(capacity=2)
    learner, other = factories.learner(name="José"), factories.learner(name="🎉")
    order = checkout_start(learner=learner, cohort_id=cohort.pk).order
    assert order_with_payments(learner_id=other.pk, order_id=order.pk) is None
    assert order_with_payments(learner_id=learner.pk, order_id=order.pk + 1000) is None
    assert order_with_payments(learner_id=learner.pk, order_id=2**70) is None  # not even a possible id
