"""Coupons as marketers make and change them (billing.services.coupons), and a learner using one at checkout.
Real database, real checkout (no provider: a paid order waits for its payment without calling one)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from billing.models import Coupon, CouponRedemption
from billing.pricing import order_quote
from billing.services.checkout import checkout_start
from billing.services.coupons import coupon_create, coupon_deactivate, coupon_update
from billing.statuses import LineKind
from cohorts.models import AuditEvent
from stagewise.errors import Conflict, Forbidden, Invalid
from tests import factories
from tests.billing import factories as bf

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # a year's last half hour


def test_a_marketer_makes_a_coupon_a_learner_uses_at_checkout():
    # given a marketer's 20 % coupon for one course
    marketer = factories.marketer()
    cohort = bf.cohort(course=bf.paid_course(price_minor=19900))
    coupon = coupon_create(actor=marketer, code="spring-20", kind="percent", value=20, course_ids=[cohort.course_id])

    # when a learner types it in lower case at checkout
    learner = factories.learner()
    result = checkout_start(learner=learner, cohort_id=cohort.pk, coupon_code="Spring-20")

    # then the order is 20 % off and the use is recorded against the coupon
    assert coupon.code == "SPRING-20"
    assert result.order.total_minor == 15920
    redemption = CouponRedemption.objects.get(coupon=coupon)
    assert (redemption.learner, redemption.amount_minor) == (learner, 3980)


def test_a_fixed_coupon_in_the_course_currency_takes_its_amount_off():
    course = bf.paid_course(price_minor=19900, currency="CNY")
    coupon = coupon_create(actor=factories.marketer(), kind="fixed", value=5000, currency="cny")
    quote = order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code)
    assert quote.line(LineKind.COUPON) == -5000
    assert coupon.currency == "CNY"


def test_an_empty_code_gets_a_readable_generated_one():
    coupon = coupon_create(actor=factories.marketer(), kind="percent", value=10)
    assert len(coupon.code) == 9 and coupon.code[4] == "-"
    assert not set(coupon.code) & set("01OIL")


def test_codes_are_unique_whatever_their_case():
    marketer = factories.marketer()
    coupon_create(actor=marketer, code="WELCOME", kind="percent", value=10)
    with pytest.raises(Conflict) as exc:
        coupon_create(actor=marketer, code="  welcome ", kind="percent", value=15)
    assert exc.value.code == "coupon_code_taken"
    assert "WELCOME" in str(exc.value.message)
    assert Coupon.objects.count() == 1


def test_a_lower_case_row_from_before_still_blocks_its_code():
    bf.coupon(code="legacy")  # saved outside the service, in lower case
    with pytest.raises(Conflict):
        coupon_create(actor=factories.marketer(), code="LEGACY", kind="percent", value=10)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kind": "percent", "value": 101}, "invalid_percent", "value"),
        ({"kind": "percent", "value": 0}, "invalid_percent", "value"),
        ({"kind": "fixed", "value": 500}, "invalid_currency", "currency"),
        ({"kind": "fixed", "value": 500, "currency": "XYZ"}, "invalid_currency", "currency"),
        ({"kind": "fixed", "value": 0, "currency": "CNY"}, "invalid_amount", "value"),
        ({"kind": "percent", "value": 10, "min_amount_minor": 10000}, "currency_required", "currency"),
        ({"kind": "percent", "value": 10, "max_redemptions": 0}, "invalid_limit", "max_redemptions"),
        ({"kind": "percent", "value": 10, "code": "no spaces"}, "invalid_coupon_code", "code"),
        ({"kind": "percent", "value": 10, "code": "优惠"}, "invalid_coupon_code", "code"),
        ({"kind": "percent", "value": 10, "course_ids": [987654]}, "course_not_found", "course_ids"),
        ({"kind": "percent", "value": 10, "stages": [0]}, "invalid_stage", "stages"),
        ({"kind": "bogus", "value": 10}, "invalid_coupon_kind", "kind"),
    ],
)
def test_input_a_person_can_fix_is_refused_naming_the_field(fields, code, field):
    with pytest.raises(Invalid) as exc:
        coupon_create(actor=factories.marketer(), **fields)
    assert (exc.value.code, exc.value.extra["field"]) == (code, field)
    assert not Coupon.objects.exists()


def test_a_fixed_coupon_in_another_currency_than_its_courses_is_refused():
    course = bf.paid_course(currency="CNY")
    with pytest.raises(Invalid) as exc:
        coupon_create(actor=factories.marketer(), kind="fixed", value=500, currency="USD", course_ids=[course.pk])
    assert exc.value.code == "coupon_currency_mismatch"
    assert "CNY" in str(exc.value.message)


def test_a_minimum_in_another_currency_does_not_apply():
    coupon = coupon_create(actor=factories.marketer(), kind="percent", value=10, currency="USD", min_amount_minor=100)
    with pytest.raises(Invalid) as exc:
        order_quote(learner=factories.learner(), course=bf.paid_course(currency="CNY"), coupon_code=coupon.code)
    assert exc.value.code == "coupon_not_applicable"


@pytest.mark.parametrize("make", [factories.learner, factories.instructor])
def test_learners_and_instructors_cannot_make_or_change_coupons(make):
    with pytest.raises(Forbidden):
        coupon_create(actor=make(), kind="percent", value=10)
    coupon = bf.coupon()
    with pytest.raises(Forbidden):
        coupon_update(actor=make(), coupon_id=coupon.pk, max_redemptions=1)
    with pytest.raises(Forbidden):
        coupon_deactivate(actor=make(), coupon_id=coupon.pk)


def test_a_coupon_works_between_its_start_and_its_expiry():
    with time_machine.travel(START, tick=False):
        now = timezone.now()
        coupon = coupon_create(
            actor=factories.marketer(),
            kind="percent",
            value=10,
            valid_from=now + timedelta(hours=1),
            expires_at=now + timedelta(days=2),
        )
    course = bf.paid_course()

    def code_at(instant: datetime) -> str:
        try:
            order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code, now=instant)
        except Invalid as exc:
            return exc.code
        return "ok"

    assert code_at(START + timedelta(minutes=59)) == "coupon_expired"  # not started: learners read it as not valid
    assert code_at(START + timedelta(hours=1)) == "ok"
    assert code_at(START + timedelta(days=2) - timedelta(seconds=1)) == "ok"
    assert code_at(START + timedelta(days=2)) == "coupon_expired"


def test_an_expiry_in_the_past_or_before_the_start_is_refused():
    marketer = factories.marketer()
    with time_machine.travel(START, tick=False):
        now = timezone.now()
        with pytest.raises(Invalid) as past:
            coupon_create(actor=marketer, kind="percent", value=10, expires_at=now - timedelta(minutes=1))
        with pytest.raises(Invalid) as before:
            coupon_create(
                actor=marketer,
                kind="percent",
                value=10,
                valid_from=now + timedelta(days=3),
                expires_at=now + timedelta(days=2),
            )
    assert past.value.code == "coupon_expiry_past"
    assert before.value.code == "coupon_expiry_before_start"


def test_the_limit_goes_up_and_down_but_never_below_the_uses_so_far():
    # given a coupon limited to 3 uses, used twice
    marketer = factories.marketer()
    coupon = coupon_create(actor=marketer, kind="percent", value=10, max_redemptions=3)
    for _ in range(2):
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code=coupon.code)

    # when the marketer lowers it to 1, then to 2, then removes it
    with pytest.raises(Invalid) as exc:
        coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=1)
    assert (exc.value.code, exc.value.extra["redemptions"]) == ("coupon_limit_below_redemptions", 2)
    assert "2" in str(exc.value.message)
    coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=2)

    # then a third learner finds it used up ...
    with pytest.raises(Invalid) as used_up:
        checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code=coupon.code)
    assert used_up.value.code == "coupon_exhausted"

    # ... until the limit is raised again
    coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=5)
    checkout_start(learner=factories.learner(), cohort_id=bf.cohort().pk, coupon_code=coupon.code)
    coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=None)
    coupon.refresh_from_db()
    assert coupon.max_redemptions is None


def test_expire_now_and_a_new_expiry():
    marketer = factories.marketer()
    course = bf.paid_course()
    coupon = coupon_create(actor=marketer, kind="percent", value=10)
    with time_machine.travel(START, tick=False):
        coupon_update(actor=marketer, coupon_id=coupon.pk, expire_now=True)
        coupon.refresh_from_db()
        assert coupon.expires_at == START
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        coupon_update(actor=marketer, coupon_id=coupon.pk, expire_now=True)  # expired already: it keeps its end
        coupon.refresh_from_db()
        assert coupon.expires_at == START
    with time_machine.travel(START, tick=False):
        with pytest.raises(Invalid) as exc:
            order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code)
        assert exc.value.code == "coupon_expired"

        # a new expiry in the future brings it back
        coupon_update(actor=marketer, coupon_id=coupon.pk, expires_at=START + timedelta(days=7))
        assert order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code).coupon == coupon

        with pytest.raises(Invalid):
            coupon_update(actor=marketer, coupon_id=coupon.pk, expires_at=START - timedelta(seconds=1))


def test_deactivate_and_reactivate():
    marketer = factories.marketer()
    course = bf.paid_course()
    coupon = coupon_create(actor=marketer, kind="percent", value=10)
    coupon_deactivate(actor=marketer, coupon_id=coupon.pk)
    with pytest.raises(Invalid) as exc:
        order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code)
    assert exc.value.code == "coupon_not_found"
    coupon_update(actor=marketer, coupon_id=coupon.pk, is_active=True)
    assert order_quote(learner=factories.learner(), course=course, coupon_code=coupon.code).coupon == coupon


def test_every_change_is_audited_with_who_and_the_values_before_and_after():
    marketer = factories.marketer()
    with time_machine.travel(START, tick=False):
        coupon = coupon_create(actor=marketer, code="AUDIT", kind="percent", value=10, max_redemptions=5)
        coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=8)
        coupon_update(actor=marketer, coupon_id=coupon.pk, max_redemptions=8)  # nothing changes: nothing recorded
        coupon_deactivate(actor=marketer, coupon_id=coupon.pk)
    events = list(AuditEvent.objects.filter(target_type="billing.coupon", target_id=coupon.pk).order_by("id"))
    assert [e.action for e in events] == ["coupon.created", "coupon.updated", "coupon.deactivated"]
    assert all(e.actor == marketer and e.created_at == START for e in events)
    assert events[0].details["code"] == "AUDIT"
    assert events[1].details == {"max_redemptions": [5, 8]}
    assert events[2].details == {"is_active": [True, False]}
