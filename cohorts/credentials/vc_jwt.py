"""The VC-JWT form of an OpenBadgeCredential (OB 3.0, "JSON Web Token Proof Format"): a Compact JWS signed RS256,
its payload the credential plus the claims ``iss``, ``jti``, ``nbf``, ``sub`` and ``exp``. Offered besides the
Data Integrity proof, never instead: some verifiers (the Digital Credentials Consortium's) reject JWT-secured
badges. Pure: no Django; keys are passed in.
"""

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.hashes import SHA256

ALGORITHM = "RS256"
CLAIMS = ("iss", "jti", "nbf", "sub", "exp")
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class JwtError(Exception):
    """``code`` is stable: ``jwt_malformed``, ``unsupported_algorithm``, ``unknown_verification_method``,
    ``invalid_signature``, ``claims_mismatch``."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def looks_like_jwt(text: str) -> bool:
    return bool(_COMPACT_JWS.fullmatch(text))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64url_decode(text: str) -> bytes:
    """Only the canonical encoding: a last character whose unused bits are set would decode to the same bytes, so
    a changed token could still verify."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("jwt_malformed", "not base64url") from exc
    if _b64url(data) != text:
        raise JwtError("jwt_malformed", "not canonical base64url")
    return data


def _int_b64(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def rsa_jwk(public_key: RSAPublicKey) -> dict[str, str]:
    """The public key as a JWK (``kty``, ``n``, ``e``): never the private parts."""
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _int_b64(numbers.n), "e": _int_b64(numbers.e)}


def rsa_from_jwk(jwk: dict[str, str]) -> RSAPublicKey:
    return RSAPublicNumbers(
        e=int.from_bytes(_b64url_decode(jwk["e"]), "big"), n=int.from_bytes(_b64url_decode(jwk["n"]), "big")
    ).public_key()


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 of the required members, in order, without whitespace."""
    required = json.dumps({"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":"))
    return _b64url(hashlib.sha256(required.encode("ascii")).digest())


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value).timestamp())


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    subject_id = credential["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"])
    return claims


def encode(credential: dict[str, Any], *, private_key: RSAPrivateKey, kid: str) -> str:
    """The Compact JWS of ``credential`` (with its Data Integrity proof, if it has one: the JWT comes last)."""
    header = {"alg": ALGORITHM, "kid": kid, "typ": "JWT"}
    payload = {**credential, **_claims(credential)}
    signing_input = (
        _b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + _b64url(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    )
    signature = private_key.sign(signing_input.encode("ascii"), PKCS1v15(), SHA256())
    return signing_input + "." + _b64url(signature)


def _json_object(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url_decode(segment).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise JwtError("jwt_malformed", "a segment is not JSON") from exc
    if not isinstance(value, dict):
        raise JwtError("jwt_malformed", "a segment is not a JSON object")
    return value


def unverified_credential(token: str) -> dict[str, Any]:
    """The credential a token carries (its payload without the JWT claims), before any check of the signature."""
    if not looks_like_jwt(token):
        raise JwtError("jwt_malformed", "not a Compact JWS")
    payload = _json_object(token.split(".")[1])
    return {key: value for key, value in payload.items() if key not in CLAIMS}


def check(token: str, *, public_key_for: Callable[[str], RSAPublicKey | None]) -> None:
    """Raises JwtError unless ``token`` is signed RS256 by the key its ``kid`` names (``public_key_for(kid)``) and
    its claims match the credential, as OB 3.0 "Verify a Credential VC-JWT Signature" requires."""
    if not looks_like_jwt(token):
        raise JwtError("jwt_malformed", "not a Compact JWS")
    header_segment, payload_segment, signature_segment = token.split(".")
    header = _json_object(header_segment)
    if header.get("alg") != ALGORITHM:
        raise JwtError("unsupported_algorithm", str(header.get("alg")))
    if set(header) - {"alg", "kid", "typ"} or header.get("typ", "JWT") != "JWT":
        raise JwtError("jwt_malformed", "OB 3.0 allows no other JOSE headers")
    kid = header.get("kid")
    public_key = public_key_for(kid) if isinstance(kid, str) else None
    if public_key is None:
        raise JwtError("unknown_verification_method", str(kid))
    try:
        public_key.verify(
            _b64url_decode(signature_segment),
            f"{header_segment}.{payload_segment}".encode("ascii"),
            PKCS1v15(),
            SHA256(),
        )
    except InvalidSignature as exc:
        raise JwtError("invalid_signature") from exc
    payload = _json_object(payload_segment)
    credential = {key: value for key, value in payload.items() if key not in CLAIMS}
    try:
        expected = _claims(credential)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise JwtError("claims_mismatch", "the credential lacks what the claims repeat") from exc
    if {claim: payload.get(claim) for claim in CLAIMS if claim in payload or claim in expected} != expected:
        raise JwtError("claims_mismatch", "iss, jti, nbf, sub or exp differ from the credential")
