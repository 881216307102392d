"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa), Ed25519 through
``cryptography``. Pure: no Django; keys are passed in.

Signing (the specification's transformation, hashing and serialization):
1. proof configuration = the proof's options without ``proofValue``, with the document's ``@context``;
2. canonicalise it and the document without ``proof`` with RDFC-1.0; SHA-256 each;
3. sign ``sha256(proof configuration) + sha256(document)`` with Ed25519; ``proofValue`` is the signature in
   base58btc multibase (``z…``).
"""

import hashlib
import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cohorts.credentials.linked_data import CanonicalizationError, canonicalize
from cohorts.credentials.multibase import multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"


class ProofError(Exception):
    """The proof does not hold. ``code`` is stable: ``proof_missing``, ``proof_malformed``,
    ``unsupported_cryptosuite``, ``wrong_proof_purpose``, ``unknown_verification_method``, ``invalid_signature``, or
    a CanonicalizationError's code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def xsd_datetime(instant: datetime) -> str:
    """``2026-12-07T16:00:00Z``: UTC, whole seconds, as credentials and proofs write instants."""
    return instant.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_data(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    """What is signed: ``sha256(canonical proof configuration) + sha256(canonical document)``. ``document`` is
    without ``proof``; ``proof_config`` is without ``proofValue`` and gets the document's ``@context``."""
    config = {"@context": document["@context"], **{k: v for k, v in proof_config.items() if k != "@context"}}
    config_hash = _config_hash(json.dumps(config, ensure_ascii=False))
    document_hash = hashlib.sha256(canonicalize(document).encode("utf-8")).digest()
    return config_hash + document_hash


@lru_cache(maxsize=16)
def _config_hash(config_json: str) -> bytes:
    """sha256 of the canonical proof configuration, given as its JSON. Cached by that text, which determines the
    result (the contexts are the shipped ones): every credential a worker signs within the same second by the same
    key has the same configuration, and canonicalising it was a fifth of signing one (bench/bench_certificates.py)."""
    return hashlib.sha256(canonicalize(json.loads(config_json)).encode("utf-8")).digest()


def add_proof(
    document: dict[str, Any], *, private_key: Ed25519PrivateKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof (any proof it had is replaced)."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_config = {
        "type": PROOF_TYPE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = private_key.sign(hash_data(unsecured, proof_config))
    return {**unsecured, "proof": {**proof_config, "proofValue": multibase_encode(signature)}}


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The one eddsa-rdfc-2022 proof on ``document``, its shape checked; ProofError otherwise."""
    proof = document.get("proof")
    if proof is None:
        raise ProofError("proof_missing")
    if not isinstance(proof, dict):
        raise ProofError("proof_malformed", "expected one proof object")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("unsupported_cryptosuite", f"{proof.get('type')} / {proof.get('cryptosuite')}")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError("wrong_proof_purpose", str(proof.get("proofPurpose")))
    if not isinstance(proof.get("verificationMethod"), str) or not isinstance(proof.get("proofValue"), str):
        raise ProofError("proof_malformed", "verificationMethod and proofValue must be strings")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("proof_malformed", "the proof's @context differs from the document's")
    return proof


def check_proof(document: dict[str, Any], *, public_key: Ed25519PublicKey) -> None:
    """Raises ProofError unless ``document`` carries a valid eddsa-rdfc-2022 proof by ``public_key``."""
    proof = proof_of(document)
    try:
        signature = multibase_decode(proof["proofValue"])
    except ValueError as exc:
        raise ProofError("proof_malformed", "proofValue is not base58btc multibase") from exc
    if len(signature) != 64:
        raise ProofError("proof_malformed", "an Ed25519 signature has 64 bytes")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_config = {key: value for key, value in proof.items() if key != "proofValue"}
    try:
        data = hash_data(unsecured, proof_config)
    except CanonicalizationError as exc:
        raise ProofError(exc.code, exc.detail) from exc
    try:
        public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise ProofError("invalid_signature") from exc
