import hashlib
import hmac
import json
import sys
import time
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

WEBHOOK_SECRET = "whsec_test_stagewise"


@pytest.fixture(autouse=True)
def _celery_eager(celery_eager):
    """Billing's mail tasks run inline here (the Celery worker integration is tested in tests/test_celery_integration)."""


@pytest.fixture
def no_provider(settings):
    """A provider address where nothing listens: any provider call fails loudly."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return settings


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None) -> dict:
    """A Stripe event in the current shape (API version 2025+: thin charge, no embedded refunds list)."""
    return {
        "id": event_id
        or f"evt_{hashlib.sha1(json.dumps([event_type, obj, time.time_ns()]).encode()).hexdigest()[:24]}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def payment_intent(pi_id: str, *, amount: int, currency: str = "cny", status: str = "succeeded", error=None) -> dict:
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency,
        "status": status,
        "latest_charge": f"ch_{pi_id[3:]}",
        "last_payment_error": error,
        "livemode": False,
        "metadata": {},
    }


def charge(pi_id: str, *, amount: int, refunded: int, currency: str = "cny") -> dict:
    return {
        "id": f"ch_{pi_id[3:]}",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": refunded,
        "captured": True,
        "currency": currency,
        "paid": True,
        "payment_intent": pi_id,
        "refunded": refunded >= amount,
        "status": "succeeded",
    }


def dispute(pi_id: str, *, amount: int, currency: str = "cny") -> dict:
    return {
        "id": f"dp_{pi_id[3:]}",
        "object": "dispute",
        "amount": amount,
        "charge": f"ch_{pi_id[3:]}",
        "currency": currency,
        "payment_intent": pi_id,
        "reason": "fraudulent",
        "status": "needs_response",
    }


def post_event(client: Client, body: dict, *, signature: str | None = None):
    payload = json.dumps(body).encode()
    return client.post(
        "/billing/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature if signature is not None else sign(payload)},
    )


@pytest.fixture
def open_cohort(db):
    teacher = factories.instructor(name="Teacher")
    course = factories.course(teacher=teacher, price_minor=19900, currency="CNY", prerequisite="none")
    return factories.cohort(course=course, capacity=3)
