"""A learner finds their orders from the navigation; staff find the revenue report there too."""

import re

import pytest

from billing.services.checkout import checkout_start
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db


def test_orders_and_revenue_are_in_the_navigation_for_whom_they_are(client):
    client.force_login(factories.learner())
    nav = client.get("/").content.decode()
    assert 'href="/orders/"' in nav and 'href="/billing/revenue/"' not in nav
    profile = client.get("/accounts/profile/").content.decode()
    assert 'href="/orders/">Orders and receipts<' in profile
    client.force_login(factories.staff())
    nav = client.get("/").content.decode()
    assert 'href="/orders/"' in nav and 'href="/billing/revenue/"' in nav


def test_no_orders_yet_leads_to_the_catalog(client):
    client.force_login(factories.learner())
    html = client.get("/orders/").content.decode()
    assert "No orders yet" in html and 'class="btn" href="/"' in html
    assert "Your referral code:" in html


def test_orders_come_twenty_a_page_newest_first(client):
    learner = factories.learner()
    orders = [
        checkout_start(learner=learner, cohort_id=bf.cohort(course=bf.paid_course(price_minor=0)).pk).order
        for _ in range(23)
    ]
    client.force_login(learner)
    first = client.get("/orders/").content.decode()
    shown = [int(n) for n in re.findall(r'data-order="(\d+)"', first)]
    assert shown == [o.pk for o in reversed(orders)][:20]
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get("/orders/?page=2").content.decode()
    assert [int(n) for n in re.findall(r'data-order="(\d+)"', second)] == [o.pk for o in orders[:3]][::-1]
    assert 'rel="prev"' in second and "Receipt (PDF)" in second
