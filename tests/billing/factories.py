"""Billing factories (on top of tests/factories.py)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from billing.models import Coupon, RefundPolicy
from billing.services.checkout import checkout_start
from billing.services.credits import credit_grant, referral_code_get_or_create
from tests import factories


def coupon(**fields: Any) -> Coupon:
    courses = fields.pop("courses", [])
    fields.setdefault("code", f"SAVE{factories._seq.__next__()}")
    fields.setdefault("kind", "percent")
    fields.setdefault("value", 10)
    obj = Coupon.objects.create(**fields)
    obj.courses.set(courses)
    return obj


def paid_course(**fields: Any):
    fields.setdefault("prerequisite", "none")
    return factories.course(**fields)


def cohort(*, course=None, **fields: Any):
    course = course or paid_course()
    return factories.cohort(course=course, **fields)


def policy(*, course, **fields: Any) -> RefundPolicy:
    return RefundPolicy.objects.create(course=course, **fields)


__all__ = [
    "coupon",
    "paid_course",
    "cohort",
    "policy",
    "checkout_start",
    "credit_grant",
    "referral_code_get_or_create",
    "timedelta",
    "timezone",
]
