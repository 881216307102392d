"""Moving up a stage mid-cohort (issue 10): an active member checks out the next stage's cohort with ``upgrade`` and
pays the difference; only when the payment succeeds (the signed webhook) does the old enrollment end as ``upgraded``
and free its seat, in the transaction that activates the new one. Every move is an ``Upgrade`` row.

Payments go through localstripe and signed webhooks, as in production.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.gateways import get_gateway
from billing.models import Order, Payment, Upgrade, UpgradeOffer
from billing.services.holds import seat_holds_release_expired
from billing.services.refunds import staff_refund
from cohorts import days, seats
from cohorts.models import Cohort, Enrollment, SeatHold
from cohorts.notifications import daily_notices_run
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.billing.conftest import event, payment_intent, post_event

pytestmark = pytest.mark.django_db(transaction=True)

E = EnrollmentStatus


def _checkout(api, cohort, **body):
    return api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", body, content_type="application/json")


def _succeed(client, body, *, event_id=None):
    """The signed payment_intent.succeeded webhook for a checkout's payment."""
    intent = payment_intent(body["payment"]["provider_payment_id"], amount=body["order"]["total_minor"])
    response = post_event(client, event("payment_intent.succeeded", intent, event_id=event_id))
    assert response.status_code == 200
    return response


def _status(enrollment_id):
    return Enrollment.objects.get(pk=enrollment_id).status


@pytest.fixture
def ladder(localstripe, api_client, client):
    """Stage 1 (199.00 CNY) running, with a learner who paid for it; stage 2 (399.00 CNY, previous stage required)
    with an open cohort of two seats."""
    teacher = factories.instructor()
    track = factories.track()
    stage1 = factories.course(teacher=teacher, track=track, stage=1, prerequisite="none", price_minor=19900)
    stage2 = factories.course(
        teacher=teacher, track=track, stage=2, stage_label="Bootcamp", prerequisite="previous_stage", price_minor=39900
    )
    current = factories.cohort(course=stage1)
    target = factories.cohort(course=stage2, capacity=2)
    learner = factories.learner(name="张伟", language="zh-hans")
    api = api_client(learner)
    paid = _checkout(api, current).json()
    # paid for real at localstripe (so it can be refunded there), then reported by the webhook
    get_gateway().test_card_confirm(paid["payment"]["provider_payment_id"], card_number="4242424242424242")
    _succeed(client, paid)
    # The cohort started three days ago.
    start = factories.local_today() - timedelta(days=2)
    Cohort.objects.filter(pk=current.pk).update(
        starts_on=start, ends_on=start + timedelta(days=6), status=CohortStatus.RUNNING
    )
    mail.outbox.clear()
    return {
        "current": current,
        "target": target,
        "stage1": stage1,
        "stage2": stage2,
        "learner": learner,
        "api": api,
        "old": Enrollment.objects.get(cohort=current, learner=learner),
    }


# Pricing --------------------------------------------------------------------------------------------------------


def test_the_upgrade_costs_the_next_price_minus_what_was_paid_in_a_line_of_its_own(ladder):
    url = f"/api/v1/cohorts/{ladder['target'].pk}/quote?upgrade=true"
    quote = ladder["api"].get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [(line["kind"], line["amount_minor"]) for line in quote["lines"]] == [
        ("list_price", 39900),
        ("upgrade_difference", -19900),
    ]
    assert quote["total_minor"] == 20000
    # the line is translated
    assert quote["lines"][1]["description"] == f"已为 {ladder['stage1'].title} 支付"

    # the checkout prices the order the same, and remembers what it moves up from
    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()
    assert body["order"]["total_minor"] == 20000
    assert Order.objects.get(pk=body["order"]["id"]).upgrade_from_id == ladder["old"].pk


def test_the_difference_is_net_of_refunds(ladder):
    # given a partial refund of the current seat
    payment = Payment.objects.get(order__enrollment=ladder["old"])
    staff_refund(actor=factories.staff(), payment_id=payment.pk, amount_minor=5000)

    quote = ladder["api"].get(f"/api/v1/cohorts/{ladder['target'].pk}/quote?upgrade=true").json()

    assert quote["total_minor"] == 39900 - (19900 - 5000)


def test_a_cheaper_next_stage_costs_nothing_and_moves_up_at_once(ladder):
    """Never below zero: the difference is capped at the price, and a zero total completes without the provider."""
    # given a next stage cheaper than what was paid
    ladder["stage2"].price_minor = 9900
    ladder["stage2"].save(update_fields=["price_minor"])

    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()

    assert body["order"]["total_minor"] == 0 and body["payment"] is None
    assert [line["amount_minor"] for line in body["order"]["lines"]] == [9900, -9900]
    assert _status(ladder["old"].pk) == E.UPGRADED
    assert _status(body["enrollment_id"]) == E.ACTIVE
    assert Upgrade.objects.get(from_enrollment=ladder["old"]).credited_minor == 9900


# Completion on payment ------------------------------------------------------------------------------------------


