"""Orders, payments, refunds, seat holds, coupons, credits, referrals and provider events.

Money is always an integer number of minor units next to an ISO currency code.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from billing.statuses import (
    CouponKind,
    CreditKind,
    DisputeStatus,
    LineKind,
    OfferKind,
    OrderStatus,
    ReferralStatus,
    RefundReason,
    RefundStatus,
)
from cohorts.models import Cohort, Enrollment, SeatHold
from content.models import Course

PAID_LIKE = [OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED]


class Coupon(models.Model):
    """A code that takes a percentage or a fixed amount off an order."""

    code = models.CharField(max_length=40, unique=True, help_text="Stored upper-case; matched case-insensitively.")
    kind = models.CharField(max_length=10, choices=CouponKind.choices)
    value = models.PositiveIntegerField(help_text="Percent (1–100) or minor units of `currency`.")
    currency = models.CharField(max_length=3, blank=True, help_text="Required for fixed coupons.")
    valid_from = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    max_redemptions = models.PositiveIntegerField(null=True, blank=True, help_text="Total, over all learners.")
    min_amount_minor = models.PositiveIntegerField(default=0, help_text="Order list price must reach this.")
    courses = models.ManyToManyField(Course, blank=True, related_name="+", help_text="Empty: any course.")
    stages = models.JSONField(default=list, blank=True, help_text="Stage numbers, e.g. [2, 3]. Empty: any.")
    is_active = models.BooleanField(default=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="A personal offer code: only this learner may use it. Empty: anyone.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.PERCENT) | Q(value__gte=1, value__lte=100), name="coupon_percent_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CouponKind.FIXED) | ~Q(currency=""), name="coupon_fixed_has_currency"
            ),
            # "summer" and "SUMMER" are one code: a learner's typing must find exactly one coupon.
            models.UniqueConstraint(Upper("code"), name="coupon_code_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        # The admin's form validates through here: whatever case staff typed, the code is saved upper-case.
        self.code = self.code.strip().upper()


class ReferralCode(models.Model):
    """Every learner's own code; the link is /r/<code>/."""

    learner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_code")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class Order(models.Model):
    """A priced order for one enrollment. Its lines add up to ``total_minor``; the app prices it, never the provider."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="orders")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(max_length=3)
    total_minor = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    referral_code = models.ForeignKey(
        ReferralCode, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The seat held while this order waits for payment; the checkout moves it to a new order that replaces a stale
    # one (the stale one lets go of it).
    seat_hold = models.ForeignKey(SeatHold, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    # A mid-cohort upgrade: the active enrollment of the stage below that ends as ``upgraded`` when this order is
    # paid (``billing.services.upgrades``). Null for every other order.
    upgrade_from = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, null=True, blank=True, related_name="upgrade_orders"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cohort", "status"]), models.Index(fields=["learner", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"], condition=Q(status=OrderStatus.PENDING), name="order_one_pending_per_enrollment"
            ),
            models.UniqueConstraint(
                fields=["enrollment"], condition=Q(status__in=PAID_LIKE), name="order_one_paid_per_enrollment"
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.status})"


class OrderLine(models.Model):
    """One line of an order: the list price (positive) or a discount (negative)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    description = models.CharField(max_length=200)
    amount_minor = models.IntegerField()

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="orderline_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind=LineKind.LIST_PRICE, amount_minor__gte=0)
                | (~Q(kind=LineKind.LIST_PRICE) & Q(amount_minor__lte=0)),
                name="orderline_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor}"


class Payment(models.Model):
    """One attempt to collect an order's total through a provider (or none for a zero total)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, default="stripe")
    provider_payment_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    client_secret = models.CharField(max_length=200, blank=True)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    captured_minor = models.PositiveIntegerField(default=0)
    refunded_minor = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_minor__lte=F("captured_minor")), name="payment_refund_le_capture"
            ),
            models.CheckConstraint(
                condition=Q(captured_minor__lte=F("amount_minor")), name="payment_capture_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.provider_payment_id or self.pk} ({self.status})"

    @property
    def refundable_minor(self) -> int:
        return self.captured_minor - self.refunded_minor


class Refund(models.Model):
    """Money sent back on a payment. The sum over a payment never exceeds its capture (see ``refund_issue``)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    provider_refund_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(max_length=12, choices=RefundStatus.choices, default=RefundStatus.SUCCEEDED)
    reason = models.CharField(max_length=20, choices=RefundReason.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A due refund (the provider refused it): what the provider said, how often we asked, when we ask again, and
    # the idempotency key of the next request (the same after a transient error, so a request that did reach the
    # provider is never made twice; a new one after a refusal, which the provider would otherwise repeat).
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gte=1), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.amount_minor} {self.currency}"


