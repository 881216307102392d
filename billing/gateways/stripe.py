"""Stripe behind the neutral interface. The only module that imports ``stripe`` or sees provider amounts.

Against localstripe (tests, the embedded demo) the same calls go to ``STRIPE_API_BASE`` on loopback.
"""

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import stripe

from billing.gateways.interface import (
    GatewayError,
    GatewayEvent,
    InvalidSignature,
    PaymentRequest,
    PaymentResult,
    PaymentState,
    RefundResult,
    RefundState,
)
from stagewise.money import minor_unit_exponent
from stagewise.timing import provider_call

logger = logging.getLogger(__name__)

# Stripe's own decimals where they differ from ISO 4217 (stripe.com/docs/currencies).
_STRIPE_ZERO_DECIMAL = frozenset(
    ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"]
)
_STRIPE_THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


def _stripe_exponent(currency: str) -> int:
    code = currency.upper()
    if code in _STRIPE_ZERO_DECIMAL:
        return 0
    if code in _STRIPE_THREE_DECIMAL:
        return 3
    return 2  # including ISK, which ISO gives 0 decimals but Stripe still takes as two


def to_provider_amount(amount_minor: int, currency: str) -> int:
    """Our minor units → Stripe's ``amount`` (e.g. ISK 100 → 10000; JPY and CNY unchanged)."""
    shift = _stripe_exponent(currency) - minor_unit_exponent(currency)
    return amount_minor * 10**shift if shift >= 0 else amount_minor // 10**-shift


def from_provider_amount(amount: int, currency: str) -> int:
    shift = _stripe_exponent(currency) - minor_unit_exponent(currency)
    return amount // 10**shift if shift >= 0 else amount * 10**-shift


_STATES = {
    "requires_payment_method": PaymentState.REQUIRES_PAYMENT_METHOD,
    "requires_confirmation": PaymentState.REQUIRES_PAYMENT_METHOD,
    "requires_action": PaymentState.REQUIRES_ACTION,
    "processing": PaymentState.PROCESSING,
    "requires_capture": PaymentState.PROCESSING,
    "succeeded": PaymentState.SUCCEEDED,
    "canceled": PaymentState.CANCELED,
}


def _get(obj: Any, key: str, default: Any = None) -> Any:
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _payment_result(pi: Any) -> PaymentResult:
    currency = str(_get(pi, "currency", "")).upper()
    charge = _get(pi, "latest_charge", "")
    charge_id = charge if isinstance(charge, str) else _get(charge, "id", "")
    state = _STATES.get(_get(pi, "status", ""), PaymentState.PROCESSING)
    amount = from_provider_amount(int(_get(pi, "amount", 0)), currency)
    received = _get(pi, "amount_received")
    if received is not None:
        captured = from_provider_amount(int(received), currency)
    else:  # localstripe has no amount_received
        captured = amount if state == PaymentState.SUCCEEDED else 0
    error = _get(pi, "last_payment_error", {}) or {}
    return PaymentResult(
        provider_payment_id=_get(pi, "id", ""),
        state=state,
        amount_minor=amount,
        currency=currency,
        client_secret=_get(pi, "client_secret", ""),
        captured_minor=captured,
        charge_id=charge_id,
        error_code=_get(error, "decline_code", "") or _get(error, "code", ""),
        error_message=_get(error, "message", ""),
    )


def _refund_result(refund: Any) -> RefundResult:
    currency = str(_get(refund, "currency", "")).upper()
    status = _get(refund, "status", "succeeded")
    return RefundResult(
        provider_refund_id=_get(refund, "id", ""),
        amount_minor=from_provider_amount(int(_get(refund, "amount", 0)), currency),
        currency=currency,
        state={"succeeded": RefundState.SUCCEEDED, "failed": RefundState.FAILED, "canceled": RefundState.FAILED}.get(
            status, RefundState.PENDING
        ),
    )


def _error(exc: stripe.StripeError) -> GatewayError:
    permanent = isinstance(exc, stripe.CardError | stripe.InvalidRequestError | stripe.AuthenticationError)
    code = getattr(exc, "code", None) or type(exc).__name__
    return GatewayError(getattr(exc, "user_message", None) or str(exc), code=str(code), permanent=permanent)


