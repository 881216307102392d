"""The issuer's public documents and the verification endpoint, over HTTP: what wallets and verifiers see."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from cohorts.credentials.keys import issuer_id, public_key, public_multikey
from cohorts.credentials.linked_data import canonicalize
from cohorts.credentials.proofs import check_proof
from cohorts.credentials.services import credential_issue, serialize, status_entry_allocate, status_list_revoke
from tests.assertions import assert_error
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
            recipient_name="José García",
            valid_from=ISSUED_AT,
            status_entry=entry,
        )
    return credential, entry


def _post(client: Client, body: bytes):
    return client.post("/api/v1/credentials/verify", data=body, content_type="application/json")


def test_the_issuer_is_a_did_web_whose_document_holds_the_key_proofs_name(issued):
    credential, _entry = issued
    client = Client()

    response = client.get("/.well-known/did.json")  # where did:web:127.0.0.1%3A8000 resolves

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    did = response.json()
    method = credential["proof"]["verificationMethod"]
    assert did["id"] == credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    assert did["assertionMethod"] == [method]
    assert did["verificationMethod"] == [
        {"id": method, "type": "Multikey", "controller": did["id"], "publicKeyMultibase": public_multikey()}
    ]
    canonicalize(did)  # valid JSON-LD with the contexts we ship, no term dropped


def test_a_site_url_with_a_port_and_a_path_gives_the_did_web_spelling(settings):
    settings.SITE_URL = "https://learn.example.com:8443/stagewise"
    assert issuer_id() == "did:web:learn.example.com%3A8443:stagewise"


def test_the_issuer_profile_and_key_are_published_at_stable_urls(issued):
    credential, _entry = issued
    client = Client()

    profile = client.get("/credentials/issuer")
    assert profile.status_code == 200
    assert profile["Content-Type"] == "application/ld+json"
    assert profile.json()["id"] == credential["issuer"]["id"]
    assert profile.json()["type"] == ["Profile"]
    canonicalize(profile.json())

    key = client.get(f"/credentials/issuer/keys/{public_multikey()}")
    assert key.status_code == 200
    assert key.json()["id"] == credential["proof"]["verificationMethod"]
    assert key.json()["publicKeyMultibase"] == public_multikey()
    canonicalize(key.json())
    assert client.get("/credentials/issuer/keys/z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwX").status_code == 404


def test_the_status_list_is_served_signed_with_an_etag_and_revalidates_with_304(issued):
    _credential, entry = issued
    client = Client()
    url = f"/credentials/status/{entry.status_list_id}"

    first = client.get(url)
    assert first.status_code == 200
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"
    listed = json.loads(first.content)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    check_proof(listed, public_key=public_key())
    again = client.get(url)
    assert again.content == first.content  # served as stored, not signed per request

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert client.get("/credentials/status/999").status_code == 404
    assert client.get("/credentials/status/" + "9" * 30).status_code == 404  # past any integer column: not a 500


def test_the_verify_endpoint_names_the_failed_check(issued):
    credential, entry = issued
    client = Client()
    presented = serialize(credential).encode()

    with time_machine.travel(ISSUED_AT + timedelta(days=2), tick=False):
        ok = _post(client, presented).json()
        tampered = _post(client, presented.replace("José".encode(), b"Jose")).json()
        status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)
        revoked = _post(client, presented).json()

    assert ok["verified"] is True and ok["failed_check"] is None and ok["code"] == "ok"
    assert [check["check"] for check in ok["checks"]] == ["schema", "proof", "status", "validity_dates"]
    assert (tampered["verified"], tampered["failed_check"], tampered["code"]) == (False, "proof", "invalid_signature")
    assert (revoked["failed_check"], revoked["code"]) == ("status", "revoked")


def test_the_verify_endpoint_answers_in_chinese_too(issued):
    credential, _entry = issued
    credential["validUntil"] = "2026-07-01T00:00:00Z"
    body = _post(Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), serialize(credential).encode()).json()
    assert body["failed_check"] == "proof"
    assert body["message"] == "签名不符：凭证在签发后被改动过。"


def test_an_oversized_document_is_a_413_with_its_code(settings):
    settings.CREDENTIALS_MAX_DOCUMENT_BYTES = 1024
    body = assert_error(_post(Client(), json.dumps({"padding": "x" * 2000}).encode()), 413, "credential_too_large")
    assert body["details"] == {"limit": 1024}


def test_the_verify_endpoint_is_documented_with_its_errors():
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/credentials/verify"]["post"]
    assert {"200", "413"} <= set(operation["responses"])
    assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "object"
