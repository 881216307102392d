from datetime import date, datetime

from ninja import Field, Schema

from stagewise.schemas import InSchema


class LineOut(Schema):
    kind: str
    description: str
    amount_minor: int = Field(..., description="Positive for the list price, negative for discounts")


class QuoteOut(Schema):
    currency: str
    lines: list[LineOut]
    total_minor: int


class RefundOut(Schema):
    id: int
    amount_minor: int
    currency: str
    reason: str
    status: str
    created_at: datetime


class PaymentOut(Schema):
    id: int
    provider: str
    status: str
    amount_minor: int
    captured_minor: int
    refunded_minor: int
    currency: str
    last_error: str
    refunds: list[RefundOut]


class OrderOut(Schema):
    id: int
    enrollment_id: int
    cohort_id: int
    cohort_name: str
    course_title: str
    status: str
    currency: str
    total_minor: int
    lines: list[LineOut]
    payments: list[PaymentOut]
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_cohort_name(obj):  # type: ignore[no-untyped-def]
        return obj.cohort.name

    @staticmethod
    def resolve_course_title(obj):  # type: ignore[no-untyped-def]
        return obj.cohort.course.title


class CheckoutIn(InSchema):
    coupon: str = Field("", max_length=40)
    referral: str = Field("", max_length=16)
    use_credit: bool = True
    upgrade: bool = Field(
        False,
        description="Move up mid-cohort from your active enrollment one stage below: pay the difference; that "
        "enrollment ends as `upgraded` once this order is paid",
    )


class UpgradeOfferOut(Schema):
    """Where an active member may move up to now, and what it costs."""

    enrollment_id: int = Field(..., description="The enrollment that would end as `upgraded`")
    cohort_id: int = Field(..., description="The next stage's open cohort: check it out with `upgrade: true`")
    cohort_name: str
    course_title: str
    starts_on: date
    quote: QuoteOut


class PaymentStartOut(Schema):
    provider_payment_id: str
    client_secret: str
    publishable_key: str
    test_mode: bool


class CheckoutOut(Schema):
    enrollment_id: int
    enrollment_status: str
    waitlisted: bool
    hold_expires_at: datetime | None
    order: OrderOut | None
    payment: PaymentStartOut | None = Field(None, description="None for a zero total (already paid) or the waitlist")


class TestCardIn(InSchema):
    card_number: str = Field(..., min_length=12, max_length=23)


class PaymentStateOut(Schema):
    state: str = Field(..., description="requires_payment_method | requires_action | processing | succeeded | canceled")
    error_code: str
    error_message: str


class BalanceOut(Schema):
    currency: str
    amount_minor: int


class CreditOut(Schema):
    balances: list[BalanceOut]
    referral_code: str
    referral_url: str


class RefundPreviewOut(Schema):
    amount_minor: int
    currency: str
    rule: str = Field(..., description="full | partial | none")
    percent: int


class WithdrawOut(Schema):
    enrollment_id: int
    status: str
    refund: RefundOut | None


class StaffRefundIn(InSchema):
    # strict: an amount is an integer number of minor units; 10.0, "100" or true are malformed, not coerced
    amount_minor: int = Field(..., ge=1, strict=True, description="Minor units, a JSON integer")
    note: str = Field("", max_length=300)


class BillingRosterRowOut(Schema):
    enrollment_id: int
    learner_id: int
    learner_name: str
    enrollment_status: str
    order_status: str | None
    paid_minor: int
    currency: str | None
    open_disputes: int


class RevenueOut(Schema):
    cohort_id: int
    cohort_name: str
    course_title: str
    currency: str
    orders_paid: int = Field(..., description="Orders paid in the range and not refunded in full since")
    orders_refunded: int = Field(..., description="Orders paid in the range and refunded in full since")
    captured_minor: int = Field(..., description="Captured by payments in the range")
    refunded_minor: int = Field(..., description="Refunds issued in the range (failed ones excluded)")
    net_minor: int = Field(..., description="captured_minor − refunded_minor")
    disputes: int = Field(..., description="Disputes opened in the range")


class RevenueTotalOut(Schema):
    currency: str
    captured_minor: int
    refunded_minor: int
    net_minor: int
    orders_paid: int
    orders_refunded: int


class RevenueTotalsOut(Schema):
    date_from: date = Field(..., alias="from", description="First day, in ``timezone``")
    date_to: date = Field(..., alias="to", description="Last day (included), in ``timezone``")
    timezone: str = Field(..., description="The signed-in user's time zone, in which the days are counted")
    totals: list[RevenueTotalOut] = Field(..., description="One per currency")


class DisputeOut(Schema):
    id: int
    enrollment_id: int
    cohort_id: int
    learner_email: str
    provider_dispute_id: str
    amount_minor: int
    currency: str
    reason: str
    status: str = Field(..., description="open, or closed once a staff member handled it")
    created_at: datetime
    handled_at: datetime | None
    handled_by_email: str | None = Field(..., description="Who marked it handled")
    handled_note: str = Field(..., description="What they did about it")

    @staticmethod
    def resolve_cohort_id(obj):  # type: ignore[no-untyped-def]
        return obj.enrollment.cohort_id

    @staticmethod
    def resolve_learner_email(obj):  # type: ignore[no-untyped-def]
        return obj.enrollment.learner.email

    @staticmethod
    def resolve_handled_by_email(obj):  # type: ignore[no-untyped-def]
        return obj.handled_by.email if obj.handled_by else None


class DisputeHandleIn(InSchema):
    note: str = Field(..., min_length=1, max_length=1000, description="What was done about the dispute")


class QuestionIn(InSchema):
    kind: str = Field("text", pattern="^(text|choice|link)$")
    prompt: str = Field(..., min_length=1, max_length=300)
    choices: list[str] = Field(default_factory=list, max_length=20)
    required: bool = True


class QuestionOut(Schema):
    id: int
    position: int
    kind: str
    prompt: str
    choices: list[str]
    required: bool


class ApplicationIn(InSchema):
    answers: dict[str, str] = Field(
        default_factory=dict,
        description='{"<question id>": "answer"}: an answer to every question whose `required` is true '
        "(`GET /courses/{course_id}/questions`; `answer_missing`), one of its choices for a choice question and an "
        "http(s) address for a link question (`answer_invalid`)",
    )


class ApplicationOut(Schema):
    id: int
    enrollment_id: int
    learner_id: int
    learner_name: str
    status: str
    answers: dict[str, str]
    submitted_at: datetime
    decided_at: datetime | None
    note: str
    payment_deadline: datetime | None

    @staticmethod
    def resolve_learner_id(obj):  # type: ignore[no-untyped-def]
        return obj.enrollment.learner_id

    @staticmethod
    def resolve_learner_name(obj):  # type: ignore[no-untyped-def]
        return obj.enrollment.learner.display_name

    @staticmethod
    def resolve_status(obj):  # type: ignore[no-untyped-def]
        return obj.enrollment.status


class DecisionIn(InSchema):
    note: str = Field("", max_length=1000)