def test_the_old_enrollment_is_upgraded_and_its_seat_freed_only_once_the_payment_succeeds(ladder, client):
    current, old = ladder["current"], ladder["old"]
    taken_before = seats.seats_taken(cohort_id=current.pk)

    # when the learner checks out the next stage with upgrade
    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()

    # then, before the payment, both stand as they were: the old seat is still theirs, the new one only held
    assert (_status(old.pk), _status(body["enrollment_id"])) == (E.ACTIVE, E.PENDING_PAYMENT)
    assert seats.seats_taken(cohort_id=current.pk) == taken_before
    assert not Upgrade.objects.exists()

    # when the provider reports the payment (signed webhook)
    _succeed(client, body, event_id="evt_upgrade_1")

    # then the new enrollment is active and the old one upgraded, its seat free, and the move recorded
    assert (_status(old.pk), _status(body["enrollment_id"])) == (E.UPGRADED, E.ACTIVE)
    assert seats.seats_taken(cohort_id=current.pk) == taken_before - 1
    upgrade = Upgrade.objects.get()
    assert (upgrade.learner, upgrade.from_enrollment_id, upgrade.to_enrollment_id, upgrade.order_id) == (
        ladder["learner"],
        old.pk,
        body["enrollment_id"],
        body["order"]["id"],
    )
    assert (upgrade.credited_minor, upgrade.currency) == (19900, "CNY")
    # and the learner is told, in their language (besides the receipt)
    subjects = [m.subject for m in mail.outbox]
    assert any(ladder["stage2"].title in s and "升" in s for s in subjects), subjects

    # and a replayed webhook, or the same capture under a new event id, changes nothing
    _succeed(client, body, event_id="evt_upgrade_1")
    _succeed(client, body, event_id="evt_upgrade_2")
    assert Upgrade.objects.count() == 1
    assert (_status(old.pk), _status(body["enrollment_id"])) == (E.UPGRADED, E.ACTIVE)
    assert sum(ladder["stage2"].title in m.subject and "升" in m.subject for m in mail.outbox) == 1


def test_the_old_cohort_stops_reminding_an_upgraded_learner(ladder, client):
    # given another member who stays, and the learner who moved up
    stays = factories.enrollment(cohort=ladder["current"], learner=factories.learner())
    _succeed(client, _checkout(ladder["api"], ladder["target"], upgrade=True).json())
    mail.outbox.clear()

    # when the reminders go out at 21:00 in the cohort's time zone
    evening = days.local_hour(tz="Asia/Shanghai", on=factories.local_today(), hour=21)
    sent = daily_notices_run(now=evening)

    # then only the member who stayed is reminded
    assert sent["reminder"] == 1
    assert [m.to for m in mail.outbox] == [[stays.learner.email]]


