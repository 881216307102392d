"""Refunds through localstripe: policy, withdrawal, staff refunds, the bound, cancelled cohorts, the race."""

from datetime import timedelta

import pytest

from billing.gateways import get_gateway
from billing.models import Order, Payment, Refund
from billing.refund_policy import refund_preview, refund_window_end
from billing.services.cancellation import cohort_cancellation_refund
from billing.services.checkout import checkout_start
from billing.services.payments import payment_confirm_test_card, payment_mark_succeeded, payment_start
from billing.services.refunds import enrollment_withdraw, refund_issue, refunds_retry_due, staff_refund
from billing.statuses import OrderStatus, RefundReason
from cohorts.models import Enrollment, SeatHold
from cohorts.statuses import EnrollmentStatus, SeatHoldStatus
from stagewise.errors import Conflict, Forbidden
from tests import factories
from tests.billing import factories as bf
from tests.concurrency import outcome, run_at_once

pytestmark = pytest.mark.django_db


def paid(*, cohort, learner=None) -> Payment:
    """Enroll and pay with 4242 on localstripe; record the capture as the verified webhook would."""
    learner = learner or factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4242424242424242")
    payment = Payment.objects.get(order=result.order, status=OrderStatus.PENDING)
    payment_mark_succeeded(result=get_gateway().payment_retrieve(payment.provider_payment_id))
    payment.refresh_from_db()
    assert payment.status == OrderStatus.PAID
    return payment


def test_policy_full_before_start_partial_until_day_n_none_after(localstripe):
    cohort = bf.cohort(capacity=5)
    bf.policy(course=cohort.course, partial_percent=40, partial_until_day=2)
    payment = paid(cohort=cohort)
    enrollment = Enrollment.objects.get(pk=payment.order.enrollment_id)
    start = cohort.starts_at
    assert refund_preview(enrollment=enrollment, now=start - timedelta(seconds=1)).amount_minor == 19900
    day1 = refund_preview(enrollment=enrollment, now=start + timedelta(hours=1))
    assert (day1.rule, day1.amount_minor) == ("partial", 7960)
    day2 = refund_preview(enrollment=enrollment, now=start + timedelta(days=1, hours=23))
    assert day2.amount_minor == 7960
    day3 = refund_preview(enrollment=enrollment, now=start + timedelta(days=2, hours=1))
    assert (day3.rule, day3.amount_minor) == ("none", 0)


def test_a_seat_with_no_payment_previews_and_withdraws_with_nothing_back(no_provider):
    """A learner given a seat without paying (an instructor's complimentary seat) has nothing to refund."""
    # given an active member of a dollar course with no order at all
    cohort = bf.cohort(course=bf.paid_course(currency="USD", price_minor=4900))
    learner = factories.learner()
    enrollment = factories.enrollment(cohort=cohort, learner=learner)

    # when they look at what withdrawing gives back, then withdraw
    preview = refund_preview(enrollment=enrollment)
    withdrawn, refund = enrollment_withdraw(learner=learner, enrollment_id=enrollment.pk)

    # then nothing, in the course's currency, and no provider call (none could succeed here)
    assert (preview.amount_minor, preview.currency, preview.rule, preview.percent) == (0, "USD", "none", 0)
    assert (withdrawn.status, refund) == (EnrollmentStatus.WITHDRAWN, None)
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("partial_percent", "partial_until_day"), [(50, 0), (0, 3)], ids=["no-partial-days", "no-partial-percent"]
)
def test_without_a_partial_window_nothing_comes_back_once_the_cohort_started(
    localstripe, partial_percent, partial_until_day
):
    # given a course whose policy refunds in full before the start and has no partial window
    cohort = bf.cohort(capacity=5)
    bf.policy(course=cohort.course, partial_percent=partial_percent, partial_until_day=partial_until_day)
    payment = paid(cohort=cohort)
    enrollment = Enrollment.objects.get(pk=payment.order.enrollment_id)
    start = cohort.starts_at

    # when the learner looks just before the start, and an hour and two days after it
    before = refund_preview(enrollment=enrollment, now=start - timedelta(seconds=1))
    after = [refund_preview(enrollment=enrollment, now=start + delta) for delta in (timedelta(hours=1), timedelta(2))]

    # then all of it before, nothing after
    assert (before.rule, before.amount_minor) == ("full", 19900)
    assert [(p.rule, p.amount_minor) for p in after] == [("none", 0), ("none", 0)]
    assert refund_window_end(cohort=cohort) == start


