"""The 1EdTech Open Badges 3.0 test vector for eddsa-rdfc-2022 (OB 3.0 implementation guide, "Linked Data Proof
Test Vector for Open Badges 3.0"), reproduced byte for byte with the contexts we ship and no network."""

import copy
import hashlib
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

from cohorts.credentials import bitstring
from cohorts.credentials.linked_data import CONTEXTS_DIR, SHIPPED_CONTEXTS, CanonicalizationError, canonicalize
from cohorts.credentials.multibase import (
    base58btc_decode,
    base58btc_encode,
    ed25519_from_multikey,
    ed25519_multikey,
)
from cohorts.credentials.proofs import ProofError, add_proof, check_proof, hash_data

VECTORS = Path(__file__).parent / "vectors"
SEED = bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VERIFICATION_METHOD = f"https://example.edu/issuers/565049#{MULTIKEY}"
CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)
DOCUMENT_HASH = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
PROOF_HASH = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
SIGNATURE = (
    "f7a017acf7d27983267ec362657c0fb08e955549f49dac5bf36a03c4f2c3a4f1"
    "e3738a6c5ecd7ffba7135cb9cd754e6196f4b73082ea8df8e703c8ecd4333503"
)
PROOF_VALUE = "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and recognized upon review "
                "by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to collaborate within a group "
            "environment.",
            "name": "Teamwork",
        },
    },
}
PROOF_CONFIG = {
    "@context": CREDENTIAL["@context"],
    "type": "DataIntegrityProof",
    "created": "2010-01-01T19:23:24Z",
    "verificationMethod": VERIFICATION_METHOD,
    "cryptosuite": "eddsa-rdfc-2022",
    "proofPurpose": "assertionMethod",
}


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def test_the_key_pair_is_the_vectors_multikey():
    public = _key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert public.hex() == PUBLIC_HEX
    assert ed25519_multikey(public) == MULTIKEY
    assert ed25519_from_multikey(MULTIKEY) == public