class _TimedHTTPClient(stripe.RequestsClient):
    """Stripe's default HTTP client; each HTTP round trip counts as the provider's time in Server-Timing. The SDK's
    own work (building requests, turning answers into objects) stays on our side."""

    def request(  # type: ignore[override]  # same call as the parent's, passed straight through
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> Any:
        with provider_call():
            return super().request(method, url, headers, post_data, **kwargs)


def _signed_at(signature_header: str) -> int:
    """The ``t=`` timestamp of a ``Stripe-Signature`` header that Stripe's check has accepted."""
    for item in signature_header.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "t":
            return int(value)
    raise InvalidSignature("no timestamp in the signature header")


class StripeGateway:
    def __init__(self, *, api_key: str, api_base: str, webhook_secret: str, tolerance: int):
        base = {"api": api_base.rstrip("/")} if api_base else None
        self.client = stripe.StripeClient(
            api_key,
            base_addresses=base,  # type: ignore[arg-type]
            max_network_retries=2,
            http_client=_TimedHTTPClient(),
        )
        self.webhook_secret = webhook_secret
        self.tolerance = tolerance

    def _call(self, method: str, path: str, **params: Any) -> Any:
        """One API call; its JSON answer as plain data. Errors raise the SDK's exceptions as usual.

        The SDK's typed objects cost about 0.3 ms per call to build (measured with bench/bench_enrollment.py) and
        this module reads a few fields of each answer, so it takes the answer as it came.
        """
        return self.client.raw_request(method, path, **params).data

    def payment_create(self, request: PaymentRequest) -> PaymentResult:
        try:
            pi = self._call(
                "post",
                "/v1/payment_intents",
                amount=to_provider_amount(request.amount_minor, request.currency),
                currency=request.currency.lower(),
                metadata=request.metadata,
                idempotency_key=request.idempotency_key,
            )
        except stripe.StripeError as exc:
            raise _error(exc) from exc
        return _payment_result(pi)

    def payment_retrieve(self, provider_payment_id: str) -> PaymentResult:
        try:
            return _payment_result(self._call("get", f"/v1/payment_intents/{provider_payment_id}"))
        except stripe.StripeError as exc:
            raise _error(exc) from exc

    def payment_cancel(self, provider_payment_id: str) -> PaymentResult:
        try:
            return _payment_result(self._call("post", f"/v1/payment_intents/{provider_payment_id}/cancel"))
        except stripe.StripeError as exc:
            raise _error(exc) from exc

    def payment_confirm(self, provider_payment_id: str, *, payment_method_id: str | None = None) -> PaymentResult:
        try:
            if payment_method_id:
                # localstripe does not take payment_method on confirm; setting it first works on both.
                self._call("post", f"/v1/payment_intents/{provider_payment_id}", payment_method=payment_method_id)
            return _payment_result(self._call("post", f"/v1/payment_intents/{provider_payment_id}/confirm"))
        except stripe.CardError:
            # A decline: the intent is back to requires_payment_method, with last_payment_error set.
            return self.payment_retrieve(provider_payment_id)
        except stripe.StripeError as exc:
            raise _error(exc) from exc

    def refund_create(
        self, provider_payment_id: str, *, amount_minor: int, currency: str, idempotency_key: str
    ) -> RefundResult:
        try:
            refund = self._call(
                "post",
                "/v1/refunds",
                payment_intent=provider_payment_id,
                amount=to_provider_amount(amount_minor, currency),
                idempotency_key=idempotency_key,
            )
        except stripe.StripeError as exc:
            raise _error(exc) from exc
        return _refund_result(refund)

    def test_card_confirm(self, provider_payment_id: str, *, card_number: str) -> PaymentResult:
        """Test mode only: make a PaymentMethod from a test card number and confirm with it."""
        try:
            pm = self._call(
                "post",
                "/v1/payment_methods",
                type="card",
                card={"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            )
        except stripe.StripeError as exc:
            raise _error(exc) from exc
        return self.payment_confirm(provider_payment_id, payment_method_id=pm["id"])

    def test_authenticate(self, provider_payment_id: str, *, client_secret: str, success: bool) -> PaymentResult:
        """Test mode only: localstripe's stand-in for the 3-D Secure page."""
        try:
            self.client.raw_request(
                "post",
                f"/v1/payment_intents/{provider_payment_id}/_authenticate",
                client_secret=client_secret,
                success="true" if success else "false",
            )
        except stripe.StripeError as exc:
            raise _error(exc) from exc
        return self.payment_retrieve(provider_payment_id)

    def event_parse(self, payload: bytes, signature_header: str) -> GatewayEvent:
        """The verified event: signed with the webhook secret, its timestamp within the tolerance either side of now."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature_header, self.webhook_secret, tolerance=self.tolerance
            )
            # Stripe's check refuses only stale timestamps; one from the future is refused the same way, so a
            # captured (or pre-signed) event can't be kept valid beyond the tolerance.
            if _signed_at(signature_header) > time.time() + self.tolerance:
                raise InvalidSignature("timestamp outside the tolerance zone (in the future)")
            data = json.loads(payload)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidSignature(str(exc)) from exc
        obj = (data.get("data") or {}).get("object") or {}
        kind = obj.get("object", "")
        common = {
            "id": data.get("id", ""),
            "type": data.get("type", ""),
            "created": datetime.fromtimestamp(int(data.get("created", 0)), tz=UTC),
            "object_id": obj.get("id", ""),
            "raw": data,
        }
        if kind == "payment_intent":
            return GatewayEvent(payment=_payment_result(obj), **common)
        if kind == "charge":
            currency = str(obj.get("currency", "")).upper()
            refunds = tuple(_refund_result(r) for r in ((obj.get("refunds") or {}).get("data") or []))
            payment = PaymentResult(
                provider_payment_id=obj.get("payment_intent") or "",
                state=PaymentState.SUCCEEDED if obj.get("status") == "succeeded" else PaymentState.PROCESSING,
                amount_minor=from_provider_amount(int(obj.get("amount", 0)), currency),
                currency=currency,
                captured_minor=from_provider_amount(int(obj.get("amount_captured", obj.get("amount", 0))), currency)
                if obj.get("captured", True)
                else 0,
                charge_id=obj.get("id", ""),
            )
            return GatewayEvent(
                payment=payment,
                refunds=refunds,
                amount_refunded_minor=from_provider_amount(int(obj.get("amount_refunded", 0)), currency),
                **common,
            )
        if kind == "dispute":
            currency = str(obj.get("currency", "")).upper()
            payment = PaymentResult(
                provider_payment_id=obj.get("payment_intent") or "",
                state=PaymentState.SUCCEEDED,
                amount_minor=from_provider_amount(int(obj.get("amount", 0)), currency),
                currency=currency,
                charge_id=obj.get("charge") or "",
            )
            return GatewayEvent(
                payment=payment,
                dispute_id=obj.get("id", ""),
                dispute_reason=obj.get("reason", "") or "",
                dispute_amount_minor=payment.amount_minor,
                **common,
            )
        return GatewayEvent(**common)
