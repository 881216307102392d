"""Which paid orders a campaign earned: by its personal offer code, or by a click within its attribution window,
through the real checkout and the provider's signed webhook, with the clock controlled."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from alumni.attribution.services import conversion_attribute
from alumni.models import Conversion
from billing.models import Coupon
from tests import factories
from tests.alumni import attribution_world as world

pytestmark = pytest.mark.django_db

# A late evening in UTC, already the next day in Shanghai (where the factories' cohorts are).
T0 = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _eager(celery_eager):
    """The receiver's task runs inline (a real worker is tested in tests/test_celery_integration.py)."""


@pytest.fixture
def paying(client, settings, django_capture_on_commit_callbacks):
    def pay(**kwargs):
        return world.pay(client, settings, django_capture_on_commit_callbacks, **kwargs)

    return pay


def test_an_order_with_the_campaigns_personal_code_is_its_conversion(paying):
    # given a learner mailed a personal code, who never clicked
    learner = factories.learner()
    campaign = world.campaign()
    with time_machine.travel(T0, tick=False):
        delivery = world.delivery(campaign=campaign, learner=learner, code="BACK-7Q2")

    # when, twenty days later (long past any click window), they pay with it
    with time_machine.travel(T0 + timedelta(days=20), tick=False):
        order = paying(learner=learner, code="back-7q2")

    # then the order is the campaign's, by its code, at the discounted total
    conversion = Conversion.objects.get()
    assert (conversion.campaign, conversion.delivery, conversion.order, conversion.via) == (
        campaign,
        delivery,
        order,
        "offer_code",
    )
    assert order.coupon == Coupon.objects.get(code="BACK-7Q2")
    assert (conversion.amount_minor, conversion.currency) == (15920, "CNY")


def test_an_order_within_the_window_after_a_click_counts(paying):
    learner = factories.learner()
    campaign = world.campaign(attribution_days=7)
    world.delivery(campaign=campaign, learner=learner, due_at=T0, clicked_at=T0 + timedelta(hours=2))

    # six days and 23 hours after the click
    with time_machine.travel(T0 + timedelta(days=7, hours=1), tick=False):
        order = paying(learner=learner)

    conversion = Conversion.objects.get(order=order)
    assert (conversion.campaign, conversion.via, conversion.amount_minor) == (campaign, "click", 19900)


def test_an_order_after_the_window_or_before_the_click_does_not(paying):
    late, early = factories.learner(), factories.learner()
    campaign = world.campaign(attribution_days=7)
    world.delivery(campaign=campaign, learner=late, due_at=T0, clicked_at=T0)
    world.delivery(campaign=campaign, learner=early, due_at=T0, clicked_at=T0 + timedelta(days=1))

    with time_machine.travel(T0 + timedelta(days=7, minutes=1), tick=False):
        paying(learner=late)  # a minute past the seven days
    with time_machine.travel(T0 + timedelta(hours=12), tick=False):
        paying(learner=early)  # paid, then clicked

    assert Conversion.objects.count() == 0


def test_the_window_is_the_campaigns_own(paying):
    learner = factories.learner()
    campaign = world.campaign(attribution_days=2)
    world.delivery(campaign=campaign, learner=learner, due_at=T0, clicked_at=T0)

    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        paying(learner=learner)

    assert not Conversion.objects.exists()


def test_the_most_recent_click_wins(paying):
    learner = factories.learner()
    first, second = world.campaign(name="First"), world.campaign(name="Second")
    world.delivery(campaign=first, learner=learner, due_at=T0, clicked_at=T0 + timedelta(days=1))
    world.delivery(campaign=second, learner=learner, due_at=T0, clicked_at=T0 + timedelta(days=2))

    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        paying(learner=learner)

    assert Conversion.objects.get().campaign == second


def test_the_code_wins_over_a_more_recent_click(paying):
    learner = factories.learner()
    coded, clicked = world.campaign(name="Coded"), world.campaign(name="Clicked")
    world.delivery(campaign=coded, learner=learner, due_at=T0, code="MINE-1")
    world.delivery(campaign=clicked, learner=learner, due_at=T0, clicked_at=T0 + timedelta(days=1))

    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        paying(learner=learner, code="MINE-1")

    assert (Conversion.objects.get().campaign, Conversion.objects.get().via) == (coded, "offer_code")


def test_a_replayed_webhook_is_counted_once(client, paying, django_capture_on_commit_callbacks):
    learner = factories.learner()
    campaign = world.campaign()
    world.delivery(campaign=campaign, learner=learner, due_at=T0, code="ONCE-1")
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        order = paying(learner=learner, code="ONCE-1")
        world.replay(client, django_capture_on_commit_callbacks, order)

    # and running the attribution again (a retried task) finds the same row
    assert conversion_attribute(order_id=order.pk) == Conversion.objects.get()
    assert Conversion.objects.count() == 1


def test_someone_elses_click_does_not_credit_an_order(paying):
    clicker, payer = factories.learner(), factories.learner()
    campaign = world.campaign()
    world.delivery(campaign=campaign, learner=clicker, due_at=T0, clicked_at=T0)

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        paying(learner=payer)

    assert not Conversion.objects.exists()


def test_an_unpaid_or_unknown_order_is_no_conversion():
    assert conversion_attribute(order_id=987654) is None


def test_staff_read_conversions_in_the_admin(paying):
    learner = factories.learner()
    campaign = world.campaign()
    world.delivery(campaign=campaign, learner=learner, due_at=T0, code="ADMIN-1")
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        paying(learner=learner, code="ADMIN-1")
    client = Client()
    client.force_login(factories.staff(is_superuser=True))
    page = client.get("/admin/alumni/conversion/")
    assert page.status_code == 200
    assert "Offer code" in page.content.decode()
    assert client.get("/admin/alumni/conversion/add/").status_code == 403
