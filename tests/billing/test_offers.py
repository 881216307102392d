"""Moving up a stage: when a cohort's outcomes are final, completers get credit toward the next stage and the others
toward this stage again; checkout takes the credit off by itself, and paying for the offered course uses the offer.

Payments go through localstripe and signed webhooks, as in production.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from billing.models import CreditEntry, UpgradeOffer
from billing.pricing import credit_balance
from billing.services.offers import offers_create_for_cohort, offers_open_for_learner
from cohorts.completion.services import cohort_close, cohort_outcomes_evaluate
from cohorts.models import CheckIn, Cohort, Enrollment
from cohorts.statuses import CohortStatus
from stagewise.models import MailLog
from tests import factories
from tests.billing.conftest import event, payment_intent, post_event

pytestmark = pytest.mark.django_db(transaction=True)


def _pay(api, client, cohort):
    """Checkout at localstripe, then the signed payment_intent.succeeded webhook: the enrollment is active."""
    body = api.post(f"/api/v1/cohorts/{cohort.pk}/checkout", {}, content_type="application/json").json()
    intent = payment_intent(body["payment"]["provider_payment_id"], amount=body["order"]["total_minor"])
    assert post_event(client, event("payment_intent.succeeded", intent)).status_code == 200
    return body["order"]


@pytest.fixture
def ladder(localstripe, api_client, client, celery_eager):
    """Stage 1 (7 days, 199.00 CNY; 20 % toward the next stage, 10 % to repeat, 30 days) with two paying learners,
    ended; stage 2 (399.00 CNY) with an open cohort."""
    teacher = factories.instructor()
    track = factories.track()
    stage1 = factories.course(teacher=teacher, track=track, stage=1, prerequisite="none", price_minor=19900)
    stage2 = factories.course(
        teacher=teacher, track=track, stage=2, stage_label="Bootcamp", prerequisite="previous_stage", price_minor=39900
    )
    first = factories.cohort(course=stage1)
    next_cohort = factories.cohort(course=stage2)
    people = {"done": factories.learner(name="张伟", language="zh-hans"), "not_done": factories.learner(name="José")}
    apis = {key: api_client(user) for key, user in people.items()}
    for key in people:
        _pay(apis[key], client, first)
    # The cohort ran and ended: "done" checked in every day, "not_done" twice.
    start = factories.local_today() - timedelta(days=10)
    Cohort.objects.filter(pk=first.pk).update(
        starts_on=start, ends_on=start + timedelta(days=6), status=CohortStatus.ENDED
    )
    for key, days in (("done", range(1, 8)), ("not_done", range(1, 3))):
        enrollment = Enrollment.objects.get(cohort=first, learner=people[key])
        for day in days:
            CheckIn.objects.create(
                enrollment=enrollment, day=day, local_date=start, text="x" * 30, created_at=timezone.now()
            )
    return {"first": first, "next": next_cohort, "stage1": stage1, "stage2": stage2, "people": people, "apis": apis}


def _close(ladder):
    first = ladder["first"]
    now = timezone.now()
    cohort_outcomes_evaluate(cohort_id=first.pk, now=now)
    first.refresh_from_db()
    mail.outbox.clear()
    cohort_close(cohort_id=first.pk, now=first.review_closes_at)  # commits: cohort_closed → offers


def test_completers_get_credit_toward_the_next_stage_and_the_others_toward_this_one(ladder):
    _close(ladder)
    done = UpgradeOffer.objects.get(learner=ladder["people"]["done"])
    assert (done.kind, done.course, done.amount_minor, done.currency, done.paid_minor) == (
        "upgrade",
        ladder["stage2"],
        3980,  # 20 % of 199.00
        "CNY",
        19900,
    )
    assert done.credit.kind == "upgrade" and done.credit.amount_minor == 3980
    assert done.expires_at - done.created_at == timedelta(days=30)
    again = UpgradeOffer.objects.get(learner=ladder["people"]["not_done"])
    assert (again.kind, again.course, again.amount_minor) == ("repeat", ladder["stage1"], 1990)

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "下一阶段" in subjects[ladder["people"]["done"].email]
    assert "again" in subjects[ladder["people"]["not_done"].email]

    assert offers_create_for_cohort(cohort_id=ladder["first"].pk) == 0  # once per enrollment
    assert CreditEntry.objects.filter(kind="upgrade").count() == 2


def test_checkout_takes_the_credit_off_and_paying_uses_the_offer(ladder, client):
    _close(ladder)
    api = ladder["apis"]["done"]
    order = _pay(api, client, ladder["next"])  # no application: stage 1 is completed
    assert order["total_minor"] == 39900 - 3980
    assert [line["kind"] for line in order["lines"]] == ["list_price", "upgrade_credit"]
    offer = UpgradeOffer.objects.get(learner=ladder["people"]["done"])
    assert offer.used_order_id == order["id"] and offer.used_at is not None


def test_an_expired_offer_gives_nothing_at_checkout(ladder):
    _close(ladder)
    learner = ladder["people"]["done"]
    assert credit_balance(learner=learner, currency="CNY") == 3980
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert credit_balance(learner=learner, currency="CNY") == 0
        assert offers_open_for_learner(learner_id=learner.pk) == []


def test_the_learner_sees_their_offer_with_the_open_cohorts(ladder, client):
    _close(ladder)
    client.force_login(ladder["people"]["done"])
    page = client.get("/offers/").content.decode()
    assert 'data-testid="offer"' in page and "39.80" in page
    assert f"/cohorts/{ladder['next'].pk}/enroll/" in page
    assert "359.20" in page  # the next stage's price with the credit taken off
    cohort_page = client.get(f"/cohorts/{ladder['first'].pk}/").content.decode()
    assert 'data-testid="offer-link"' in cohort_page
    # the orders page, where money matters are, points to the offers
    assert 'href="/offers/"' in client.get("/orders/").content.decode()

    client.force_login(factories.learner())
    assert "No open offers" in client.get("/offers/").content.decode()
    assert 'data-testid="offers-note"' not in client.get("/orders/").content.decode()


def test_a_deposit_refund_does_not_shrink_the_offer_but_money_taken_back_does(ladder):
    """The deposit refund and the offers run as two tasks after the close, in either order: the offer is a share of
    the price paid, so a deposit refund (a reward) leaves it alone; a staff refund lowers it."""
    from billing.models import Payment, Refund
    from billing.services.offers import paid_for_enrollment

    enrollment = Enrollment.objects.get(cohort=ladder["first"], learner=ladder["people"]["done"])
    payment = Payment.objects.get(order__enrollment=enrollment)
    Refund.objects.create(payment=payment, amount_minor=9950, currency="CNY", status="succeeded", reason="deposit")
    assert paid_for_enrollment(enrollment_id=enrollment.pk) == 19900
    Refund.objects.create(payment=payment, amount_minor=1000, currency="CNY", status="succeeded", reason="staff")
    assert paid_for_enrollment(enrollment_id=enrollment.pk) == 18900


def test_the_offer_mail_asks_for_consent_but_the_offer_stands(ladder):
    """Unsubscribed from upgrade offers: the offer (and its credit) is still made, only its mail stays home. The mail
    that goes carries a one-click unsubscribe (List-Unsubscribe) and the same link in its footer."""
    from accounts.consent import consent_set
    from accounts.models import MailTopic

    done, not_done = ladder["people"]["done"], ladder["people"]["not_done"]
    consent_set(user=not_done, topic=MailTopic.UPGRADE_OFFERS, subscribed=False, source="profile")
    consent_set(user=done, topic=MailTopic.REMINDERS, subscribed=False, source="profile")  # another topic
    _close(ladder)
    assert UpgradeOffer.objects.filter(learner=not_done).exists()
    assert list(MailLog.objects.filter(kind="offer").values_list("to", flat=True)) == [done.email]
    (message,) = [m for m in mail.outbox if "下一阶段" in m.subject]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url in message.body and url in message.alternatives[0][0]
    assert "/unsubscribe/" in url


def test_unsubscribed_from_everything_gets_no_offer_mail(ladder):
    from accounts.consent import consent_set

    for learner in ladder["people"].values():
        consent_set(user=learner, topic="all", subscribed=False, source="one_click")
    _close(ladder)
    assert UpgradeOffer.objects.count() == 2
    assert not MailLog.objects.filter(kind="offer").exists()
    # mail about their own learning still goes
    assert {m.to[0] for m in mail.outbox} == {learner.email for learner in ladder["people"].values()}
