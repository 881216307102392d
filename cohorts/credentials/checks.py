"""System checks for the credentials' settings (registered in ``cohorts.apps``)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured

from cohorts.credentials.keys import jwt_signing_key, signing_key


def check_credential_keys(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Keys that can't be read would fail every certificate at issue time: refuse to start instead."""
    messages: list[CheckMessage] = []
    for load, setting, check_id in (
        (signing_key, "CREDENTIALS_SIGNING_KEY", "cohorts.E001"),
        (jwt_signing_key, "CREDENTIALS_JWT_KEY", "cohorts.E002"),
    ):
        try:
            load()
        except ImproperlyConfigured as exc:
            messages.append(
                Error(str(exc), hint=f"Fix or unset {setting} (unset, one is generated in var/).", id=check_id)
            )
    return messages


def check_credentials_site_url(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Credentials name did:web:<host>, their key and status list under SITE_URL: wallets resolve them over HTTPS."""
    if settings.SITE_URL.startswith("https://"):
        return []
    return [
        Warning(
            "SITE_URL is not an https:// URL: issued credentials would name an issuer (did:web) and a status list "
            "that wallets and verifiers can't resolve, and those names can't change once issued.",
            hint="Set SITE_URL to the site's public https:// origin before issuing certificates.",
            id="cohorts.W001",
        )
    ]