def test_a_withdrawal_from_an_open_cohort_offers_the_seat_to_the_waitlist(
    localstripe, django_capture_on_commit_callbacks
):
    # given a full open cohort and a learner waiting for a seat
    cohort = bf.cohort(capacity=1)
    payment = paid(cohort=cohort)
    waiting = checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    assert waiting.waitlisted

    # when the member withdraws before the start
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_withdraw(learner=payment.order.learner, enrollment_id=payment.order.enrollment_id)

    # then the first in line holds the freed seat as an offer
    offered = Enrollment.objects.get(pk=waiting.enrollment.pk)
    assert offered.status == EnrollmentStatus.PENDING_PAYMENT
    hold = SeatHold.objects.get(enrollment=offered)
    assert (hold.is_waitlist_offer, hold.status) == (True, SeatHoldStatus.HELD)


def test_withdraw_refunds_by_policy_through_the_provider(localstripe):
    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort)
    learner = payment.order.learner
    enrollment, refund = enrollment_withdraw(learner=learner, enrollment_id=payment.order.enrollment_id)
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert (refund.amount_minor, refund.reason) == (19900, RefundReason.WITHDRAWAL)
    assert refund.provider_refund_id.startswith("re_")
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.REFUNDED
    with pytest.raises(Conflict):
        enrollment_withdraw(learner=learner, enrollment_id=payment.order.enrollment_id)


def test_staff_refund_any_amount_up_to_the_capture(localstripe):
    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort)
    staff = factories.staff()
    with pytest.raises(Forbidden):
        staff_refund(actor=payment.order.learner, payment_id=payment.pk, amount_minor=100)
    staff_refund(actor=staff, payment_id=payment.pk, amount_minor=1234)
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PARTIALLY_REFUNDED
    with pytest.raises(Conflict) as exc:
        staff_refund(actor=staff, payment_id=payment.pk, amount_minor=19900 - 1234 + 1)
    assert exc.value.code == "refund_exceeds_capture"
    staff_refund(actor=staff, payment_id=payment.pk, amount_minor=19900 - 1234)
    payment.refresh_from_db()
    assert (payment.refunded_minor, payment.status) == (19900, OrderStatus.REFUNDED)
    with pytest.raises(Conflict):
        staff_refund(actor=staff, payment_id=payment.pk, amount_minor=1)


def test_cancelled_cohort_refunds_everyone_in_full_once(localstripe):
    cohort = bf.cohort(capacity=5)
    first, second = paid(cohort=cohort), paid(cohort=cohort)
    staff_refund(actor=factories.staff(), payment_id=second.pk, amount_minor=900)
    waiting = checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    with pytest.raises(Conflict):
        cohort_cancellation_refund(cohort_id=cohort.pk)
    type(cohort).objects.filter(pk=cohort.pk).update(status="cancelled")

    done = cohort_cancellation_refund(cohort_id=cohort.pk)
    assert done == {"refunded": 2, "amount_minor": 19900 + 19000, "holds_released": 1, "failed": 0, "expired": 0}
    assert cohort_cancellation_refund(cohort_id=cohort.pk) == {
        "refunded": 0,
        "amount_minor": 0,
        "holds_released": 0,
        "failed": 0,
        "expired": 0,
    }
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.refunded_minor == payment.captured_minor
    assert Order.objects.get(pk=waiting.order.pk).status == OrderStatus.CANCELLED
    assert Refund.objects.filter(reason=RefundReason.COHORT_CANCELLED).count() == 2