class DepositRefund(models.Model):
    """The deposit challenge's refund of one enrollment: the row is the claim, unique per enrollment, written in the
    transaction that records the refund (``billing.services.deposits``), so it is issued once however often or on
    however many workers the close runs. A refusal leaves the refund due, retried by ``refunds_retry_due``."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="deposit_refund")
    refund = models.OneToOneField(Refund, on_delete=models.PROTECT, related_name="deposit")
    percent = models.PositiveSmallIntegerField(help_text="The course's share, as it stood at the close.")
    paid_minor = models.PositiveIntegerField(help_text="What the learner had paid, net of earlier refunds.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Deposit refund of enrollment {self.enrollment_id}"


class ProviderEvent(models.Model):
    """Every verified webhook event, once: the unique id makes a replay a no-op."""

    provider = models.CharField(max_length=20, default="stripe")
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(help_text="When the provider created the event.")
    payload = models.JSONField()
    handled = models.BooleanField(default=False, help_text="False for types we don't handle (logged).")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="providerevent_unique_id")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class CouponRedemption(models.Model):
    """A coupon used on an order: once per learner (a cancelled order gives it back)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="coupon_redemption")
    amount_minor = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "learner"], name="coupon_once_per_learner")]

    def __str__(self) -> str:
        return f"{self.coupon_id} by {self.learner_id}"


class CreditEntry(models.Model):
    """The credit ledger: a learner's balance in a currency is the sum of their entries."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_entries")
    amount_minor = models.IntegerField(help_text="Positive adds credit, negative spends it.")
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=12, choices=CreditKind.choices)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_entries")
    note = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["learner", "currency"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="credit_nonzero"),
            models.CheckConstraint(
                condition=Q(kind=CreditKind.SPEND, amount_minor__lt=0)
                | (~Q(kind=CreditKind.SPEND) & Q(amount_minor__gt=0)),
                name="credit_sign_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} {self.currency}"


class Referral(models.Model):
    """A friend's first order made with a referrer's code. One per friend."""

    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    friend = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referred_by")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="referral")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    credit_due_at = models.DateTimeField(null=True, blank=True, help_text="Set when paid: end of the refund window.")
    credit_entry = models.OneToOneField(CreditEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(referrer=F("friend")), name="referral_not_self")]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.friend_id} ({self.status})"


class RefundPolicy(models.Model):
    """A course's refund rules: full until day 1, ``partial_percent`` until day ``partial_until_day``, none after."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="refund_policy")
    full_until_start = models.BooleanField(default=True)
    partial_percent = models.PositiveSmallIntegerField(default=50)
    partial_until_day = models.PositiveSmallIntegerField(default=3, help_text="0: no partial refunds.")

    class Meta:
        verbose_name_plural = "refund policies"
        constraints = [models.CheckConstraint(condition=Q(partial_percent__lte=100), name="refundpolicy_percent")]

    def __str__(self) -> str:
        return f"Refund policy of course {self.course_id}"


class Dispute(models.Model):
    """A chargeback the provider told us about: flags the enrollment for staff."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="disputes")
    provider_dispute_id = models.CharField(max_length=100, unique=True)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    # The audit trail of ``dispute_handle``: who closed it, when, and what they did about it.
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Dispute {self.provider_dispute_id} ({self.status})"


class QuestionKind(models.TextChoices):
    TEXT = "text", "Text"  # free text
    CHOICE = "choice", "Choice"  # one of ``choices``
    LINK = "link", "Link to your work"  # an http(s) URL


class ApplicationQuestion(models.Model):
    """One question of a course's application questionnaire, defined by its instructors."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="application_questions")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    prompt = models.CharField(max_length=300)
    choices = models.JSONField(default=list, blank=True, help_text='For "choice": ["a", "b"].')
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["course_id", "position", "id"]

    def __str__(self) -> str:
        return self.prompt


class Application(models.Model):
    """A learner's application to a cohort (the enrollment is ``applied``), and the instructor's decision.

    An approved learner has until ``payment_deadline`` to pay.
    """

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="application")
    answers = models.JSONField(default=dict, help_text='{"<question id>": "answer"}')
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True, help_text="The instructor's note to the learner.")
    payment_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["payment_deadline"])]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.enrollment_id})"


class UpgradeOffer(models.Model):
    """A learner's personal offer when their cohort ends: a credit in the ledger (``credit``), valid until
    ``expires_at``, toward ``course``. One per enrollment. ``used_order`` records the order that took it up (a paid
    order for that course), so stage-to-stage conversion can be measured."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="upgrade_offer")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upgrade_offers")
    kind = models.CharField(max_length=10, choices=OfferKind.choices)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    credit = models.OneToOneField(
        CreditEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="upgrade_offer"
    )
    amount_minor = models.PositiveIntegerField(help_text="The credit granted (0: the offer is the invitation only).")
    currency = models.CharField(max_length=3)
    paid_minor = models.PositiveIntegerField(help_text="What the learner paid for the stage, net of refunds.")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    used_order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["learner", "course"])]

    def __str__(self) -> str:
        return f"{self.kind} offer for enrollment {self.enrollment_id}"


class Upgrade(models.Model):
    """A learner moved up a stage mid-cohort: ``from_enrollment`` ended as ``upgraded`` when ``order`` (for
    ``to_enrollment``) was paid. One per enrollment moved from; the rows measure stage-to-stage conversion."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upgrades")
    from_enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="upgrade_out")
    to_enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="upgrade_in")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="upgrade")
    credited_minor = models.PositiveIntegerField(help_text="What the current seat counted toward the next stage.")
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Upgrade {self.from_enrollment_id} → {self.to_enrollment_id}"
