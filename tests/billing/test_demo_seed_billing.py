"""make demo's money: every seat the demo's learners hold has a paid order, so the revenue report starts filled."""

import io
import re

import pytest
from django.core.management import call_command

from billing.models import Dispute, Order, Payment, Refund
from cohorts.models import Enrollment
from cohorts.statuses import EnrollmentStatus

pytestmark = pytest.mark.django_db


def test_the_demos_paid_seats_have_orders_and_revenue_is_not_empty(client):
    call_command("demo_seed", stdout=io.StringIO())
    call_command("demo_seed_billing", stdout=io.StringIO())
    counts = [Order.objects.count(), Payment.objects.count(), Refund.objects.count(), Dispute.objects.count()]
    call_command("demo_seed_billing", stdout=io.StringIO())
    assert [Order.objects.count(), Payment.objects.count(), Refund.objects.count(), Dispute.objects.count()] == counts

    seats = Enrollment.objects.filter(
        status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED]
    )
    assert seats.count() >= 60
    assert all(e.orders.filter(status__in=["paid", "partially_refunded"]).count() == 1 for e in seats)

    client.login(email="staff@demo.stagewise.local", password="stagewise-demo")
    html = client.get("/billing/revenue/").content.decode()
    captured = re.search(r'data-figure="captured">([^<]+)<', html).group(1)
    assert captured not in ("CN¥0.00", "")
    assert "data-cohort=" in html and "data-dispute=" in html and "Recently handled" in html
    client.login(email="learner1@demo.stagewise.local", password="stagewise-demo")
    assert "/receipt.pdf" in client.get("/orders/").content.decode()