def test_a_failed_payment_leaves_both_enrollments_as_they_were(ladder, client):
    old = ladder["old"]
    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()
    pi = body["payment"]["provider_payment_id"]

    # when the card is declined and the learner gives up until the hold runs out
    error = {"code": "card_declined", "message": "declined"}
    failed = payment_intent(pi, amount=20000, status="requires_payment_method", error=error)
    assert post_event(client, event("payment_intent.payment_failed", failed)).status_code == 200
    assert (_status(old.pk), _status(body["enrollment_id"])) == (E.ACTIVE, E.PENDING_PAYMENT)
    SeatHold.objects.filter(enrollment_id=body["enrollment_id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    seat_holds_release_expired()

    # then the old enrollment is still active, the new one expired, the order failed, and nothing was recorded
    assert (_status(old.pk), _status(body["enrollment_id"])) == (E.ACTIVE, E.EXPIRED)
    assert Order.objects.get(pk=body["order"]["id"]).status == "failed"
    assert not Upgrade.objects.exists()


def test_a_freed_seat_of_an_open_cohort_goes_to_the_waitlist(localstripe, api_client, client):
    # given a full open stage-1 cohort with someone waiting, and a member who moves up
    track = factories.track()
    stage1 = factories.course(track=track, stage=1, prerequisite="none", price_minor=19900)
    stage2 = factories.course(track=track, stage=2, prerequisite="none", price_minor=29900)
    current, target = factories.cohort(course=stage1, capacity=1), factories.cohort(course=stage2)
    mover, waiting = factories.learner(), factories.learner()
    api = api_client(mover)
    _succeed(client, _checkout(api, current).json())
    assert _checkout(api_client(waiting), current).json()["waitlisted"] is True

    # when the move is paid
    _succeed(client, _checkout(api, target, upgrade=True).json())

    # then the freed seat is offered to the first in line
    assert Enrollment.objects.get(cohort=current, learner=waiting).status == E.PENDING_PAYMENT


def test_an_open_offer_toward_the_next_stage_is_used_by_the_upgrade(ladder, client):
    # given an offer toward stage 2 left from an earlier cohort
    earlier = factories.enrollment(cohort=factories.cohort(course=ladder["stage1"]), learner=ladder["learner"])
    now = timezone.now()
    offer = UpgradeOffer.objects.create(
        enrollment=earlier,
        learner=ladder["learner"],
        kind="upgrade",
        course=ladder["stage2"],
        amount_minor=0,
        currency="CNY",
        paid_minor=0,
        expires_at=now + timedelta(days=30),
        created_at=now,
    )

    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()
    _succeed(client, body)

    offer.refresh_from_db()
    assert offer.used_order_id == body["order"]["id"]


# Refusals -------------------------------------------------------------------------------------------------------


def _code(response):
    return response.status_code, response.json()["code"]


def test_someone_with_no_seat_one_stage_below_is_refused(ladder, api_client):
    outsider = api_client(factories.learner())
    assert _code(_checkout(outsider, ladder["target"], upgrade=True)) == (409, "upgrade_not_member")
    assert _code(outsider.get(f"/api/v1/cohorts/{ladder['target'].pk}/quote?upgrade=true")) == (
        409,
        "upgrade_not_member",
    )


def test_a_member_who_is_not_active_is_refused(ladder):
    Enrollment.objects.filter(pk=ladder["old"].pk).update(status=E.NOT_COMPLETED)
    assert _code(_checkout(ladder["api"], ladder["target"], upgrade=True)) == (409, "upgrade_not_active")


def test_a_second_upgrade_from_the_same_seat_is_refused(ladder, client):
    _succeed(client, _checkout(ladder["api"], ladder["target"], upgrade=True).json())
    other = factories.cohort(course=ladder["stage2"])

    assert _code(_checkout(ladder["api"], other, upgrade=True)) == (409, "already_upgraded")
    assert _code(ladder["api"].get(f"/api/v1/enrollments/{ladder['old'].pk}/upgrade")) == (409, "already_upgraded")


def test_moving_up_into_two_cohorts_at_once_is_refused(ladder):
    """Two payments from one seat would buy two seats for one: the second waits until the first is paid or lapses."""
    other = factories.cohort(course=ladder["stage2"])
    assert _checkout(ladder["api"], ladder["target"], upgrade=True).status_code == 201

    assert _code(_checkout(ladder["api"], other, upgrade=True)) == (409, "upgrade_pending")

    # once the first hold lapses, the learner may move up elsewhere
    SeatHold.objects.filter(cohort=ladder["target"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _checkout(ladder["api"], other, upgrade=True).status_code == 201


def test_the_top_of_the_ladder_has_no_next_stage(ladder):
    # given no open cohort of the next stage
    Cohort.objects.filter(pk=ladder["target"].pk).update(status=CohortStatus.RUNNING)
    assert _code(ladder["api"].get(f"/api/v1/enrollments/{ladder['old'].pk}/upgrade")) == (
        409,
        "upgrade_no_next_stage",
    )
    assert _code(_checkout(ladder["api"], ladder["target"], upgrade=True)) == (409, "enrollment_closed")


def test_the_upgrade_offer_names_the_next_cohort_and_its_price(ladder):
    body = ladder["api"].get(f"/api/v1/enrollments/{ladder['old'].pk}/upgrade").json()
    assert (body["cohort_id"], body["quote"]["total_minor"]) == (ladder["target"].pk, 20000)


def test_a_full_target_cohort_puts_the_learner_on_the_waitlist(ladder):
    for _ in range(2):
        factories.enrollment(cohort=ladder["target"], learner=factories.learner())

    body = _checkout(ladder["api"], ladder["target"], upgrade=True).json()

    assert body["waitlisted"] is True
    assert _status(ladder["old"].pk) == E.ACTIVE


# Pages ----------------------------------------------------------------------------------------------------------


def test_the_cohort_and_today_pages_offer_the_upgrade_to_an_active_member(ladder, client):
    client.force_login(ladder["learner"])
    for url in (f"/cohorts/{ladder['current'].pk}/", f"/cohorts/{ladder['current'].pk}/today/"):
        page = client.get(url).content.decode()
        assert 'data-testid="upgrade-offer"' in page, url
        assert f"/cohorts/{ladder['target'].pk}/enroll/?upgrade=1" in page

    enroll = client.get(f"/cohorts/{ladder['target'].pk}/enroll/?upgrade=1").content.decode()
    assert 'data-kind="upgrade_difference"' in enroll and 'data-total="20000"' in enroll

    # not once they are no longer active
    Enrollment.objects.filter(pk=ladder["old"].pk).update(status=E.UPGRADED)
    assert 'data-testid="upgrade-offer"' not in client.get(f"/cohorts/{ladder['current'].pk}/").content.decode()


def test_the_page_checkout_moves_up_after_the_payment(ladder, client):
    client.force_login(ladder["learner"])
    response = client.post(f"/cohorts/{ladder['target'].pk}/enroll/", {"action": "pay", "upgrade": "1"})
    order = Order.objects.get(cohort=ladder["target"])
    assert response.status_code == 302 and order.upgrade_from_id == ladder["old"].pk
    assert order.total_minor == 20000
