"""Coupons and offer codes as marketers and staff manage them: create, limit, expire, deactivate. Every change is
audited (``cohorts.moderation.audit_record``: who, when, each value before and after).

Checkout reads coupons through ``billing.pricing.coupon_check``; a coupon's limit is counted there again under the
coupon's row lock, and ``coupon_update`` changes the limit under the same lock, so a limit is never set below the
redemptions a concurrent checkout has just made.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from babel.numbers import get_currency_name
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import is_marketer
from billing.models import Coupon
from billing.statuses import CouponKind
from cohorts.moderation import audit_record
from content.models import Course
from stagewise.errors import Conflict, Forbidden, Invalid, NotFound, lazy_format

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
# No 0/O, 1/I/L: a code read aloud or copied from a poster is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_VALUE = 2_147_483_647  # PositiveIntegerField's ceiling on PostgreSQL
MAX_STAGE = 32_767


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()
"""``coupon_update``'s "leave it as it is" (``None`` means "no limit" / "no expiry")."""


def _require_coupon_manager(actor: User) -> None:
    if not is_marketer(actor):
        raise Forbidden(_("Only marketers and staff can manage coupons."), code="not_marketer")


def coupon_code_normalize(code: str) -> str:
    """What a code is stored as: trimmed, upper-case (codes are matched case-insensitively)."""
    return code.strip().upper()


def coupon_code_generate() -> str:
    """A readable code nobody has yet, e.g. ``K7QM-3XPD``."""
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not Coupon.objects.filter(code__iexact=code).exists():
            return code


def _check_code(code: str) -> str:
    code = coupon_code_normalize(code)
    if not CODE_RE.match(code):
        raise Invalid(
            _("A code has 3 to 40 letters (A–Z), digits, hyphens or underscores, and starts with a letter or digit."),
            code="invalid_coupon_code",
            extra={"field": "code"},
        )
    if Coupon.objects.filter(code__iexact=code).exists():
        raise _code_taken(code)
    return code


def _code_taken(code: str) -> Conflict:
    return Conflict(
        lazy_format(
            _("The code %(code)s is taken (codes don't depend on upper or lower case): pick another."), code=code
        ),
        code="coupon_code_taken",
        extra={"field": "code"},
    )


def _check_currency(currency: str, *, field: str) -> str:
    code = currency.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha() or get_currency_name(code, locale="en") == code:
        raise Invalid(
            _("Unknown currency. Use a three-letter code such as CNY or USD."),
            code="invalid_currency",
            extra={"field": field},
        )
    return code


def _check_expiry(*, expires_at: datetime, valid_from: datetime | None, now: datetime) -> None:
    if expires_at <= now:
        raise Invalid(
            _("The expiry has to be in the future. To end the coupon at once, expire it now."),
            code="coupon_expiry_past",
            extra={"field": "expires_at"},
        )
    if valid_from is not None and expires_at <= valid_from:
        raise Invalid(
            _("The coupon has to expire after it starts."),
            code="coupon_expiry_before_start",
            extra={"field": "expires_at"},
        )


def _check_courses(course_ids: Iterable[int]) -> list[Course]:
    wanted = sorted(set(course_ids))
    courses = list(Course.objects.filter(pk__in=wanted))
    missing = sorted(set(wanted) - {c.pk for c in courses})
    if missing:
        raise Invalid(
            lazy_format(_("No such course: %(ids)s."), ids=", ".join(str(pk) for pk in missing)),
            code="course_not_found",
            extra={"field": "course_ids", "missing": missing},
        )
    return courses


def _check_stages(stages: Iterable[int]) -> list[int]:
    chosen = sorted(set(stages))
    if any(stage < 1 or stage > MAX_STAGE for stage in chosen):
        raise Invalid(_("Stages are numbered from 1."), code="invalid_stage", extra={"field": "stages"})
    return chosen


