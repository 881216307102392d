"""Billing statuses and their allowed transitions, each in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    """Shared by orders and payments: an order's status follows its payment's."""

    PENDING = "pending", _("Pending")  # priced, waiting for the provider to confirm the money
    PAID = "paid", _("Paid")  # captured in full (or a zero total)
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")  # some of the capture went back
    REFUNDED = "refunded", _("Refunded")  # everything captured went back
    FAILED = "failed", _("Failed")  # the payment failed and the seat hold ran out
    CANCELLED = "cancelled", _("Cancelled")  # abandoned or expired before any money moved


# A second partial refund leaves an order partially refunded: that is no transition (nothing calls it one).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.FAILED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}

# A payment follows its order, with one more way: an attempt we gave up on (cancelled for a new attempt, or closed
# with its order) that the provider captured all the same is recorded as paid, and refunded if its seat is gone.
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.FAILED, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.FAILED: frozenset({OrderStatus.PAID}),
    OrderStatus.CANCELLED: frozenset({OrderStatus.PAID}),
}

# Money was captured (some of it may have gone back since).
CAPTURED_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED})
# Money was captured and not all of it went back: what counts as a learner's order for the referral rules.
KEPT_STATUSES = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED})


class RefundStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")  # the provider returned the money
    PENDING = "pending", _("Pending")  # the provider accepted it and will confirm later
    FAILED = "failed", _("Failed")  # the provider gave up; does not count against the capture
    # Owed to the learner (a seat lost, a cohort cancelled) but the provider refused it: shown to staff and retried
    # in the background until it goes through. Does not count against the capture until then.
    DUE = "due", _("Due, being retried")
    VOID = "void", _("Void")  # was due, but nothing was left to refund when retried (staff refunded it meanwhile)


# A due refund is retried until the provider takes it (succeeded or pending) or nothing is left to refund (void).
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.DUE: frozenset({RefundStatus.SUCCEEDED, RefundStatus.PENDING, RefundStatus.VOID}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.PENDING: frozenset(),
    RefundStatus.FAILED: frozenset(),
    RefundStatus.VOID: frozenset(),
}


class RefundReason(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("Learner withdrew")  # by the course's refund policy
    STAFF = "staff", _("Staff refund")  # any amount, by an operator
    COHORT_CANCELLED = "cohort_cancelled", _("Cohort cancelled")  # everyone in full, once
    DASHBOARD = "dashboard", _("Made in the provider's dashboard")  # learned from charge.refunded
    SEAT_UNAVAILABLE = "seat_unavailable", _("Seat no longer available")  # captured after the hold lapsed
    DEPOSIT = "deposit", _("Deposit challenge")  # checked in every day: the course's share back, once, at the close


class LineKind(models.TextChoices):
    LIST_PRICE = "list_price", _("List price")  # the course's price (positive)
    UPGRADE_CREDIT = "upgrade_credit", _("Credit")  # the learner's credit balance (negative)
    COUPON = "coupon", _("Coupon")  # a coupon's discount (negative)
    REFERRAL = "referral", _("Referral discount")  # a friend's first order (negative)
    UPGRADE_DIFFERENCE = "upgrade_difference", _("Paid for your current stage")  # a mid-cohort upgrade (negative)


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percent off")  # value is a percentage 1..100
    FIXED = "fixed", _("Fixed amount off")  # value is minor units of the coupon's currency


class CreditKind(models.TextChoices):
    GRANT = "grant", _("Granted by staff")  # positive
    UPGRADE = "upgrade", _("Upgrade credit")  # positive, granted when a cohort ends
    REFERRAL = "referral", _("Referral reward")  # positive, once a friend's payment cleared
    SPEND = "spend", _("Spent on an order")  # negative
    REVERSAL = "reversal", _("Returned from a cancelled order")  # positive, undoes a spend


class OfferKind(models.TextChoices):
    UPGRADE = "upgrade", _("Next stage")  # completed: credit toward the next stage
    REPEAT = "repeat", _("Take it again")  # did not complete: credit toward the same stage


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # the friend's order is not paid yet or the refund window is open
    CREDITED = "credited", _("Credited")  # the referrer got the credit
    VOID = "void", _("Void")  # the friend's order was cancelled or refunded


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")  # flagged for staff
    CLOSED = "closed", _("Handled")  # a staff member dealt with it and left a note (who, when, note on the row)


DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisputeStatus.OPEN: frozenset({DisputeStatus.CLOSED}),
    DisputeStatus.CLOSED: frozenset(),
}


def can_transition(transitions: dict[str, frozenset[str]], old: str, new: str) -> bool:
    return new in transitions.get(old, frozenset())