def test_the_document_canonicalises_to_the_vectors_nquads_and_hash():
    nquads = canonicalize(CREDENTIAL)
    assert nquads == (VECTORS / "ob-v3p0-document-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == DOCUMENT_HASH


def test_the_proof_configuration_canonicalises_to_the_vectors_nquads_and_hash():
    nquads = canonicalize(PROOF_CONFIG)
    assert nquads == (VECTORS / "ob-v3p0-proof-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(nquads.encode()).hexdigest() == PROOF_HASH
    assert hash_data(CREDENTIAL, PROOF_CONFIG).hex() == PROOF_HASH + DOCUMENT_HASH


def test_signing_gives_the_vectors_signature_and_proof_value():
    signed = add_proof(CREDENTIAL, private_key=_key(), verification_method=VERIFICATION_METHOD, created=CREATED)
    assert signed["proof"] == {**{k: v for k, v in PROOF_CONFIG.items() if k != "@context"}, "proofValue": PROOF_VALUE}
    assert base58btc_decode(PROOF_VALUE[1:]).hex() == SIGNATURE


def test_the_vectors_signed_credential_verifies_and_a_changed_one_does_not():
    signed = {**copy.deepcopy(CREDENTIAL), "proof": {**PROOF_CONFIG, "proofValue": PROOF_VALUE}}
    del signed["proof"]["@context"]
    check_proof(signed, public_key=_key().public_key())

    signed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    with pytest.raises(ProofError) as failure:
        check_proof(signed, public_key=_key().public_key())
    assert failure.value.code == "invalid_signature"


def test_a_proof_configuration_checked_before_answers_only_for_itself():
    """The canonical proof configuration is cached by its JSON (identical for every credential signed in the same
    second): a proof whose configuration differs by one character, checked right after, is its own."""
    signed = {**copy.deepcopy(CREDENTIAL), "proof": {**PROOF_CONFIG, "proofValue": PROOF_VALUE}}
    del signed["proof"]["@context"]
    check_proof(signed, public_key=_key().public_key())
    assert hash_data(CREDENTIAL, PROOF_CONFIG).hex() == PROOF_HASH + DOCUMENT_HASH

    signed["proof"]["created"] = "2010-01-01T19:23:25Z"
    with pytest.raises(ProofError) as failure:
        check_proof(signed, public_key=_key().public_key())
    assert failure.value.code == "invalid_signature"
    assert hash_data(CREDENTIAL, PROOF_CONFIG).hex() == PROOF_HASH + DOCUMENT_HASH


def _stock_canonical(document: dict) -> str:
    """pyld's own processor, with no memory of type-scoped contexts: what ``canonicalize`` must always agree with."""
    from pyld.context_resolver import ContextResolver
    from pyld.jsonld import JsonLdProcessor

    from cohorts.credentials.linked_data import document_loader

    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader,
        "contextResolver": ContextResolver({}, document_loader),
    }
    return JsonLdProcessor().normalize(copy.deepcopy(document), options)


def test_remembered_type_scoped_contexts_give_pyld_s_own_answer_every_time():
    """``canonicalize`` remembers what each type's scoped context gives (a third of the time per credential). Nested
    typed nodes, a node typed twice, a document's own inline type-scoped context, and the same shapes again with
    other values: every answer is pyld's own."""
    recipient = copy.deepcopy(CREDENTIAL)
    recipient["credentialSubject"]["identifier"] = [
        {"type": "IdentityObject", "identityHash": "张伟", "identityType": "name", "hashed": False}
    ]
    recipient["credentialSubject"]["achievement"]["type"] = ["Achievement", "Achievement"]
    inline = copy.deepcopy(CREDENTIAL)
    inline["@context"] = [
        *CREDENTIAL["@context"],
        {"Local": {"@id": "https://example.com/Local", "@context": {"note": "https://example.com/note"}}},
    ]
    inline["credentialSubject"]["achievement"]["type"] = ["Achievement", "Local"]
    inline["credentialSubject"]["achievement"]["note"] = "kept only inside a Local node"
    documents = [CREDENTIAL, PROOF_CONFIG, recipient, inline]
    for round_ in range(3):
        for document in documents:
            varied = copy.deepcopy(document)
            varied["name"] = f"Teamwork Badge {round_}"
            assert canonicalize(varied) == _stock_canonical(varied)
    assert "https://example.com/note" in canonicalize(inline)


def test_a_context_that_is_not_shipped_is_refused_without_fetching_it(monkeypatch):
    """The machine has no network, so a fetch would fail anyway: the socket guard (the one stand-in here) shows that
    none is even attempted, by canonicalize or by pyld called without a loader."""
    connections: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    document = {**CREDENTIAL, "@context": [*CREDENTIAL["@context"], "https://example.org/contexts/extra.jsonld"]}

    with pytest.raises(CanonicalizationError) as failure:
        canonicalize(document)
    with pytest.raises(jsonld.JsonLdError):
        jsonld.expand(document)

    assert failure.value.code == "context_not_shipped"
    assert failure.value.detail == "https://example.org/contexts/extra.jsonld"
    assert connections == []


def test_a_property_no_context_defines_is_refused_rather_than_dropped_unsigned():
    with pytest.raises(CanonicalizationError) as failure:
        canonicalize({**CREDENTIAL, "grade": "A+"})
    assert failure.value.code == "undefined_term"


def test_base58btc_keeps_leading_zero_bytes():
    assert base58btc_encode(b"\0\0\x01") == "112"
    assert base58btc_decode("112") == b"\0\0\x01"


def test_the_status_bitstring_sets_bits_from_the_left_and_roundtrips():
    encoded = bitstring.encode([0, 9, 131_071])
    bits = bitstring.decode(encoded)
    assert encoded.startswith("u")
    assert len(bits) == 131_072 // 8
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert [i for i in (0, 1, 8, 9, 131_071) if bitstring.is_set(bits, i)] == [0, 9, 131_071]
    assert bitstring.encode([9, 0, 131_071]) == encoded  # deterministic: same revocations, same bytes


def test_every_shipped_context_is_the_recorded_file_byte_for_byte():
    """A reformatted or edited context would canonicalise differently from everyone else's copy."""
    readme = (CONTEXTS_DIR / "README.md").read_text(encoding="utf-8")
    recorded = {
        cells[0].strip("` "): (cells[1].strip("` "), cells[3].strip("` "))
        for line in readme.splitlines()
        if line.startswith("| `http")
        for cells in [line.strip("|").split("|")]
    }
    assert recorded.keys() == SHIPPED_CONTEXTS.keys()
    for url, file_name in SHIPPED_CONTEXTS.items():
        assert recorded[url][0] == file_name
        assert hashlib.sha256((CONTEXTS_DIR / file_name).read_bytes()).hexdigest() == recorded[url][1], url
