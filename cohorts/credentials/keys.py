"""The issuer's Ed25519 key: the private half from settings (``CREDENTIALS_SIGNING_KEY``, else generated once into
``var/``; never a database row), the public half published as a Multikey at stable HTTPS URLs.

The issuer is ``did:web:<SITE_URL's host>``: wallets and verifiers (the Digital Credentials Consortium's among them)
resolve did:web and did:key issuers, not arbitrary https key URLs. did:web resolves to
``https://<host>/.well-known/did.json`` (``<SITE_URL>/did.json`` when SITE_URL has a path), which we serve.
"""

from functools import lru_cache
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
    """The issuer's id: ``did:web:`` + SITE_URL's host (a port as ``%3A``), then its path's segments, ``:``-separated."""
    site = urlsplit(settings.SITE_URL)
    segments = [quote(site.netloc, safe="")] + [quote(part, safe="") for part in site.path.split("/") if part]
    return "did:web:" + ":".join(segments)


def verification_method_id() -> str:
    """The current key's id in the issuer's DID document (proofs name it as verificationMethod)."""
    return f"{issuer_id()}#{public_multikey()}"
