"""Pricing, coupons, credits and referrals, against the real database. No provider: a zero total never calls it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Coupon, CouponRedemption, CreditEntry, Order, Payment, Referral
from billing.pricing import credit_balance, order_quote
from billing.services.checkout import checkout_start
from billing.services.credits import credit_grant, referral_code_get_or_create, referral_credits_grant_due
from billing.services.holds import order_cancel
from billing.statuses import LineKind, OrderStatus, ReferralStatus
from cohorts.statuses import EnrollmentStatus
from stagewise.errors import Conflict, Invalid
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db


def test_list_price_only():
    course = bf.paid_course(price_minor=19900)
    quote = order_quote(learner=factories.learner(), course=course)
    assert [(line.kind, line.amount_minor) for line in quote.lines] == [(LineKind.LIST_PRICE, 19900)]
    assert quote.total_minor == 19900


def test_all_lines_in_order_and_total_never_below_zero():
    course = bf.paid_course(price_minor=10000)
    learner = factories.learner()
    referrer = factories.learner()
    code = referral_code_get_or_create(learner=referrer)
    bf.coupon(code="HALF", kind="percent", value=50)
    credit_grant(learner=learner, amount_minor=50000, currency="CNY")
    quote = order_quote(learner=learner, course=course, coupon_code="half", referral_code=code.code)
    kinds = [line.kind for line in quote.lines]
    assert kinds == [LineKind.LIST_PRICE, LineKind.UPGRADE_CREDIT, LineKind.COUPON, LineKind.REFERRAL]
    assert quote.line(LineKind.COUPON) == -5000
    assert quote.line(LineKind.REFERRAL) == -1000  # 10 % of the list price
    assert quote.line(LineKind.UPGRADE_CREDIT) == -4000  # only what is left: credit is not wasted
    assert quote.total_minor == 0


def test_fixed_coupon_larger_than_price_stops_at_zero():
    course = bf.paid_course(price_minor=3000)
    bf.coupon(code="BIG", kind="fixed", value=5000, currency="CNY")
    quote = order_quote(learner=factories.learner(), course=course, coupon_code="BIG")
    assert quote.total_minor == 0
    assert quote.line(LineKind.COUPON) == -3000


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"expires_at": -timedelta(minutes=1)}, "coupon_expired"),
        ({"valid_from": timedelta(days=1)}, "coupon_expired"),
        ({"stages": [2, 3]}, "coupon_not_applicable"),
        ({"min_amount_minor": 50000}, "coupon_below_minimum"),
        ({"kind": "fixed", "value": 100, "currency": "USD"}, "coupon_not_applicable"),
        ({"is_active": False}, "coupon_not_found"),
    ],
)
def test_coupon_rules(fields, code):
    # An instant is given as its distance from now: parameters are built at collection, before the test's clock starts.
    now = timezone.now()
    fields = {name: now + value if isinstance(value, timedelta) else value for name, value in fields.items()}
    course = bf.paid_course(price_minor=19900)
    bf.coupon(code="RULE", **fields)
    with pytest.raises(Invalid) as exc:
        order_quote(learner=factories.learner(), course=course, coupon_code="RULE")
    assert exc.value.code == code


@pytest.mark.parametrize("started", [timedelta(days=30), timedelta(seconds=1), timedelta(0)], ids=str)
def test_a_coupon_whose_start_has_passed_is_accepted(started):
    # given a coupon that started a while ago, a moment ago, or right now
    now = timezone.now()
    course = bf.paid_course(price_minor=10000)
    bf.coupon(code="STARTED", value=20, valid_from=now - started, expires_at=now + timedelta(days=1))

    # when a learner prices an order with it
    quote = order_quote(learner=factories.learner(), course=course, coupon_code="STARTED", now=now)

    # then it applies
    assert quote.line(LineKind.COUPON) == -2000
    assert quote.total_minor == 8000


def test_a_personal_offer_code_works_only_for_its_learner():
    course = bf.paid_course()
    owner, stranger = factories.learner(), factories.learner()
    bf.coupon(code="MAYA-7Q2K", learner=owner)
    assert order_quote(learner=owner, course=course, coupon_code="maya-7q2k").line(LineKind.COUPON) < 0
    with pytest.raises(Invalid) as exc:
        order_quote(learner=stranger, course=course, coupon_code="MAYA-7Q2K")
    assert exc.value.code == "coupon_not_found"  # as if it did not exist: personal codes can't be probed


def test_coupon_restricted_to_courses():
    allowed = bf.paid_course()
    other = bf.paid_course()
    bf.coupon(code="ONLY", courses=[allowed])
    learner = factories.learner()
    assert order_quote(learner=learner, course=allowed, coupon_code="ONLY").line(LineKind.COUPON) < 0
    with pytest.raises(Invalid) as exc:
        order_quote(learner=learner, course=other, coupon_code="ONLY")
    assert exc.value.code == "coupon_not_applicable"


def test_coupon_once_per_learner_and_total_limit():
    course = bf.paid_course(price_minor=10000)
    bf.coupon(code="TWO", max_redemptions=2)
    first, second, third = factories.learner(), factories.learner(), factories.learner()
    cohort_a = bf.cohort(course=course)
    cohort_b = bf.cohort(course=course)
    checkout_start(learner=first, cohort_id=cohort_a.pk, coupon_code="TWO")
    with pytest.raises(Invalid) as exc:
        checkout_start(learner=first, cohort_id=cohort_b.pk, coupon_code="TWO")
    assert exc.value.code == "coupon_already_used"
    checkout_start(learner=second, cohort_id=cohort_a.pk, coupon_code="TWO")
    with pytest.raises(Invalid) as exc:
        checkout_start(learner=third, cohort_id=cohort_a.pk, coupon_code="TWO")
    assert exc.value.code == "coupon_exhausted"
    assert CouponRedemption.objects.count() == 2


def test_cancelled_order_gives_back_coupon_and_credit(no_provider):
    course = bf.paid_course(price_minor=10000)
    cohort = bf.cohort(course=course)
    learner = factories.learner()
    bf.coupon(code="BACK", value=10)
    credit_grant(learner=learner, amount_minor=2000, currency="CNY")
    result = checkout_start(learner=learner, cohort_id=cohort.pk, coupon_code="BACK")
    assert result.order.total_minor == 10000 - 1000 - 2000
    assert credit_balance(learner=learner, currency="CNY") == 0
    order_cancel(learner=learner, order_id=result.order.pk)
    assert Order.objects.get(pk=result.order.pk).status == OrderStatus.CANCELLED
    assert credit_balance(learner=learner, currency="CNY") == 2000
    assert not CouponRedemption.objects.exists()
    assert list(CreditEntry.objects.filter(learner=learner).values_list("kind", flat=True).order_by("id")) == [
        "grant",
        "spend",
        "reversal",
    ]


def test_zero_total_completes_without_the_provider(no_provider):
    """``no_provider`` points the gateway at a closed port: any provider call would raise."""
    course = bf.paid_course(price_minor=5000)
    cohort = bf.cohort(course=course)
    learner = factories.learner()
    bf.coupon(code="FREE", kind="percent", value=100)
    result = checkout_start(learner=learner, cohort_id=cohort.pk, coupon_code="FREE")
    result.enrollment.refresh_from_db()
    assert result.order.status == OrderStatus.PAID
    assert result.enrollment.status == EnrollmentStatus.ACTIVE
    payment = Payment.objects.get(order=result.order)
    assert (payment.provider, payment.provider_payment_id, payment.amount_minor) == ("free", None, 0)


def test_jpy_zero_decimal_prices():
    course = bf.paid_course(price_minor=15000, currency="JPY")
    bf.coupon(code="JPY10", kind="percent", value=10)
    bf.coupon(code="JPY500", kind="fixed", value=500, currency="JPY")
    learner = factories.learner()
    assert order_quote(learner=learner, course=course, coupon_code="JPY10").total_minor == 13500
    assert order_quote(learner=learner, course=course, coupon_code="JPY500").total_minor == 14500


def test_percent_rounds_half_up_in_minor_units():
    course = bf.paid_course(price_minor=999)
    bf.coupon(code="P15", value=15)
    quote = order_quote(learner=factories.learner(), course=course, coupon_code="P15")
    assert quote.line(LineKind.COUPON) == -150  # 149.85 → 150
    assert quote.total_minor == 849


@pytest.mark.parametrize(
    ("price_minor", "percent", "off"),
    [
        (9949, 1, 99),  # 99.49 → 99: below the half, down
        (9950, 1, 100),  # 99.50 → 100: the half, up
        (14949, 1, 149),
        (14950, 1, 150),
        (1, 50, 1),  # 0.50 → 1
        (1, 49, 0),  # 0.49 → 0
    ],
)
def test_percent_rounds_half_up_exactly_at_the_half(price_minor, percent, off):
    course = bf.paid_course(price_minor=price_minor)
    bf.coupon(code="PCT", value=percent)
    quote = order_quote(learner=factories.learner(), course=course, coupon_code="PCT")
    assert quote.line(LineKind.COUPON) == -off
    assert quote.total_minor == price_minor - off


@pytest.mark.parametrize(("price_minor", "off"), [(1049, 105), (1045, 105), (1044, 104)])
def test_the_referral_discount_rounds_half_up_too(settings, price_minor, off):
    # 10 % of 1049 is 104.9, of 1045 exactly 104.5 (up), of 1044 104.4 (down)
    settings.BILLING_REFERRAL_DISCOUNT_PERCENT = 10
    code = referral_code_get_or_create(learner=factories.learner())
    quote = order_quote(
        learner=factories.learner(), course=bf.paid_course(price_minor=price_minor), referral_code=code.code
    )
    assert quote.line(LineKind.REFERRAL) == -off


def test_without_credit_nothing_of_the_balance_is_added_or_spent():
    # given a learner with credit
    course = bf.paid_course(price_minor=10000)
    learner = factories.learner()
    credit_grant(learner=learner, amount_minor=3000, currency="CNY")

    # when they price and check out without using it (even with the balance handed in)
    read_here = order_quote(learner=learner, course=course, use_credit=False)
    handed_in = order_quote(learner=learner, course=course, use_credit=False, credit_minor=3000)
    result = checkout_start(learner=learner, cohort_id=bf.cohort(course=course).pk, use_credit=False)

    # then no credit line, the full price, and the balance untouched
    for quote in (read_here, handed_in):
        assert [line.kind for line in quote.lines] == [LineKind.LIST_PRICE]
        assert quote.total_minor == 10000
    assert result.order is not None
    assert result.order.total_minor == 10000
    assert list(result.order.lines.values_list("kind", flat=True)) == [LineKind.LIST_PRICE]
    assert credit_balance(learner=learner, currency="CNY") == 3000
    # and with it, the same learner's quote does use it
    assert order_quote(learner=learner, course=course).line(LineKind.UPGRADE_CREDIT) == -3000


def test_a_quote_refuses_a_used_up_coupon_as_checkout_does():
    # given a one-use coupon someone has used
    course = bf.paid_course(price_minor=10000)
    bf.coupon(code="ONCE", max_redemptions=1)
    checkout_start(learner=factories.learner(), cohort_id=bf.cohort(course=course).pk, coupon_code="ONCE")
    learner = factories.learner()

    # when another learner prices an order with it, then checks out with it
    with pytest.raises(Invalid) as quoted:
        order_quote(learner=learner, course=course, coupon_code="ONCE")
    with pytest.raises(Invalid) as checked_out:
        checkout_start(learner=learner, cohort_id=bf.cohort(course=course).pk, coupon_code="ONCE")

    # then both refuse it the same way
    assert quoted.value.code == checked_out.value.code == "coupon_exhausted"
    assert CouponRedemption.objects.count() == 1


def test_no_self_referral():
    learner = factories.learner()
    code = referral_code_get_or_create(learner=learner)
    with pytest.raises(Invalid) as exc:
        order_quote(learner=learner, course=bf.paid_course(), referral_code=code.code)
    assert exc.value.code == "referral_self"


def test_referral_only_on_first_order(no_provider):
    referrer, friend = factories.learner(), factories.learner()
    code = referral_code_get_or_create(learner=referrer)
    course = bf.paid_course(price_minor=0)
    checkout_start(learner=friend, cohort_id=bf.cohort(course=course).pk)  # free: a paid-in-full first order
    with pytest.raises(Invalid) as exc:
        order_quote(learner=friend, course=bf.paid_course(), referral_code=code.code)
    assert exc.value.code == "referral_not_first_order"


def test_referrer_credit_only_after_payment_cleared_and_refund_window(no_provider):
    referrer, friend = factories.learner(), factories.learner()
    code = referral_code_get_or_create(learner=referrer)
    course = bf.paid_course(price_minor=10000)
    bf.coupon(code="ALL", kind="percent", value=100)  # lets the order clear without a provider
    cohort = bf.cohort(course=course)
    result = checkout_start(learner=friend, cohort_id=cohort.pk, referral_code=code.code, coupon_code="ALL")
    referral = Referral.objects.get(friend=friend)
    assert referral.credit_due_at is not None
    assert referral.credit_due_at > cohort.starts_at  # full refund until day 1, partial until day 3 by default

    assert referral_credits_grant_due(now=referral.credit_due_at - timedelta(seconds=1)) == 0
    assert referral_credits_grant_due(now=referral.credit_due_at) == 1
    assert referral_credits_grant_due(now=referral.credit_due_at) == 0  # once
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CREDITED
    # 10 % of what the friend paid (0 here), so nothing is credited but the referral is settled.
    assert result.order.total_minor == 0


def test_referrer_credit_amount(no_provider):
    referrer, friend = factories.learner(), factories.learner()
    code = referral_code_get_or_create(learner=referrer)
    course = bf.paid_course(price_minor=10000)
    result = checkout_start(learner=friend, cohort_id=bf.cohort(course=course).pk, referral_code=code.code)
    assert result.order.total_minor == 9000
    # Pretend the payment cleared (the webhook path is tested in test_webhooks).
    Order.objects.filter(pk=result.order.pk).update(status=OrderStatus.PAID)
    Referral.objects.filter(friend=friend).update(credit_due_at=timezone.now() - timedelta(seconds=1))
    assert referral_credits_grant_due() == 1
    assert credit_balance(learner=referrer, currency="CNY") == 900


def test_prerequisite_previous_stage():
    track = factories.track()
    first = bf.paid_course(track=track, stage=1)
    second = factories.course(track=track, stage=2, prerequisite="previous_stage")
    learner = factories.learner()
    with pytest.raises(Conflict) as exc:
        checkout_start(learner=learner, cohort_id=bf.cohort(course=second).pk)
    assert exc.value.code == "prerequisite_missing"
    factories.enrollment(cohort=bf.cohort(course=first), learner=learner, status=EnrollmentStatus.COMPLETED)
    assert checkout_start(learner=learner, cohort_id=bf.cohort(course=second).pk).order is not None


def test_credit_balance_counts_live_grants_and_every_spend_in_its_currency(db):
    from billing.services.credits import credit_grant

    learner, other = factories.learner(), factories.learner()
    now = timezone.now()
    credit_grant(learner=learner, amount_minor=3000, currency="CNY")
    credit_grant(learner=learner, amount_minor=1000, currency="cny", expires_at=now + timedelta(days=1))
    credit_grant(learner=learner, amount_minor=5000, currency="CNY", expires_at=now - timedelta(seconds=1))
    credit_grant(learner=learner, amount_minor=700, currency="JPY")
    credit_grant(learner=other, amount_minor=9000, currency="CNY")
    CreditEntry.objects.create(learner=learner, amount_minor=-500, currency="CNY", kind="spend")
    assert credit_balance(learner=learner, currency="cny", now=now) == 3000 + 1000 - 500
    assert credit_balance(learner=learner, currency="JPY", now=now) == 700
    # a day later the second grant has lapsed too; a spend still counts, and the balance never goes below zero
    assert credit_balance(learner=learner, currency="CNY", now=now + timedelta(days=2)) == 3000 - 500
    CreditEntry.objects.create(learner=learner, amount_minor=-9999, currency="CNY", kind="spend")
    assert credit_balance(learner=learner, currency="CNY", now=now) == 0
    assert credit_balance(learner=factories.learner(), currency="CNY", now=now) == 0


@pytest.mark.parametrize("typed", ["summer10", "SUMMER10", " Summer10 "])
def test_a_coupon_saved_in_lower_case_is_redeemed_whatever_the_case_typed(no_provider, typed):
    """Issue 12, item 11: a coupon row in lower case (saved before codes were upper-cased, or outside the admin)
    used to be unreachable, since the learner's code was upper-cased and matched exactly."""
    # given a lower-case coupon
    cohort = bf.cohort(course=bf.paid_course(price_minor=10000))
    bf.coupon(code="summer10", value=10)

    # when a learner checks out with it, typed in any case
    result = checkout_start(learner=factories.learner(), cohort_id=cohort.pk, coupon_code=typed)

    # then it applies and is redeemed
    assert result.order.total_minor == 9000
    assert CouponRedemption.objects.filter(order=result.order).count() == 1


def test_the_admin_saves_a_coupon_upper_case_and_refuses_the_same_code_in_another_case(client):
    """Issue 12, item 11: staff may type a code in any case; it is one code."""
    # given an operator in the admin
    client.force_login(factories.staff(is_superuser=True))
    form = {
        "kind": "percent",
        "value": "15",
        "currency": "",
        "min_amount_minor": "0",
        "stages": "[]",
        "is_active": "on",
    }

    # when they add "spring15" in lower case
    response = client.post("/admin/billing/coupon/add/", {**form, "code": "spring15"})

    # then it is saved upper-case, and a learner finds it
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Coupon.objects.values_list("code", flat=True)) == ["SPRING15"]
    quote = order_quote(learner=factories.learner(), course=bf.paid_course(price_minor=10000), coupon_code="spring15")
    assert quote.total_minor == 8500

    # and the same code in another case is refused, not stored twice
    again = client.post("/admin/billing/coupon/add/", {**form, "code": "Spring15"})
    assert again.status_code == 200
    assert Coupon.objects.count() == 1
