"""The deposit challenge (打卡返学费) end to end: a paid 7-day cohort, driven day by day with the clock controlled,
closes; those who checked in every day get half of what they paid back through localstripe, once, and are mailed;
those who missed a day, withdrew or were removed get nothing; a refund the provider refuses is due and retried.

Payments go through localstripe and signed webhooks, as in production.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from billing.models import DepositRefund, Payment, Refund
from billing.services.deposits import deposit_refunds_issue
from billing.services.offers import offers_create_for_cohort
from billing.services.payments import payment_confirm_test_card
from billing.services.refunds import enrollment_withdraw, refunds_retry_due
from billing.statuses import OrderStatus, RefundReason, RefundStatus
from cohorts.checkins import checkin_makeup, checkin_record
from cohorts.completion.services import cohort_close, cohort_ends_run
from cohorts.models import Cohort, Enrollment
from cohorts.moderation import strike_issue
from cohorts.services import cohort_transitions_run
from tests import factories
from tests.billing.conftest import event, payment_intent, post_event

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Today I practised the lesson's task and wrote it down."


def _pay(api, client, cohort, learner) -> None:
    """Checkout, the test card at localstripe (so the provider holds the charge to refund), then the signed
    payment_intent.succeeded webhook: the enrollment is active."""
    body = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    payment_confirm_test_card(learner=learner, order_id=body["order"]["id"], card_number="4242424242424242")
    intent = payment_intent(body["payment"]["provider_payment_id"], amount=body["order"]["total_minor"])
    assert post_event(client, event("payment_intent.succeeded", intent)).status_code == 200


def _midday(cohort, day: int):
    from cohorts import days

    return days.day_start(tz=cohort.timezone, starts_on=cohort.starts_on, day=day) + timedelta(hours=12)


@pytest.fixture
def challenge(localstripe, api_client, client):
    """A 7-day course at 199.00 CNY promising 50 % back for checking in every day (one make-up allowed), and an open
    cohort with five paying learners."""
    teacher = factories.instructor()
    course = factories.course(
        teacher=teacher,
        prerequisite="none",
        price_minor=19900,
        duration_days=7,
        deposit_refund_percent=50,
        deposit_makeups_allowed=1,
        makeup_limit=2,
        makeup_max_days_back=3,
    )
    cohort = factories.cohort(course=course, strikes_to_remove=1)
    names = ("keeper", "makeup", "misser", "withdrew", "removed")
    people = {name: factories.learner(name=name, language="zh-hans" if name == "keeper" else "en") for name in names}
    for user in people.values():
        _pay(api_client(user), client, cohort, user)
    return {"cohort": cohort, "people": people, "teacher": teacher}


def _live(challenge, day: int) -> None:
    """Day ``day`` at noon, cohort time: each learner checks in as their story says."""
    cohort, people = challenge["cohort"], challenge["people"]
    with time_machine.travel(_midday(cohort, day), tick=False):
        cohort_transitions_run()
        for name, user in people.items():
            if (name == "makeup" and day == 4) or (name == "misser" and day == 3):
                continue
            checkin_record(learner=user, cohort_id=cohort.pk, text=TEXT)
        if day == 5:
            checkin_makeup(learner=people["makeup"], cohort_id=cohort.pk, day=4, reason="ill", text=TEXT)
        if day == 7:
            # checked in every day, and then left: no deposit
            withdrawer = Enrollment.objects.get(cohort=cohort, learner=people["withdrew"])
            enrollment_withdraw(learner=people["withdrew"], enrollment_id=withdrawer.pk)
            removed = Enrollment.objects.get(cohort=cohort, learner=people["removed"])
            strike_issue(actor=challenge["teacher"], enrollment_id=removed.pk, reason="spam in the feed")


def _run_cohort(challenge, *, close: bool = True):
    """Every day of the cohort (``_live``), then the end job: outcomes, and after the review window the close."""
    cohort = challenge["cohort"]
    for day in range(1, 8):
        _live(challenge, day)
    cohort.refresh_from_db()
    with time_machine.travel(cohort.ends_at + timedelta(minutes=1), tick=False):
        cohort_transitions_run()
        assert cohort_ends_run()["evaluated"] == 1
    cohort.refresh_from_db()
    mail.outbox.clear()
    if close:
        with time_machine.travel(cohort.review_closes_at + timedelta(minutes=1), tick=False):
            assert cohort_ends_run()["closed"] == 1  # cohort_closed → deposit refunds (inline here)
    return cohort


def _refunds(user):
    return list(Refund.objects.filter(payment__order__learner=user).values_list("reason", "amount_minor", "status"))


def test_a_paid_cohort_run_to_its_end_refunds_those_who_checked_in_every_day_once(challenge):
    people = challenge["people"]
    cohort = _run_cohort(challenge)

    # then the keeper and the one who made up a day within the allowance get half back, through the provider
    for name in ("keeper", "makeup"):
        assert _refunds(people[name]) == [(RefundReason.DEPOSIT, 9950, RefundStatus.SUCCEEDED)], name
        payment = Payment.objects.get(order__learner=people[name])
        assert (payment.status, payment.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 9950)
        assert Refund.objects.get(payment=payment).provider_refund_id.startswith("re_")
    # the one who missed a day, the one who withdrew and the one removed get no deposit
    assert _refunds(people["misser"]) == []
    assert _refunds(people["removed"]) == []
    assert RefundReason.DEPOSIT not in [reason for reason, *_ in _refunds(people["withdrew"])]
    # and each refunded learner is mailed, in their language
    subjects = {m.to[0]: (m.subject, m.body) for m in mail.outbox if "99.50" in m.subject or "99.50" in m.body}
    assert set(subjects) == {people["keeper"].email, people["makeup"].email}
    assert "每一天都打了卡" in subjects[people["keeper"].email][1]
    assert "checked in every day" in subjects[people["makeup"].email][1]

    # when the close, the deposit job and the offers run again
    with time_machine.travel(cohort.review_closes_at + timedelta(hours=1), tick=False):
        assert cohort_close(cohort_id=cohort.pk) is False
        assert deposit_refunds_issue(cohort_id=cohort.pk) == {"refunded": 0, "due": 0, "amount_minor": 0, "out": 1}
        offers_create_for_cohort(cohort_id=cohort.pk)
    # then nothing more goes out
    assert Refund.objects.filter(reason=RefundReason.DEPOSIT).count() == 2
    assert DepositRefund.objects.count() == 2


def test_a_refused_deposit_refund_is_due_shown_to_staff_and_retried_once(challenge, settings, client):
    cohort = _run_cohort(challenge, close=False)
    # given the provider can't be reached when the cohort closes
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"
    with time_machine.travel(cohort.review_closes_at + timedelta(minutes=1), tick=False):
        assert cohort_ends_run()["closed"] == 1
        assert deposit_refunds_issue(cohort_id=cohort.pk)["due"] == 0  # a second run asks nothing again
    due = Refund.objects.filter(reason=RefundReason.DEPOSIT).order_by("pk")
    assert [(r.status, r.amount_minor) for r in due] == [(RefundStatus.DUE, 9950)] * 2
    assert all(p.refunded_minor == 0 for p in Payment.objects.filter(order__learner=challenge["people"]["keeper"]))

    # staff see them on the revenue page
    client.force_login(factories.staff())
    page = client.get("/billing/revenue/").content.decode()
    assert challenge["people"]["keeper"].email in page and "Deposit challenge" in page

    # when the provider is back, the periodic retry sends each once
    settings.STRIPE_API_BASE = alive
    first = due.first()
    assert refunds_retry_due(now=first.next_attempt_at + timedelta(seconds=1))["refunded"] == 2
    assert refunds_retry_due(now=first.next_attempt_at + timedelta(days=1))["refunded"] == 0
    keeper = Payment.objects.get(order__learner=challenge["people"]["keeper"])
    assert (keeper.status, keeper.refunded_minor) == (OrderStatus.PARTIALLY_REFUNDED, 9950)
    assert [r.status for r in Refund.objects.filter(reason=RefundReason.DEPOSIT)] == [RefundStatus.SUCCEEDED] * 2


def test_a_course_without_the_challenge_refunds_nobody(challenge):
    type(challenge["cohort"].course).objects.filter(pk=challenge["cohort"].course_id).update(deposit_refund_percent=0)
    _run_cohort(challenge)
    assert not Refund.objects.filter(reason=RefundReason.DEPOSIT).exists()
    assert Cohort.objects.get(pk=challenge["cohort"].pk).closed_at is not None


def test_the_learner_sees_the_promise_and_where_they_stand_while_the_cohort_runs(challenge, client, api_client):
    cohort, people = challenge["cohort"], challenge["people"]
    # the promise, before enrolling
    client.force_login(factories.learner())
    enroll = client.get(f"/cohorts/{cohort.pk}/enroll/").content.decode()
    assert 'data-testid="deposit-promise"' in enroll and "50%" in enroll and "Up to 1 make-up check-in counts" in enroll

    for day in range(1, 5):
        _live(challenge, day)
    with time_machine.travel(_midday(cohort, 5), tick=False):
        # the one who missed day 4 may still make it up
        client.force_login(people["makeup"])
        today = client.get(f"/cohorts/{cohort.pk}/today/").content.decode()
        assert 'data-state="at_risk"' in today
        assert "Day 5 of 7 — still eligible if you make up day 4" in today and "by day 7" in today
    for day in (5, 6):
        _live(challenge, day)

    with time_machine.travel(_midday(cohort, 7), tick=False):
        # made up within the allowance: eligible again; the one who missed day 3 is out, and told why
        assert "Day 7 of 7 — still eligible" in client.get(f"/cohorts/{cohort.pk}/today/").content.decode()
        client.force_login(people["misser"])
        page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
        assert 'data-state="out"' in page and "Day 3 was missed and can no longer be made up." in page
        standing = api_client(people["misser"]).get(f"/api/v1/cohorts/{cohort.pk}/deposit").json()
        assert (standing["state"], standing["reason"], standing["lost_day"], standing["day"]) == ("out", "missed", 3, 7)
        # in Chinese
        client.force_login(people["keeper"])
        chinese = client.get(f"/cohorts/{cohort.pk}/today/").content.decode()
        assert "第 7 天 / 共 7 天——仍有返学费资格" in chinese
