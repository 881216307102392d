"""The Stripe gateway against a real localstripe on loopback: cards, 3-D Secure, refunds."""

import pytest

from billing.gateways import get_gateway
from billing.gateways.interface import PaymentRequest, PaymentState
from billing.gateways.stripe import from_provider_amount, to_provider_amount


def _intent(amount=19900, currency="CNY", key="k1"):
    return get_gateway().payment_create(
        PaymentRequest(amount_minor=amount, currency=currency, idempotency_key=key, metadata={"order_id": "1"})
    )


def test_server_listens_on_loopback_only(localstripe):
    import socket

    with pytest.raises(OSError):
        socket.create_connection(("::1", localstripe.port), timeout=1)
    socket.create_connection(("127.0.0.1", localstripe.port), timeout=1).close()


def test_card_4242_succeeds(localstripe):
    created = _intent(key="ok-4242")
    assert created.state == PaymentState.REQUIRES_PAYMENT_METHOD
    assert created.client_secret.startswith(created.provider_payment_id)
    result = get_gateway().test_card_confirm(created.provider_payment_id, card_number="4242424242424242")
    assert result.state == PaymentState.SUCCEEDED
    assert result.captured_minor == 19900
    assert result.currency == "CNY"


def test_card_0341_is_declined(localstripe):
    created = _intent(key="decline-0341")
    declined = get_gateway().test_card_confirm(created.provider_payment_id, card_number="4000000000000341")
    assert declined.state == PaymentState.REQUIRES_PAYMENT_METHOD
    assert declined.error_code == "card_declined"
    assert declined.captured_minor == 0


def test_three_d_secure_success_and_failure(localstripe):
    gateway = get_gateway()
    ok = _intent(key="3ds-ok")
    pending = gateway.test_card_confirm(ok.provider_payment_id, card_number="4000002500003155")
    assert pending.state == PaymentState.REQUIRES_ACTION
    done = gateway.test_authenticate(ok.provider_payment_id, client_secret=ok.client_secret, success=True)
    assert done.state == PaymentState.SUCCEEDED

    bad = _intent(key="3ds-bad")
    gateway.test_card_confirm(bad.provider_payment_id, card_number="4000002500003155")
    failed = gateway.test_authenticate(bad.provider_payment_id, client_secret=bad.client_secret, success=False)
    assert failed.state == PaymentState.REQUIRES_PAYMENT_METHOD
    assert failed.error_code == "payment_intent_authentication_failure"


def test_refunds_partial_then_the_rest(localstripe):
    gateway = get_gateway()
    created = _intent(amount=10000, key="refunds")
    gateway.test_card_confirm(created.provider_payment_id, card_number="4242424242424242")
    part = gateway.refund_create(created.provider_payment_id, amount_minor=2500, currency="CNY", idempotency_key="r1")
    assert (part.amount_minor, part.state) == (2500, "succeeded")
    rest = gateway.refund_create(created.provider_payment_id, amount_minor=7500, currency="CNY", idempotency_key="r2")
    assert rest.amount_minor == 7500
    assert part.provider_refund_id != rest.provider_refund_id


def test_zero_decimal_currency_amounts():
    assert to_provider_amount(1500, "JPY") == 1500  # ¥1,500
    assert to_provider_amount(19900, "CNY") == 19900  # ¥199.00
    assert to_provider_amount(100, "ISK") == 10000  # ISO 0 decimals, Stripe 2
    assert from_provider_amount(10000, "ISK") == 100


def test_jpy_payment_through_localstripe(localstripe):
    created = _intent(amount=1500, currency="JPY", key="jpy")
    assert (created.amount_minor, created.currency) == (1500, "JPY")
    result = get_gateway().test_card_confirm(created.provider_payment_id, card_number="4242424242424242")
    assert result.captured_minor == 1500
