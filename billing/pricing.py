"""Pricing: the app prices every order itself. list price − upgrade difference − credit − coupon − referral, never
below zero.

A mid-cohort upgrade first takes off what the learner paid for the seat they leave. Coupon and referral discounts are
computed on the list price (capped by what is left); the credit balance then covers what is left, so a learner never
spends credit that a discount would have saved.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from billing.models import Coupon, CouponRedemption, CreditEntry, Order, Referral, ReferralCode
from billing.statuses import KEPT_STATUSES, CouponKind, LineKind, OrderStatus, ReferralStatus
from content.models import Course
from stagewise.errors import Invalid

# Orders that end with no money kept: their referral doesn't use up the friend's first order.
GONE_STATUSES = (OrderStatus.CANCELLED, OrderStatus.FAILED, OrderStatus.REFUNDED)


@dataclass(frozen=True)
class PriceLine:
    kind: str
    description: str
    amount_minor: int  # positive for the list price, negative (or zero) for discounts


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[PriceLine, ...]
    total_minor: int
    coupon: Coupon | None = None
    referral_code: ReferralCode | None = None

    def line(self, kind: str) -> int:
        return sum(line.amount_minor for line in self.lines if line.kind == kind)


def credit_balance(*, learner: User, currency: str, now: datetime | None = None) -> int:
    """Spendable credit in ``currency``: unexpired grants minus spends (never below zero)."""
    now = now or timezone.now()
    total = (
        CreditEntry.objects.filter(learner_id=learner.pk, currency=currency.upper())
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now) | Q(amount_minor__lt=0))
        .aggregate(total=Sum("amount_minor"))["total"]
    )
    return max(total or 0, 0)


def coupon_check(*, code: str, learner: User, course: Course, now: datetime) -> Coupon:
    """The coupon for ``code`` if this learner may use it on this course now; Invalid with a stable code if not.

    The total-redemptions limit is checked again under the coupon's row lock when the order is created.
    """
    # Rows saved before codes were upper-cased (or outside the admin) may be in any case.
    coupon = Coupon.objects.filter(code__iexact=code.strip(), is_active=True).first()
    if coupon is None:
        raise Invalid(_("This coupon code does not exist."), code="coupon_not_found", extra={"field": "coupon"})
    if coupon.learner_id is not None and coupon.learner_id != learner.pk:
        # Someone else's personal offer code answers like a code that does not exist: codes can't be probed.
        raise Invalid(_("This coupon code does not exist."), code="coupon_not_found", extra={"field": "coupon"})
    if (coupon.valid_from and now < coupon.valid_from) or (coupon.expires_at and now >= coupon.expires_at):
        raise Invalid(_("This coupon has expired."), code="coupon_expired", extra={"field": "coupon"})
    course_ids = [c.pk for c in coupon.courses.all()]
    if (course_ids and course.pk not in course_ids) or (coupon.stages and course.stage not in coupon.stages):
        raise Invalid(
            _("This coupon does not apply to this course."), code="coupon_not_applicable", extra={"field": "coupon"}
        )
    if coupon.kind == CouponKind.FIXED and coupon.currency.upper() != course.currency.upper():
        raise Invalid(
            _("This coupon does not apply to this course."), code="coupon_not_applicable", extra={"field": "coupon"}
        )
    if coupon.min_amount_minor and coupon.currency and coupon.currency.upper() != course.currency.upper():
        # A minimum is an amount in the coupon's currency: a course priced in another one can't be compared to it.
        raise Invalid(
            _("This coupon does not apply to this course."), code="coupon_not_applicable", extra={"field": "coupon"}
        )
    if course.price_minor < coupon.min_amount_minor:
        raise Invalid(
            _("This order is below the coupon's minimum amount."),
            code="coupon_below_minimum",
            extra={"field": "coupon", "min_amount_minor": coupon.min_amount_minor},
        )
    if CouponRedemption.objects.filter(coupon=coupon, learner=learner).exists():
        raise Invalid(_("You have already used this coupon."), code="coupon_already_used", extra={"field": "coupon"})
    if coupon.max_redemptions is not None and coupon.redemptions.count() >= coupon.max_redemptions:
        raise Invalid(_("This coupon has been used up."), code="coupon_exhausted", extra={"field": "coupon"})
    return coupon


def is_first_order(*, learner: User) -> bool:
    """No order of the learner's kept money, and no referral of theirs is still open or credited. An order that was
    refunded in full (a cancelled cohort, a withdrawal before the start) or never paid doesn't count."""
    return not (
        Order.objects.filter(learner=learner, status__in=KEPT_STATUSES).exists()
        or Referral.objects.filter(friend=learner).exclude(spent_referral_q()).exists()
    )


