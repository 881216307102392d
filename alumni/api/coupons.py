"""Coupons and personal offer codes, managed by marketers and staff: create, limit, expire, switch off, read
redemptions. Writes go through ``billing.services.coupons`` (audited); reads through ``alumni.coupons.selectors``."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from alumni.coupons import selectors
from alumni.permissions import marketer_check
from alumni.wall_clock import local_to_utc
from billing.models import CouponRedemption
from billing.services import coupons as services
from stagewise.errors import Invalid
from stagewise.ids import BodyRowId, RowId
from stagewise.jinja2 import user_zone
from stagewise.pagination import Pagination
from stagewise.schemas import InSchema

router = Router(tags=["alumni"])

Stage = Annotated[int, Field(ge=1, le=services.MAX_STAGE)]
TIME_HELP = "ISO 8601. With an offset (…Z, …+08:00) as given; without one, a wall-clock time in your profile's zone."


class CouponIn(InSchema):
    code: str = Field("", max_length=40, description="Empty: a readable code is generated. Any case; stored upper.")
    kind: Literal["percent", "fixed"]
    value: int = Field(
        ..., ge=1, le=services.MAX_VALUE, strict=True, description="percent: 1–100; fixed: minor units of currency"
    )
    currency: str = Field("", max_length=3, description="Required for fixed, and for a minimum amount (ISO 4217)")
    valid_from: datetime | None = Field(None, description=f"Not before this instant. {TIME_HELP}")
    expires_at: datetime | None = Field(None, description=f"Not from this instant on. {TIME_HELP}")
    max_redemptions: int | None = Field(None, ge=1, le=services.MAX_VALUE, strict=True, description="Empty: no limit")
    min_amount_minor: int = Field(0, ge=0, le=services.MAX_VALUE, strict=True, description="Minor units of currency")
    course_ids: list[BodyRowId] = Field(default_factory=list, max_length=500, description="Empty: any course")
    stages: list[Stage] = Field(default_factory=list, max_length=50, description="Empty: any stage")


class CouponPatch(InSchema):
    """Each field is optional; a field left out (or null) stays as it is."""

    max_redemptions: int | None = Field(
        None, ge=1, le=services.MAX_VALUE, strict=True, description="Never below the redemptions so far"
    )
    unlimited: bool = Field(False, description="Remove the limit")
    expires_at: datetime | None = Field(None, description=f"A new expiry, in the future. {TIME_HELP}")
    never_expires: bool = Field(False, description="Remove the expiry")
    expire_now: bool = Field(False, description="End the coupon now")
    is_active: bool | None = Field(None, description="false: switch the coupon off; true: back on")


class TotalOut(Schema):
    currency: str
    amount_minor: int


class CouponLearnerOut(Schema):
    id: int
    display_name: str
    email: str


class CouponCampaignOut(Schema):
    id: int
    name: str


class CouponOut(Schema):
    id: int
    code: str
    kind: str
    value: int = Field(..., description="percent: 1–100; fixed: minor units of currency")
    currency: str
    valid_from: datetime | None
    expires_at: datetime | None
    max_redemptions: int | None
    min_amount_minor: int
    course_ids: list[int]
    stages: list[int]
    is_active: bool
    status: str = Field(..., description="active, scheduled, expired, used_up or inactive")
    redemptions: int = Field(..., description="Uses so far (a pending order holds its use until it is cancelled)")
    discount_totals: list[TotalOut] = Field(..., description="The discount given, per order currency")
    personal: bool = Field(..., description="A personal offer code: only `learner` may use it")
    learner: CouponLearnerOut | None
    campaign: CouponCampaignOut | None = Field(..., description="The campaign that sent this personal code")
    created_at: datetime


class CouponPageOut(Schema):
    items: list[CouponOut]
    count: int
    page: int
    page_size: int
    pages: int


class RedemptionOut(Schema):
    id: int
    learner_id: int
    learner_name: str
    learner_email: str
    order_id: int
    order_status: str
    currency: str
    amount_off_minor: int
    order_total_minor: int
    redeemed_at: datetime

    @staticmethod
    def resolve_learner_name(obj: CouponRedemption) -> str:
        return obj.learner.display_name

    @staticmethod
    def resolve_learner_email(obj: CouponRedemption) -> str:
        return obj.learner.email

    @staticmethod
    def resolve_order_status(obj: CouponRedemption) -> str:
        return obj.order.status

    @staticmethod
    def resolve_currency(obj: CouponRedemption) -> str:
        return obj.order.currency

    @staticmethod
    def resolve_amount_off_minor(obj: CouponRedemption) -> int:
        return obj.amount_minor

    @staticmethod
    def resolve_order_total_minor(obj: CouponRedemption) -> int:
        return obj.order.total_minor

    @staticmethod
    def resolve_redeemed_at(obj: CouponRedemption) -> datetime:
        return obj.created_at


class CouponFilters(Schema):
    status: Literal["active", "scheduled", "expired", "used_up", "inactive"] | None = None
    q: str = Field("", max_length=100, description="A part of the code (personal codes: also the learner's name/email)")
    personal: bool = Field(False, description="true: the personal offer codes campaigns made")


def _out(row: selectors.CouponRow) -> dict[str, Any]:
    c = row.coupon
    return {
        "id": c.pk,
        "code": c.code,
        "kind": c.kind,
        "value": c.value,
        "currency": c.currency,
        "valid_from": c.valid_from,
        "expires_at": c.expires_at,
        "max_redemptions": c.max_redemptions,
        "min_amount_minor": c.min_amount_minor,
        "course_ids": sorted(course.pk for course in c.courses.all()),
        "stages": c.stages,
        "is_active": c.is_active,
        "status": row.status,
        "redemptions": row.redemptions,
        "discount_totals": [{"currency": t.currency, "amount_minor": t.amount_minor} for t in row.discount_totals],
        "personal": c.learner_id is not None,
        "learner": c.learner,
        "campaign": row.campaign,
        "created_at": c.created_at,
    }


def _utc(request: AuthedRequest, value: datetime | None, field: str) -> datetime | None:
    return local_to_utc(value, zone=user_zone(request.auth), field=field) if value is not None else None


@router.get("/alumni/coupons", response=CouponPageOut, auth=auth_required)
def coupon_list(
    request: AuthedRequest,
    filters: Query[CouponFilters],
    pagination: Query[Pagination.Input],
) -> dict[str, Any]:
    """Marketers and staff: coupons, newest first, with their status, uses against the limit and the discount given;
    `personal=true` lists the personal offer codes campaigns made (with the learner and the campaign) instead."""
    now = timezone.now()
    coupons = selectors.coupon_list(
        user=request.auth, now=now, personal=filters.personal, status=filters.status or "", search=filters.q
    )
    page = Pagination().paginate_queryset(coupons, pagination, request)
    page["items"] = [_out(row) for row in selectors.coupon_rows(page["items"], now=now)]
    return page


@router.post("/alumni/coupons", response={201: CouponOut}, auth=auth_required)
def coupon_create(request: AuthedRequest, payload: CouponIn) -> Status[dict[str, Any]]:
    """Marketers and staff: a new coupon. 409 `coupon_code_taken` for a code that exists in any case; 422 with the
    field for a rule it breaks (a percentage above 100, an expiry in the past or before the start, a fixed amount
    without a currency, an unknown course)."""
    marketer_check(request.auth)
    coupon = services.coupon_create(
        actor=request.auth,
        code=payload.code,
        kind=payload.kind,
        value=payload.value,
        currency=payload.currency,
        valid_from=_utc(request, payload.valid_from, "valid_from"),
        expires_at=_utc(request, payload.expires_at, "expires_at"),
        max_redemptions=payload.max_redemptions,
        min_amount_minor=payload.min_amount_minor,
        course_ids=payload.course_ids,
        stages=payload.stages,
    )
    return Status(201, _out(selectors.coupon_get(user=request.auth, coupon_id=coupon.pk, now=timezone.now())))


@router.get("/alumni/coupons/{coupon_id}", response=CouponOut, auth=auth_required)
def coupon_detail(request: AuthedRequest, coupon_id: RowId) -> dict[str, Any]:
    """Marketers and staff: one coupon or personal offer code."""
    return _out(selectors.coupon_get(user=request.auth, coupon_id=coupon_id, now=timezone.now()))


@router.patch("/alumni/coupons/{coupon_id}", response=CouponOut, auth=auth_required)
def coupon_update(request: AuthedRequest, coupon_id: RowId, payload: CouponPatch) -> dict[str, Any]:
    """Marketers and staff: change the limit (422 `coupon_limit_below_redemptions` below the uses so far), the expiry
    (a future one, `never_expires`, or `expire_now`), or switch the coupon off and on. Audited."""
    marketer_check(request.auth)
    if payload.unlimited and payload.max_redemptions is not None:
        raise Invalid(
            _("Either give a limit or remove it, not both."), code="coupon_limit_conflict", extra={"field": "unlimited"}
        )
    if sum([payload.never_expires, payload.expire_now, payload.expires_at is not None]) > 1:
        raise Invalid(
            _("Give one of: a new expiry, no expiry, or expire now."),
            code="coupon_expiry_conflict",
            extra={"field": "expires_at"},
        )
    changes: dict[str, Any] = {}
    if payload.unlimited:
        changes["max_redemptions"] = None
    elif payload.max_redemptions is not None:
        changes["max_redemptions"] = payload.max_redemptions
    if payload.never_expires:
        changes["expires_at"] = None
    elif payload.expires_at is not None:
        changes["expires_at"] = _utc(request, payload.expires_at, "expires_at")
    services.coupon_update(
        actor=request.auth,
        coupon_id=coupon_id,
        is_active=payload.is_active,
        expire_now=payload.expire_now,
        **changes,
    )
    return _out(selectors.coupon_get(user=request.auth, coupon_id=coupon_id, now=timezone.now()))


@router.get("/alumni/coupons/{coupon_id}/redemptions", response=list[RedemptionOut], auth=auth_required)
@paginate(Pagination)
def coupon_redemption_list(request: AuthedRequest, coupon_id: RowId) -> Any:
    """Marketers and staff: who used the coupon, on which order, the amount off and the order's total, newest first.
    Never payment card details."""
    row = selectors.coupon_get(user=request.auth, coupon_id=coupon_id, now=timezone.now())
    return selectors.coupon_redemptions(coupon_id=row.coupon.pk)
