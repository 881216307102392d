"""The issuer's Ed25519 key: the private half from settings (``CREDENTIALS_SIGNING_KEY``, else generated once into
``var/``; never a database row), the public half published as a Multikey at stable HTTPS URLs.

The issuer is ``did:web:<SITE_URL's host>``: wallets and verifiers (the Digital Credentials Consortium's among them)
resolve did:web and did:key issuers, not arbitrary https key URLs. did:web resolves to
``https://<host>/.well-known/did.json`` (``<SITE_URL>/did.json`` when SITE_URL has a path), which we serve.
"""

from functools import lru_cache
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from cohorts.credentials.multibase import ed25519_multikey
from cohorts.credentials.vc_jwt import jwk_thumbprint, rsa_jwk


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


@lru_cache(maxsize=4)
def _jwt_private_key(pem: str) -> RSAPrivateKey:
    try:
        key = load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("CREDENTIALS_JWT_KEY must be an unencrypted RSA private key in PEM.") from exc
    if not isinstance(key, RSAPrivateKey) or key.key_size < 2048:
        raise ImproperlyConfigured("CREDENTIALS_JWT_KEY must be an RSA key of at least 2048 bits.")
    return key


def jwt_signing_key() -> RSAPrivateKey:
    """The RSA key of the optional VC-JWT (RS256) form."""
    return _jwt_private_key(settings.CREDENTIALS_JWT_KEY)


def jwt_public_key() -> RSAPublicKey:
    return jwt_signing_key().public_key()


def jwt_public_jwk() -> dict[str, str]:
    """The VC-JWT key as a public JWK, with its ``kid`` (the URL it is served at), ``alg`` and ``use``."""
    jwk = rsa_jwk(jwt_public_key())
    return {**jwk, "kid": jwt_kid(), "alg": "RS256", "use": "sig"}


def jwt_kid() -> str:
    """The JOSE ``kid`` of the VC-JWT key: an HTTPS URL that serves its JWK (OB 3.0 dereferences it)."""
    thumbprint = jwk_thumbprint(rsa_jwk(jwt_public_key()))
    return settings.SITE_URL + reverse("cohorts:credentials_jwk", args=[thumbprint])
