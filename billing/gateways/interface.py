"""Neutral types between billing and any payment provider (Saleor's ``payment/interface.py`` pattern).

Amounts here are the app's own minor units (``stagewise.money``); each gateway converts at its edge.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class PaymentState:
    """What the provider says about a payment, in our words."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"  # new, or the last attempt failed: may retry
    REQUIRES_ACTION = "requires_action"  # 3-D Secure or similar: the learner must authenticate
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class RefundState:
    """What the provider says about a refund, in our words."""

    SUCCEEDED = "succeeded"  # the money went back
    PENDING = "pending"  # accepted, to be confirmed later
    FAILED = "failed"  # the provider gave up (a cancelled refund too)


@dataclass(frozen=True)
class PaymentRequest:
    amount_minor: int
    currency: str
    idempotency_key: str
    description: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentResult:
    provider_payment_id: str
    state: str
    amount_minor: int
    currency: str
    client_secret: str = ""
    captured_minor: int = 0
    charge_id: str = ""
    error_code: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class RefundResult:
    provider_refund_id: str
    amount_minor: int
    currency: str
    state: str  # a RefundState


@dataclass(frozen=True)
class GatewayEvent:
    """A verified webhook event. ``payment`` is filled for payment and charge events, ``refunds`` for refunds."""

    id: str
    type: str
    created: datetime
    object_id: str
    payment: PaymentResult | None = None
    refunds: tuple[RefundResult, ...] = ()
    amount_refunded_minor: int = 0
    dispute_id: str = ""
    dispute_reason: str = ""
    dispute_amount_minor: int = 0
    raw: dict[str, Any] = field(default_factory=dict)


class GatewayError(Exception):
    """The provider refused or could not be reached. ``permanent`` means retrying the same call won't help."""

    def __init__(self, message: str, *, code: str = "provider_error", permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent


class InvalidSignature(Exception):
    """A webhook whose signature or timestamp does not check out."""


class Gateway(Protocol):
    def payment_create(self, request: PaymentRequest) -> PaymentResult: ...

    def payment_retrieve(self, provider_payment_id: str) -> PaymentResult: ...

    def payment_cancel(self, provider_payment_id: str) -> PaymentResult: ...

    def payment_confirm(self, provider_payment_id: str, *, payment_method_id: str | None = None) -> PaymentResult: ...

    def refund_create(
        self, provider_payment_id: str, *, amount_minor: int, currency: str, idempotency_key: str
    ) -> RefundResult: ...

    def event_parse(self, payload: bytes, signature_header: str) -> GatewayEvent: ...

    # Test mode only (localstripe): card numbers never reach our server with real keys.
    def test_card_confirm(self, provider_payment_id: str, *, card_number: str) -> PaymentResult: ...

    def test_authenticate(self, provider_payment_id: str, *, client_secret: str, success: bool) -> PaymentResult: ...
