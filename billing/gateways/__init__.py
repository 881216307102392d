"""The payment provider, behind neutral dataclasses. Nothing outside this package imports ``stripe``."""

from functools import lru_cache

from django.conf import settings

from billing.gateways.interface import Gateway


@lru_cache(maxsize=4)
def _gateway(api_key: str, api_base: str, webhook_secret: str, tolerance: int) -> Gateway:
    from billing.gateways.stripe import StripeGateway

    return StripeGateway(api_key=api_key, api_base=api_base, webhook_secret=webhook_secret, tolerance=tolerance)


def get_gateway() -> Gateway:
    """The configured gateway (settings are read on every call so tests can point it at a fresh localstripe)."""
    return _gateway(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_WEBHOOK_SECRET,
        settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    )


def is_test_mode() -> bool:
    """True when the provider is localstripe on loopback: the page may show the test-card form."""
    base = settings.STRIPE_API_BASE
    return bool(base) and (base.startswith("http://127.0.0.1") or base.startswith("http://localhost"))