def coupon_create(
    *,
    actor: User,
    kind: str,
    value: int,
    code: str = "",
    currency: str = "",
    valid_from: datetime | None = None,
    expires_at: datetime | None = None,
    max_redemptions: int | None = None,
    min_amount_minor: int = 0,
    course_ids: Iterable[int] = (),
    stages: Iterable[int] = (),
    learner: User | None = None,
    now: datetime | None = None,
) -> Coupon:
    """A new coupon (``learner``: a personal offer code only they may use). ``code`` empty: a generated one.

    ``value`` is a percentage (1–100) for ``percent``, minor units of ``currency`` for ``fixed``. A minimum order
    amount is in minor units of ``currency`` too (so a percent coupon with a minimum names its currency).
    Raises Invalid (422) naming the field, Conflict ``coupon_code_taken`` (409) for a code taken in any case.
    """
    _require_coupon_manager(actor)
    now = now or timezone.now()
    if kind not in CouponKind.values:
        raise Invalid(_("Choose a percentage or a fixed amount."), code="invalid_coupon_kind", extra={"field": "kind"})
    if kind == CouponKind.PERCENT and not 1 <= value <= 100:
        raise Invalid(_("A percentage is from 1 to 100."), code="invalid_percent", extra={"field": "value"})
    if kind == CouponKind.FIXED and not 1 <= value <= MAX_VALUE:
        raise Invalid(_("Give an amount above zero."), code="invalid_amount", extra={"field": "value"})
    if not 0 <= min_amount_minor <= MAX_VALUE:
        raise Invalid(_("The minimum can't be negative."), code="invalid_amount", extra={"field": "min_amount_minor"})
    if max_redemptions is not None and not 1 <= max_redemptions <= MAX_VALUE:
        raise Invalid(
            _("Allow at least one use, or leave the limit empty for no limit."),
            code="invalid_limit",
            extra={"field": "max_redemptions"},
        )
    if kind == CouponKind.FIXED or currency.strip():
        currency = _check_currency(currency, field="currency")
    elif min_amount_minor:
        raise Invalid(
            _("Give the currency of the minimum amount."), code="currency_required", extra={"field": "currency"}
        )
    if kind == CouponKind.FIXED and not currency:
        raise Invalid(_("Give the currency of the amount."), code="currency_required", extra={"field": "currency"})
    if expires_at is not None:
        _check_expiry(expires_at=expires_at, valid_from=valid_from, now=now)
    courses = _check_courses(course_ids)
    if currency and any(course.currency.upper() != currency for course in courses):
        raise Invalid(
            lazy_format(
                _("The courses you chose are priced in %(currencies)s, not %(currency)s."),
                currencies=", ".join(sorted({c.currency.upper() for c in courses})),
                currency=currency,
            ),
            code="coupon_currency_mismatch",
            extra={"field": "currency"},
        )
    stage_list = _check_stages(stages)
    code = _check_code(code) if code.strip() else coupon_code_generate()
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(
                code=code,
                kind=kind,
                value=value,
                currency=currency,
                valid_from=valid_from,
                expires_at=expires_at,
                max_redemptions=max_redemptions,
                min_amount_minor=min_amount_minor,
                stages=stage_list,
                learner=learner,
            )
            coupon.courses.set(courses)
            audit_record(
                actor=actor,
                action="coupon.created",
                target=coupon,
                details={
                    "code": code,
                    "kind": kind,
                    "value": value,
                    "currency": currency,
                    "valid_from": _iso(valid_from),
                    "expires_at": _iso(expires_at),
                    "max_redemptions": max_redemptions,
                    "min_amount_minor": min_amount_minor,
                    "course_ids": [c.pk for c in courses],
                    "stages": stage_list,
                    "learner_id": learner.pk if learner else None,
                },
                now=now,
            )
    except IntegrityError as exc:  # the same code, created a moment ago by someone else
        raise _code_taken(code) from exc
    return coupon


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def coupon_update(
    *,
    actor: User,
    coupon_id: int,
    max_redemptions: int | None | _Unset = UNSET,
    expires_at: datetime | None | _Unset = UNSET,
    is_active: bool | None = None,
    expire_now: bool = False,
    now: datetime | None = None,
) -> Coupon:
    """Change a coupon's limit (``None``: no limit; never below its redemptions so far), its expiry (``None``: never
    expires; ``expire_now``: ends now), or switch it off and on. Audited with each value before and after; a call
    that changes nothing records nothing.

    Under the coupon's row lock, the lock checkout takes to count redemptions against the limit.
    """
    _require_coupon_manager(actor)
    now = now or timezone.now()
    if expire_now and not isinstance(expires_at, _Unset):
        raise Invalid(
            _("Either expire the coupon now or give it an expiry, not both."),
            code="coupon_expiry_conflict",
            extra={"field": "expires_at"},
        )
    with transaction.atomic():
        coupon = Coupon.objects.select_for_update().filter(pk=coupon_id).first()
        if coupon is None:
            raise NotFound(_("No such coupon."), code="coupon_not_found")
        changes: dict[str, list[Any]] = {}
        if not isinstance(max_redemptions, _Unset) and max_redemptions != coupon.max_redemptions:
            if max_redemptions is not None:
                if not 1 <= max_redemptions <= MAX_VALUE:
                    raise Invalid(
                        _("Allow at least one use, or leave the limit empty for no limit."),
                        code="invalid_limit",
                        extra={"field": "max_redemptions"},
                    )
                used = coupon.redemptions.count()
                if max_redemptions < used:
                    raise Invalid(
                        lazy_format(
                            _("It has been used %(used)d times already: the limit can't be lower than that."),
                            used=used,
                        ),
                        code="coupon_limit_below_redemptions",
                        extra={"field": "max_redemptions", "redemptions": used},
                    )
            changes["max_redemptions"] = [coupon.max_redemptions, max_redemptions]
            coupon.max_redemptions = max_redemptions
        new_expiry: datetime | None | _Unset = now if expire_now else expires_at
        if expire_now and coupon.expires_at is not None and coupon.expires_at <= now:
            new_expiry = UNSET  # expired already: "expire now" keeps the instant it ended
        if not isinstance(new_expiry, _Unset) and new_expiry != coupon.expires_at:
            if new_expiry is not None and not expire_now:
                _check_expiry(expires_at=new_expiry, valid_from=coupon.valid_from, now=now)
            changes["expires_at"] = [_iso(coupon.expires_at), _iso(new_expiry)]
            coupon.expires_at = new_expiry
        if is_active is not None and is_active != coupon.is_active:
            changes["is_active"] = [coupon.is_active, is_active]
            coupon.is_active = is_active
        if changes:
            coupon.save(update_fields=list(changes))
            action = "coupon.deactivated" if changes.get("is_active") == [True, False] else "coupon.updated"
            audit_record(actor=actor, action=action, target=coupon, details=changes, now=now)
    return coupon


def coupon_deactivate(*, actor: User, coupon_id: int, now: datetime | None = None) -> Coupon:
    """Switch a coupon off: checkout answers ``coupon_not_found`` for it from now on; its redemptions stay.
    ``coupon_update(is_active=True)`` switches it back on."""
    return coupon_update(actor=actor, coupon_id=coupon_id, is_active=False, now=now)
