"""System checks for billing's settings (registered in ``billing.apps``)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error

from billing.gateways import is_test_mode

# The localstripe demo's signing secret: public (it is in this repository), so it proves nothing about a sender.
PUBLIC_TEST_WEBHOOK_SECRET = "whsec_localstripe"


def check_stripe_webhook_secret(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """With a real Stripe key, webhooks must be verified with the endpoint's own signing secret.

    Otherwise anyone could sign a ``payment_intent.succeeded`` with the public test secret (or an empty one) and
    enroll without paying. localstripe on loopback (the demo, the tests) is the only place the test secret is fine.
    """
    if is_test_mode():
        return []
    if settings.STRIPE_WEBHOOK_SECRET in ("", PUBLIC_TEST_WEBHOOK_SECRET):
        return [
            Error(
                "STRIPE_WEBHOOK_SECRET is not set, while STRIPE_SECRET_KEY is a real Stripe key: "
                "webhooks signed with the public test secret would be accepted as payments.",
                hint="Set STRIPE_WEBHOOK_SECRET to the signing secret (whsec_…) of your Stripe webhook endpoint "
                "(/billing/webhooks/stripe/).",
                id="billing.E001",
            )
        ]
    return []