def spent_referral_q() -> Q:
    """A friend's referral that no longer counts: void, or pending on an order that ended with no money kept."""
    return Q(status=ReferralStatus.VOID) | Q(status=ReferralStatus.PENDING, order__status__in=GONE_STATUSES)


def referral_check(*, code: str, learner: User) -> ReferralCode:
    """A referral code a friend may use: someone else's, on the friend's first order."""
    referral = ReferralCode.objects.select_related("learner").filter(code=code.strip().upper()).first()
    if referral is None:
        raise Invalid(_("This referral code does not exist."), code="referral_not_found", extra={"field": "referral"})
    if referral.learner_id == learner.pk:
        raise Invalid(_("You can't use your own referral code."), code="referral_self", extra={"field": "referral"})
    if not is_first_order(learner=learner):
        raise Invalid(
            _("Referral discounts are for a first order only."),
            code="referral_not_first_order",
            extra={"field": "referral"},
        )
    return referral


def _percent_of(amount: int, percent: int) -> int:
    """Percent of an amount in minor units, rounded half up (no floats)."""
    return (amount * percent + 50) // 100


def order_quote(
    *,
    learner: User,
    course: Course,
    coupon_code: str = "",
    referral_code: str = "",
    use_credit: bool = True,
    now: datetime | None = None,
    credit_minor: int | None = None,
    upgrade_from: Course | None = None,
    upgrade_paid_minor: int = 0,
) -> Quote:
    """Price an order for ``course`` without writing anything.

    ``credit_minor``: the learner's spendable credit when the caller has just read it (``credit_balance``), so it
    isn't read twice; None reads it here. ``upgrade_from``: a mid-cohort upgrade from that course, for which the
    learner paid ``upgrade_paid_minor`` net of refunds (``billing.services.upgrades.upgrade_check``): it is taken off
    the price first, in a line of its own, never below zero.
    """
    now = now or timezone.now()
    currency = course.currency.upper()
    list_price = course.price_minor
    remaining = list_price
    upgrade_off = min(max(upgrade_paid_minor, 0), remaining) if upgrade_from is not None else 0
    remaining -= upgrade_off
    coupon = coupon_check(code=coupon_code, learner=learner, course=course, now=now) if coupon_code.strip() else None
    referral = referral_check(code=referral_code, learner=learner) if referral_code.strip() else None

    coupon_off = 0
    if coupon is not None:
        raw = _percent_of(list_price, coupon.value) if coupon.kind == CouponKind.PERCENT else coupon.value
        coupon_off = min(raw, remaining)
        remaining -= coupon_off
    referral_off = 0
    if referral is not None:
        referral_off = min(_percent_of(list_price, settings.BILLING_REFERRAL_DISCOUNT_PERCENT), remaining)
        remaining -= referral_off
    if use_credit and credit_minor is None:
        credit_minor = credit_balance(learner=learner, currency=currency, now=now)
    credit_off = min(credit_minor or 0, remaining) if use_credit else 0
    remaining -= credit_off

    lines = [PriceLine(LineKind.LIST_PRICE, course.title, list_price)]
    if upgrade_from is not None:
        lines.append(
            PriceLine(
                LineKind.UPGRADE_DIFFERENCE,
                _("Already paid for %(course)s") % {"course": upgrade_from.title},
                -upgrade_off,
            )
        )
    if credit_off:
        lines.append(PriceLine(LineKind.UPGRADE_CREDIT, _("Credit"), -credit_off))
    if coupon is not None:
        lines.append(PriceLine(LineKind.COUPON, _("Coupon %(code)s") % {"code": coupon.code}, -coupon_off))
    if referral is not None:
        lines.append(PriceLine(LineKind.REFERRAL, _("Referral discount"), -referral_off))
    return Quote(currency=currency, lines=tuple(lines), total_minor=remaining, coupon=coupon, referral_code=referral)
