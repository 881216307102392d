"""Billing reads: the test-card step finds only the learner's own order."""

import pytest

from billing.services.checkout import checkout_start
from billing.services.payments import payment_confirm_test_card
from stagewise.errors import NotFound
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db


def test_test_card_step_finds_nothing_that_is_not_the_learners(no_provider):
    cohort = bf.cohort(capacity=2)
    learner, other = factories.learner(name="José"), factories.learner(name="🎉")
    order = checkout_start(learner=learner, cohort_id=cohort.pk).order
    for who, order_id in ((other, order.pk), (learner, order.pk + 1000), (learner, 2**70)):
        with pytest.raises(NotFound):
            payment_confirm_test_card(learner=who, order_id=order_id, card_number="4242424242424242")
