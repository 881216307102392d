"""Reads of coupons for the marketer's workspace: each coupon's status, redemptions against its limit, the discount
given per currency, the campaign behind a personal offer code; a coupon's redemptions (never payment card details)
and their CSV.

Status, from the first rule that holds: inactive (switched off), expired, used up (redemptions reached the limit),
scheduled (starts later), active. Redemptions are ``CouponRedemption`` rows, the ones checkout counts against the
limit: a pending order holds its redemption until it is cancelled or fails.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alumni.models import Campaign, Delivery
from alumni.permissions import marketer_check
from billing.models import Coupon, CouponRedemption
from stagewise.errors import NotFound
from stagewise.money import minor_unit_exponent
from stagewise.spreadsheets import csv_cell


class CouponStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("coupon", "Active")  # may be used now
    SCHEDULED = "scheduled", pgettext_lazy("coupon", "Scheduled")  # starts later
    EXPIRED = "expired", pgettext_lazy("coupon", "Expired")  # its expiry has passed
    USED_UP = "used_up", pgettext_lazy("coupon", "Used up")  # redemptions reached the limit
    INACTIVE = "inactive", pgettext_lazy("coupon", "Inactive")  # switched off by a marketer or staff


@dataclass(frozen=True)
class Total:
    currency: str
    amount_minor: int


@dataclass
class CouponRow:
    """A coupon as the list shows it."""

    coupon: Coupon
    status: str
    redemptions: int
    discount_totals: list[Total] = field(default_factory=list)
    campaign: Campaign | None = None

    @property
    def status_label(self) -> str:
        return str(CouponStatus(self.status).label)


def _used_up_q() -> Q:
    return Q(max_redemptions__isnull=False, redemptions_count__gte=F("max_redemptions"))


def status_q(status: str, now: datetime) -> Q:
    """The coupons (annotated with ``redemptions_count``) whose status is ``status`` at ``now``."""
    inactive = Q(is_active=False)
    expired = Q(expires_at__isnull=False, expires_at__lte=now)
    scheduled = Q(valid_from__isnull=False, valid_from__gt=now)
    if status == CouponStatus.INACTIVE:
        return inactive
    if status == CouponStatus.EXPIRED:
        return ~inactive & expired
    if status == CouponStatus.USED_UP:
        return ~inactive & ~expired & _used_up_q()
    if status == CouponStatus.SCHEDULED:
        return ~inactive & ~expired & ~_used_up_q() & scheduled
    return ~inactive & ~expired & ~_used_up_q() & ~scheduled


def coupon_status(coupon: Coupon, *, redemptions: int, now: datetime) -> str:
    if not coupon.is_active:
        return CouponStatus.INACTIVE
    if coupon.expires_at is not None and coupon.expires_at <= now:
        return CouponStatus.EXPIRED
    if coupon.max_redemptions is not None and redemptions >= coupon.max_redemptions:
        return CouponStatus.USED_UP
    if coupon.valid_from is not None and coupon.valid_from > now:
        return CouponStatus.SCHEDULED
    return CouponStatus.ACTIVE


def coupons_counted() -> QuerySet[Coupon]:
    return Coupon.objects.annotate(redemptions_count=Count("redemptions"))


def coupon_list(
    *, user: Any, now: datetime, personal: bool = False, status: str = "", search: str = ""
) -> QuerySet[Coupon]:
    """Marketers and staff: coupons (``personal``: the personal offer codes campaigns made, one learner each),
    newest first, optionally of one status or with ``search`` in the code (or, for personal codes, the learner's
    name or email)."""
    marketer_check(user)
    coupons = (
        coupons_counted()
        .filter(learner__isnull=not personal)
        .select_related("learner")
        .prefetch_related("courses")
        .order_by("-created_at", "-id")
    )
    if status in CouponStatus.values:
        coupons = coupons.filter(status_q(status, now))
    search = search.strip()[:100]
    if search:
        match = Q(code__icontains=search)
        if personal:
            match |= Q(learner__email__icontains=search) | Q(learner__display_name__icontains=search)
        coupons = coupons.filter(match)
    return coupons


def coupon_rows(coupons: Sequence[Coupon], *, now: datetime) -> list[CouponRow]:
    """One row per coupon (annotated by ``coupons_counted``): its status, the discount it gave per currency and the
    campaign that made it (a personal offer code). Two queries, whatever the number of coupons."""
    ids = [c.pk for c in coupons]
    totals: dict[int, list[Total]] = defaultdict(list)
    sums = (
        CouponRedemption.objects.filter(coupon_id__in=ids)
        .values("coupon_id", "order__currency")
        .annotate(total=Sum("amount_minor"))
        .order_by("coupon_id", "order__currency")
    )
    for row in sums:
        totals[row["coupon_id"]].append(Total(currency=row["order__currency"], amount_minor=row["total"] or 0))
    campaigns = campaigns_by_coupon(ids) if any(c.learner_id for c in coupons) else {}
    return [
        CouponRow(
            coupon=c,
            status=coupon_status(c, redemptions=c.redemptions_count, now=now),  # type: ignore[attr-defined]
            redemptions=c.redemptions_count,  # type: ignore[attr-defined]
            discount_totals=totals.get(c.pk, []),
            campaign=campaigns.get(c.pk),
        )
        for c in coupons
    ]


def campaigns_by_coupon(coupon_ids: Iterable[int]) -> dict[int, Campaign]:
    """The campaign whose delivery carried each personal offer code."""
    deliveries = Delivery.objects.filter(coupon_id__in=list(coupon_ids)).select_related("campaign").order_by("id")
    return {d.coupon_id: d.campaign for d in deliveries if d.coupon_id is not None}


def coupon_get(*, user: Any, coupon_id: int, now: datetime) -> CouponRow:
    """Marketers and staff: one coupon, personal or not, as a row."""
    marketer_check(user)
    coupon = coupons_counted().select_related("learner").prefetch_related("courses").filter(pk=coupon_id).first()
    if coupon is None:
        raise NotFound(_("No such coupon."), code="coupon_not_found")
    return coupon_rows([coupon], now=now)[0]


def coupon_redemptions(*, coupon_id: int) -> QuerySet[CouponRedemption]:
    """A coupon's redemptions, newest first, with the learner and the order (no payment rows: no card details)."""
    return (
        CouponRedemption.objects.filter(coupon_id=coupon_id)
        .select_related("learner", "order")
        .only(
            "id",
            "amount_minor",
            "created_at",
            "learner__id",
            "learner__display_name",
            "learner__email",
            "order__id",
            "order__currency",
            "order__total_minor",
            "order__status",
        )
        .order_by("-created_at", "-id")
    )


def active_coupon_count(*, now: datetime) -> int:
    """Coupons anyone may use now (not personal offer codes): the dashboard's figure."""
    return coupons_counted().filter(learner__isnull=True).filter(status_q(CouponStatus.ACTIVE, now)).count()


def redemptions_csv(*, coupon: Coupon, zone: Any) -> str:
    """Every redemption of ``coupon`` as CSV (UTF-8 with a byte-order mark, so spreadsheets read 张伟 right): times in
    ``zone`` (the reader's) with their offset, amounts in major units of the order's currency."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["redeemed_at", "learner", "email", "order_id", "order_status", "currency", "amount_off", "order_total"]
    )
    for r in coupon_redemptions(coupon_id=coupon.pk).iterator(chunk_size=500):
        exponent = minor_unit_exponent(r.order.currency)
        writer.writerow(
            [
                r.created_at.astimezone(zone).isoformat(timespec="seconds"),
                csv_cell(r.learner.display_name),
                csv_cell(r.learner.email),
                r.order_id,
                r.order.status,
                r.order.currency,
                Decimal(r.amount_minor).scaleb(-exponent),
                Decimal(r.order.total_minor).scaleb(-exponent),
            ]
        )
    return "\ufeff" + out.getvalue()
