"""The issuer's Ed25519 key: the private half from settings (``CREDENTIALS_SIGNING_KEY``, else generated once into
``var/``; never a database row), the public half published as a Multikey at a stable URL."""

from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from cohorts.credentials.multibase import ed25519_multikey


@lru_cache(maxsize=4)
def _private_key(seed_hex: str) -> Ed25519PrivateKey:
    try:
        seed = bytes.fromhex(seed_hex)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured("CREDENTIALS_SIGNING_KEY must be an Ed25519 seed: 64 hexadecimal characters.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key() -> Ed25519PrivateKey:
    return _private_key(settings.CREDENTIALS_SIGNING_KEY)


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_multikey() -> str:
    """``z6Mk…``: the public key as a Multikey's ``publicKeyMultibase``."""
    return ed25519_multikey(public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def issuer_id() -> str:
    """The issuer Profile's id, where the profile is served."""
    return settings.SITE_URL + reverse("cohorts:credentials_issuer")


def verification_method_id() -> str:
    """The id of the current key, where its Multikey document is served (proofs name it as verificationMethod)."""
    return settings.SITE_URL + reverse("cohorts:credentials_key", args=[public_multikey()])
