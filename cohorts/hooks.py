"""Hooks a higher app fills in, so that cohorts' pages show what only that app knows without importing it.

Billing registers ``payment_deadlines`` when it starts (``billing.apps``): an approved applicant's deadline to pay
lives with the application, in billing, while the learner's cohorts page is cohorts'.
"""

from collections.abc import Callable
from datetime import datetime

PaymentDeadlines = Callable[[list[int]], dict[int, datetime]]


def _no_deadlines(enrollment_ids: list[int]) -> dict[int, datetime]:
    return {}


_payment_deadlines: PaymentDeadlines = _no_deadlines


def register_payment_deadlines(hook: PaymentDeadlines) -> None:
    """``hook(enrollment_ids)`` answers the payment deadline of each approved enrollment among them (by id)."""
    global _payment_deadlines
    _payment_deadlines = hook


def payment_deadlines(*, enrollment_ids: list[int]) -> dict[int, datetime]:
    """The payment deadline of each approved enrollment among ``enrollment_ids``; empty without billing."""
    return _payment_deadlines(enrollment_ids) if enrollment_ids else {}
