"""Issuing and verifying this site's Open Badges 3.0 credentials: the real database, the real key handling, no
network. Each verification names the first check that failed, in the specification's order."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from cohorts.credentials import bitstring
from cohorts.credentials.documents import Achievement
from cohorts.credentials.keys import public_key, public_multikey
from cohorts.credentials.models import StatusList, StatusListEntry
from cohorts.credentials.proofs import check_proof
from cohorts.credentials.services import (
    credential_issue,
    serialize,
    status_entry_allocate,
    status_list_revoke,
)
from cohorts.credentials.verification import CHECKS, CredentialTooLarge, credential_verify
from tests.concurrency import run_at_once

pytestmark = pytest.mark.django_db

ISSUED_AT = datetime(2026, 6, 30, 10, 0, tzinfo=UTC)
# The 1EdTech test vector's seed: its Multikey is known (tests/cohorts/credentials/test_vectors.py).
SEED = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
ACHIEVEMENT = Achievement(
    id="http://127.0.0.1:8000/courses/python-beginner/",
    name="Python for Data · 初级",
    description="Completed the 7-day beginner stage of Python for Data.",
    criteria_narrative="Checked in on at least 80 % of the cohort's days and handed in the final task.",
    image_url="http://127.0.0.1:8000/static/badges/python-beginner.png",
)


@pytest.fixture(autouse=True)
def _issuer_key(settings):
    settings.CREDENTIALS_SIGNING_KEY = SEED


def _issue(*, valid_until: datetime | None = None, revocable: bool = True) -> tuple[dict, StatusListEntry | None]:
    with time_machine.travel(ISSUED_AT, tick=False):
        entry = status_entry_allocate() if revocable else None
        credential = credential_issue(
            credential_id="http://127.0.0.1:8000/verify/3f2a9c",
            name="Certificate of completion",
            achievement=ACHIEVEMENT,
            recipient_name="张伟",
            valid_from=ISSUED_AT,
            valid_until=valid_until,
            status_entry=entry,
        )
    return credential, entry


def _verify_at(instant: datetime, presented):
    with time_machine.travel(instant, tick=False):
        return credential_verify(presented)


def test_an_issued_credential_is_an_open_badge_signed_with_eddsa_rdfc_2022_and_verifies():
    credential, entry = _issue()

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"].startswith("Checked in")
    assert achievement["image"] == {"id": ACHIEVEMENT.image_url, "type": "Image"}
    assert credential["credentialStatus"]["statusListIndex"] == str(entry.index)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    assert credential["proof"]["verificationMethod"] == "did:web:127.0.0.1%3A8000#" + public_multikey()
    assert public_multikey() == "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"

    result = _verify_at(ISSUED_AT + timedelta(days=1), serialize(credential).encode())
    assert result.verified
    assert [check.check for check in result.checks] == list(CHECKS)


def test_any_changed_byte_fails_and_names_the_check():
    credential, _entry = _issue()
    presented = serialize(credential).encode()
    failed_checks = set()
    # Every byte, each changed to another (a flipped low bit keeps most bytes printable, so the JSON often still parses
    # and the proof or the schema has to catch it).
    with time_machine.travel(ISSUED_AT + timedelta(days=1), tick=False):
        for position in range(len(presented)):
            changed = bytearray(presented)
            changed[position] ^= 0x01
            result = credential_verify(bytes(changed))
            assert not result.verified, f"byte {position} changed and the credential still verifies"
            assert result.failed_check in {"schema", "proof"}
            failed_checks.add((result.failed_check, result.failed.code))
    assert ("proof", "invalid_signature") in failed_checks
    assert ("schema", "not_json") in failed_checks


def test_a_revoked_credential_fails_the_status_check():
    credential, entry = _issue()
    before = StatusList.objects.get(pk=entry.status_list_id).etag

    status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)

    result = _verify_at(ISSUED_AT + timedelta(days=1), serialize(credential))
    assert result.failed_check == "status"
    assert result.failed.code == "revoked"
    assert [check.check for check in result.checks] == ["schema", "proof", "status"]
    status_list = StatusList.objects.get(pk=entry.status_list_id)
    assert status_list.etag != before  # signed again
    published = json.loads(status_list.document)
    check_proof(published, public_key=public_key())
    bits = bitstring.decode(published["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072
    assert bitstring.is_set(bits, entry.index)


def test_revoking_twice_changes_nothing_more():
    _credential, entry = _issue()
    status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)
    signed = StatusList.objects.get(pk=entry.status_list_id)

    status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)

    assert StatusList.objects.get(pk=entry.status_list_id).document == signed.document


def test_an_expired_credential_fails_the_validity_dates_and_a_future_one_too():
    credential, _entry = _issue(valid_until=ISSUED_AT + timedelta(days=365))

    assert _verify_at(ISSUED_AT + timedelta(days=364), credential).verified
    expired = _verify_at(ISSUED_AT + timedelta(days=365), credential)
    assert (expired.failed_check, expired.failed.code) == ("validity_dates", "expired")
    early = _verify_at(ISSUED_AT - timedelta(seconds=1), credential)
    assert (early.failed_check, early.failed.code) == ("validity_dates", "not_yet_valid")


def test_a_credential_without_status_skips_nothing_but_passes_the_status_check():
    credential, _entry = _issue(revocable=False)
    result = _verify_at(ISSUED_AT, credential)
    assert result.verified


def test_an_oversized_document_is_refused_before_it_is_read(settings):
    settings.CREDENTIALS_MAX_DOCUMENT_BYTES = 4096
    credential, _entry = _issue()
    padded = serialize(credential)[:-1] + "," + json.dumps({"padding": "x" * 5000})[1:]
    with pytest.raises(CredentialTooLarge) as refusal:
        credential_verify(padded.encode())
    assert refusal.value.status == 413
    assert refusal.value.code == "credential_too_large"


def test_a_context_we_do_not_ship_fails_the_schema_check():
    credential, _entry = _issue()
    credential["@context"] = [*credential["@context"], "https://example.org/contexts/extra.jsonld"]
    result = _verify_at(ISSUED_AT, credential)
    assert (result.failed_check, result.failed.code) == ("schema", "context_not_shipped")


def test_a_credential_signed_by_another_key_fails_the_proof(settings):
    credential, _entry = _issue()
    settings.CREDENTIALS_SIGNING_KEY = "11" * 32  # the site's key changes: the old proof names a key it doesn't hold
    result = _verify_at(ISSUED_AT, credential)
    assert (result.failed_check, result.failed.code) == ("proof", "unknown_verification_method")


def test_an_added_property_fails_the_proof_even_where_no_context_defines_it():
    credential, _entry = _issue()
    credential["credentialSubject"]["grade"] = "A+"
    result = _verify_at(ISSUED_AT, credential)
    assert (result.failed_check, result.failed.code) == ("proof", "undefined_term")


def test_status_indices_are_random_and_unique_in_their_list():
    entries = [status_entry_allocate() for _ in range(40)]

    indices = [entry.index for entry in entries]
    assert len(set(indices)) == 40
    assert indices != sorted(indices)  # not "last + 1"; odds of 40 random draws coming out sorted: 1 in 40!
    assert max(indices) - min(indices) > 1000
    assert len({entry.status_list_id for entry in entries}) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusListEntry.objects.create(status_list_id=entries[0].status_list_id, index=entries[0].index)


def test_the_signing_key_setting_must_be_an_ed25519_seed(settings):
    settings.CREDENTIALS_SIGNING_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured):
        public_multikey()


def test_without_a_key_in_the_environment_one_is_generated_once_into_var(tmp_path, monkeypatch):
    from stagewise import settings as project_settings

    monkeypatch.delenv("CREDENTIALS_SIGNING_KEY", raising=False)
    monkeypatch.setattr(project_settings, "VAR_DIR", tmp_path)

    first = project_settings._credentials_signing_key()
    second = project_settings._credentials_signing_key()

    assert first == second
    assert len(bytes.fromhex(first)) == 32
    assert (tmp_path / "credentials_signing_key").stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("CREDENTIALS_JWT_KEY", raising=False)
    pem = project_settings._credentials_jwt_key()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert project_settings._credentials_jwt_key() == pem
    assert (tmp_path / "credentials_jwt_key.pem").stat().st_mode & 0o777 == 0o600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["credentials_jwt_key.pem", "credentials_signing_key"]


def test_deeply_nested_json_fails_the_schema_check_rather_than_the_server():
    result = credential_verify(b"[" * 20_000 + b"]" * 20_000)
    assert (result.failed_check, result.failed.code) == ("schema", "not_json")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_revocations_at_once_all_end_up_in_the_signed_list():
    entries = [status_entry_allocate() for _ in range(6)]

    run_at_once(
        [
            lambda entry=entry: status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)
            for entry in entries
        ]
    )

    published = json.loads(StatusList.objects.get(pk=entries[0].status_list_id).document)
    bits = bitstring.decode(published["credentialSubject"]["encodedList"])
    assert all(bitstring.is_set(bits, entry.index) for entry in entries)
