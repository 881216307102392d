"""Signing outgoing webhook requests, and the check a receiver runs.

Each request carries ``X-Stagewise-Timestamp: <unix seconds>`` and
``X-Stagewise-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}" keyed with the webhook's secret>``,
where ``body`` is the exact UTF-8 request body. A receiver recomputes the HMAC over the raw body it got and refuses
timestamps too far from its clock, so a captured request can't be replayed later.
"""

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Stagewise-Timestamp"
SIGNATURE_HEADER = "X-Stagewise-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def sign(*, secret: str, timestamp: int, body: str | bytes) -> str:
    """The ``X-Stagewise-Signature`` header value for ``body`` sent at ``timestamp``."""
    message = f"{timestamp}.".encode() + _as_bytes(body)
    return "sha256=" + hmac.new(_as_bytes(secret), message, hashlib.sha256).hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: str | bytes,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: float | None = None,
) -> bool:
    """True if ``signature`` is ours for ``body`` at ``timestamp`` and the timestamp is within ``tolerance``
    seconds of ``now`` (default: the current time). Pass the raw request body, not re-serialised JSON."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    expected = sign(secret=secret, timestamp=ts, body=body)
    return hmac.compare_digest(expected, signature or "")