def test_refund_bound_is_also_a_database_constraint(localstripe):
    from django.db import IntegrityError, transaction

    payment = paid(cohort=bf.cohort(capacity=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(refunded_minor=payment.captured_minor + 1)


def test_refund_must_be_positive(localstripe):
    payment = paid(cohort=bf.cohort(capacity=5))
    from stagewise.errors import Invalid

    with pytest.raises(Invalid):
        refund_issue(payment_id=payment.pk, amount_minor=0, reason=RefundReason.STAFF)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_the_capture(localstripe):
    """20 threads each try to refund 3,000 of a 19,900 capture at once: exactly 6 succeed (18,000)."""
    payment = paid(cohort=bf.cohort(capacity=5))
    staff = factories.staff()

    def attempt():
        staff_refund(actor=staff, payment_id=payment.pk, amount_minor=3000)
        return "refunded"

    outcomes = [outcome(result) for result in run_at_once([attempt] * 20)]
    assert outcomes.count("refunded") == 6, outcomes
    assert outcomes.count("refund_exceeds_capture") == 14, outcomes
    payment.refresh_from_db()
    assert payment.refunded_minor == 18000
    assert sum(Refund.objects.filter(payment=payment).values_list("amount_minor", flat=True)) == 18000
    # what the provider holds agrees
    assert payment.status == OrderStatus.PARTIALLY_REFUNDED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_withdrawals_of_one_enrollment_at_once_refund_once(localstripe):
    """Two requests withdraw the same enrollment at the same moment, on day 1 (a 40 % partial refund, which two
    refunds would both fit under the capture): exactly one withdraws and refunds; the other changes nothing."""
    # given a paid member, on day 1 of the partial window
    cohort = bf.cohort(capacity=5)
    bf.policy(course=cohort.course, partial_percent=40, partial_until_day=2)
    payment = paid(cohort=cohort)
    learner, enrollment_id = payment.order.learner, payment.order.enrollment_id
    day_1 = cohort.starts_at + timedelta(hours=1)

    def attempt():
        _enrollment, refund = enrollment_withdraw(learner=learner, enrollment_id=enrollment_id, now=day_1)
        return refund.amount_minor

    # when both go at once
    outcomes = [outcome(result) for result in run_at_once([attempt, attempt])]

    # then one refund of 40 %, and the other is told the enrollment changed (or is no longer active)
    assert outcomes.count(7960) == 1, outcomes
    assert set(outcomes) - {7960} <= {"concurrent_change", "not_active"}, outcomes
    assert list(Refund.objects.filter(payment=payment).values_list("amount_minor", flat=True)) == [7960]
    payment.refresh_from_db()
    assert (payment.refunded_minor, payment.status) == (7960, OrderStatus.PARTIALLY_REFUNDED)
    assert Enrollment.objects.get(pk=enrollment_id).status == EnrollmentStatus.WITHDRAWN


def test_an_instructor_cancelling_an_open_cohort_refunds_everyone(localstripe, django_capture_on_commit_callbacks):
    """cohort_cancel → (on commit) cohort_cancelled → billing's task refunds in full. The task runs eagerly here:
    the broker path is covered by the Celery integration test."""
    from cohorts.services import cohort_cancel
    from stagewise.celery import app as celery_app

    cohort = bf.cohort(capacity=5)
    teacher = factories.instructor()
    cohort.course.instructors.add(teacher)
    payment = paid(cohort=cohort)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cohort_cancel(actor=teacher, cohort_id=cohort.pk)
    finally:
        celery_app.conf.task_always_eager = False
    payment.refresh_from_db()
    assert payment.refunded_minor == payment.captured_minor == 19900
    assert Refund.objects.filter(reason=RefundReason.COHORT_CANCELLED).count() == 1


def test_a_refund_mails_the_learner_in_their_language(localstripe, celery_eager, django_capture_on_commit_callbacks):
    from django.core import mail

    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort, learner=factories.learner(language="zh-hans"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_withdraw(learner=payment.order.learner, enrollment_id=payment.order.enrollment_id)
    [notice] = mail.outbox
    assert notice.to == [payment.order.learner.email]
    assert "¥199.00" in notice.subject and "¥199.00" in notice.body
    assert "退款" in notice.subject


def test_a_rolled_back_or_refused_refund_mails_nobody(localstripe, celery_eager, django_capture_on_commit_callbacks):
    from django.core import mail

    payment = paid(cohort=bf.cohort(capacity=5))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        refund_issue(payment_id=payment.pk, amount_minor=payment.captured_minor + 1, reason=RefundReason.STAFF)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        staff_refund(actor=factories.staff(), payment_id=payment.pk, amount_minor=500)
        staff_refund(actor=factories.staff(), payment_id=payment.pk, amount_minor=700)
    assert [m.to for m in mail.outbox] == [[payment.order.learner.email]] * 2  # one mail per refund


def test_a_cancelled_cohorts_refund_the_provider_refuses_is_owed_once_and_retried(localstripe, settings):
    """Issue 12, item 13: the cancellation job records a refused refund as due (staff see it) instead of giving up
    after its own retries; running the job again asks nothing twice."""
    # given a paid member of a cohort that is cancelled while the provider can't be reached
    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort)
    type(cohort).objects.filter(pk=cohort.pk).update(status="cancelled")
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"

    # when the job runs, twice
    first = cohort_cancellation_refund(cohort_id=cohort.pk)
    second = cohort_cancellation_refund(cohort_id=cohort.pk)

    # then one refund is due, once
    assert (first["failed"], first["refunded"]) == (1, 0)
    assert second["refunded"] == 0
    [due] = Refund.objects.filter(payment=payment)
    assert (due.status, due.amount_minor, due.reason) == ("due", 19900, RefundReason.COHORT_CANCELLED)

    # and when the provider is back, the retry returns the money once
    settings.STRIPE_API_BASE = alive
    assert refunds_retry_due(now=due.next_attempt_at)["refunded"] == 1
    assert refunds_retry_due(now=due.next_attempt_at + timedelta(days=1))["refunded"] == 0
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_minor) == (OrderStatus.REFUNDED, 19900)
    assert Refund.objects.filter(payment=payment).count() == 1


def test_cancelling_closes_payment_at_once_and_a_late_success_is_refunded(client, localstripe):
    """Issue 12, item 12: between the cancellation and its job, a pending learner could still pay and become an
    active member of the cancelled cohort. Now the app starts no payment, and a success the provider reports anyway
    (the learner's browser confirmed before the page knew) is refunded in full."""
    from cohorts.services import cohort_cancel
    from tests.billing.conftest import event, payment_intent, post_event

    # given a learner with a started payment in an open cohort
    cohort = bf.cohort(capacity=5)
    teacher = factories.instructor()
    cohort.course.instructors.add(teacher)
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk)
    payment = payment_start(order_id=result.order.pk)

    # when the instructor cancels the cohort (its refund job has not run yet)
    cohort_cancel(actor=teacher, cohort_id=cohort.pk)

    # then the app takes no payment for it
    with pytest.raises(Conflict) as refused:
        payment_confirm_test_card(learner=learner, order_id=result.order.pk, card_number="4242424242424242")
    assert refused.value.code == "cohort_cancelled"

    # and when the provider reports a success for it all the same
    get_gateway().test_card_confirm(payment.provider_payment_id, card_number="4242424242424242")
    body = event("payment_intent.succeeded", payment_intent(payment.provider_payment_id, amount=19900))
    assert post_event(client, body).status_code == 200

    # then the money goes back in full and the learner is not a member
    payment.refresh_from_db()
    assert (payment.captured_minor, payment.refunded_minor, payment.status) == (19900, 19900, OrderStatus.REFUNDED)
    assert Refund.objects.get(payment=payment).reason == RefundReason.SEAT_UNAVAILABLE
    assert Enrollment.objects.get(pk=result.enrollment.pk).status == EnrollmentStatus.EXPIRED
    assert Order.objects.get(pk=result.order.pk).status == OrderStatus.CANCELLED


