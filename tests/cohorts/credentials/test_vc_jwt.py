"""The VC-JWT (RS256) form, offered besides the Data Integrity proof: issued from the signed credential, verified
with the same four checks, its key published where its ``kid`` points."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256
from django.test import Client

from cohorts.credentials.keys import jwt_kid, jwt_public_key, jwt_signing_key
from cohorts.credentials.services import credential_issue, credential_jwt, status_entry_allocate, status_list_revoke
from cohorts.credentials.vc_jwt import rsa_from_jwk
from cohorts.credentials.verification import credential_verify
from tests.cohorts.credentials.test_verification import ACHIEVEMENT, ISSUED_AT, SEED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _issuer_key(settings):
    settings.CREDENTIALS_SIGNING_KEY = SEED


@pytest.fixture
def issued():
    with time_machine.travel(ISSUED_AT, tick=False):
        entry = status_entry_allocate()
        credential = credential_issue(
            credential_id="http://127.0.0.1:8000/verify/3f2a9c",
            name="Certificate of completion",
            achievement=ACHIEVEMENT,
            recipient_name="𠮷野家 花子",
            recipient_id="mailto:hanako@example.com",
            valid_from=ISSUED_AT,
            valid_until=ISSUED_AT + timedelta(days=365),
            status_entry=entry,
        )
    return credential, credential_jwt(credential), entry


def _segment(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _signed_by(private_key, header: dict, payload: dict) -> str:
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = private_key.sign(signing_input.encode(), PKCS1v15(), SHA256())
    return signing_input + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


def _verify(token: str, *, days_after: int = 1):
    with time_machine.travel(ISSUED_AT + timedelta(days=days_after), tick=False):
        return credential_verify(token)


def test_the_jwt_carries_the_signed_credential_and_the_claims_and_verifies(issued):
    credential, token, _entry = issued
    header, payload = (json.loads(base64.urlsafe_b64decode(part + "==")) for part in token.split(".")[:2])

    assert header == {"alg": "RS256", "kid": jwt_kid(), "typ": "JWT"}
    assert payload["iss"] == credential["issuer"]["id"]
    assert payload["jti"] == credential["id"]
    assert payload["sub"] == "mailto:hanako@example.com"
    assert payload["nbf"] == int(ISSUED_AT.timestamp())
    assert payload["exp"] == int((ISSUED_AT + timedelta(days=365)).timestamp())
    assert payload["proof"] == credential["proof"]  # the Data Integrity proof first, the JWT besides it
    result = _verify(token)
    assert result.verified, result.checks


def test_the_kid_serves_the_public_jwk(issued):
    _credential, token, _entry = issued
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    client = Client()

    jwk = client.get(kid.removeprefix("http://127.0.0.1:8000")).json()

    assert "d" not in jwk
    assert rsa_from_jwk(jwk).public_numbers() == jwt_public_key().public_numbers()
    assert client.get("/credentials/issuer/jwks").json() == {"keys": [jwk]}
    assert client.get("/credentials/issuer/jwks/not-this-one").status_code == 404


def test_any_changed_byte_of_the_jwt_fails(issued):
    _credential, token, _entry = issued
    with time_machine.travel(ISSUED_AT + timedelta(days=1), tick=False):
        for position in range(len(token)):
            changed = bytearray(token.encode())
            changed[position] ^= 0x01
            result = credential_verify(bytes(changed))
            assert not result.verified, f"byte {position} changed and the token still verifies"
            assert result.failed_check in {"schema", "proof"}


def test_a_revoked_or_expired_jwt_fails_status_or_validity(issued):
    _credential, token, entry = issued
    expired = _verify(token, days_after=365)
    assert (expired.failed_check, expired.failed.code) == ("validity_dates", "expired")

    status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)
    revoked = _verify(token)
    assert (revoked.failed_check, revoked.failed.code) == ("status", "revoked")


def test_tokens_with_another_algorithm_key_or_claims_fail_the_proof(issued):
    credential, token, _entry = issued
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    unsigned = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{token.split('.')[1]}.AAAA"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = _signed_by(other_key, {"alg": "RS256", "kid": jwt_kid(), "typ": "JWT"}, payload)
    mismatched = _signed_by(
        jwt_signing_key(), {"alg": "RS256", "kid": jwt_kid(), "typ": "JWT"}, {**payload, "jti": "urn:uuid:other"}
    )

    assert _verify(unsigned).failed.code == "unsupported_algorithm"
    assert _verify(forged).failed.code == "invalid_signature"
    assert _verify(mismatched).failed.code == "claims_mismatch"
    assert {_verify(t).failed_check for t in (unsigned, forged, mismatched)} == {"proof"}


def test_the_verify_endpoint_takes_a_jwt_too(issued):
    _credential, token, _entry = issued
    with time_machine.travel(ISSUED_AT + timedelta(days=1), tick=False):
        body = Client().post("/api/v1/credentials/verify", data=token, content_type="application/jwt").json()
    assert body["verified"] is True