def test_a_cancelled_cohorts_refunded_learners_leave_and_nobody_is_left_waiting(
    localstripe, django_capture_on_commit_callbacks
):
    """Issue 12, item 12: refunded learners of a cancelled cohort used to stay active (its feed, its lessons, its
    certificate); the waitlisted stayed in line for a cohort that won't run."""
    from cohorts.services import cohort_cancel
    from stagewise.celery import app as celery_app

    # given a full cohort: a paid member, a learner paying, and one on the waitlist
    cohort = bf.cohort(capacity=2)
    teacher = factories.instructor()
    cohort.course.instructors.add(teacher)
    member = paid(cohort=cohort)
    paying = checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    waiting = checkout_start(learner=factories.learner(), cohort_id=cohort.pk)
    assert waiting.waitlisted

    # when the instructor cancels it and billing's job runs
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cohort_cancel(actor=teacher, cohort_id=cohort.pk)
    finally:
        celery_app.conf.task_always_eager = False

    # then the member is refunded in full and has left; nobody is paying or waiting any more
    member.refresh_from_db()
    assert (member.status, member.refunded_minor) == (OrderStatus.REFUNDED, 19900)
    statuses = {
        "member": Enrollment.objects.get(pk=member.order.enrollment_id).status,
        "paying": Enrollment.objects.get(pk=paying.enrollment.pk).status,
        "waiting": Enrollment.objects.get(pk=waiting.enrollment.pk).status,
    }
    assert statuses == {"member": "withdrawn", "paying": "expired", "waiting": "expired"}
    assert Order.objects.get(pk=paying.order.pk).status == OrderStatus.CANCELLED


def test_staff_see_a_due_refund_in_the_admin_and_retry_it_now(client, localstripe, settings):
    """Issue 12, item 13: the admin lists refunds due with the provider's answer, and "retry now" sends one."""
    # given a refund owed on a cancelled cohort's payment, refused while the provider was unreachable
    cohort = bf.cohort(capacity=5)
    payment = paid(cohort=cohort)
    type(cohort).objects.filter(pk=cohort.pk).update(status="cancelled")
    alive, settings.STRIPE_API_BASE = settings.STRIPE_API_BASE, "http://127.0.0.1:9"
    cohort_cancellation_refund(cohort_id=cohort.pk)
    due = Refund.objects.get(payment=payment)
    client.force_login(factories.staff(is_superuser=True))

    # when staff list the refunds due
    listing = client.get("/admin/billing/refund/?status__exact=due").content.decode()

    # then the refund is there with the provider's answer
    assert f"/admin/billing/refund/{due.pk}/" in listing and due.last_error[:20] in listing

    # and when they retry it now, with the provider back, it goes through before its backoff is over
    settings.STRIPE_API_BASE = alive
    client.post("/admin/billing/refund/", {"action": "retry_due_refunds", "_selected_action": [due.pk]})
    due.refresh_from_db()
    payment.refresh_from_db()
    assert (due.status, payment.refunded_minor) == ("succeeded", 19900)
