"""The JSON-LD documents Stagewise issues and publishes, built from plain data: the OpenBadgeCredential, the issuer
Profile, the key's Multikey document and the BitstringStatusListCredential. Nothing here signs or writes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from cohorts.credentials import bitstring
from cohorts.credentials.keys import issuer_id, public_multikey, verification_method_id
from cohorts.credentials.linked_data import DID_V1, MULTIKEY_V1, OB_V3P0, VC_V2
from cohorts.credentials.proofs import xsd_datetime

if TYPE_CHECKING:
    from cohorts.credentials.models import StatusList, StatusListEntry

CREDENTIAL_CONTEXT = [VC_V2, OB_V3P0]
STATUS_PURPOSE = "revocation"


@dataclass(frozen=True)
class Achievement:
    """What was achieved: a course's stage, say. ``id`` is a stable URL of the achievement (the course page);
    ``criteria_narrative`` says what it took (markdown allowed by the specification)."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    criteria_id: str | None = None
    achievement_type: str | None = "CertificateOfCompletion"  # OB 3.0's AchievementType vocabulary
    image_url: str | None = None  # the badge wallets show (a PNG or SVG URL, or a data: URI)


def issuer_profile() -> dict[str, Any]:
    """The issuer Profile as a credential embeds it."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.CREDENTIALS_ISSUER_NAME,
        "url": settings.SITE_URL,
    }


def issuer_profile_document() -> dict[str, Any]:
    """The issuer Profile as published at its id."""
    return {"@context": CREDENTIAL_CONTEXT, **issuer_profile()}


def _verification_method() -> dict[str, Any]:
    return {
        "id": verification_method_id(),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": public_multikey(),
    }


def key_document() -> dict[str, Any]:
    """The current key as a Multikey document (the proofs' verificationMethod, on its own)."""
    return {"@context": MULTIKEY_V1, **_verification_method()}


def did_document() -> dict[str, Any]:
    """The issuer's did:web DID document: its key, for assertions (signing credentials)."""
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": issuer_id(),
        "verificationMethod": [_verification_method()],
        "assertionMethod": [verification_method_id()],
    }


def status_list_url(status_list_id: int) -> str:
    return settings.SITE_URL + reverse("cohorts:credentials_status_list", args=[status_list_id])


def status_entry_document(entry: "StatusListEntry") -> dict[str, Any]:
    """A credential's ``credentialStatus``: its bit in a status list."""
    list_url = status_list_url(entry.status_list_id)
    return {
        "id": f"{list_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(entry.index),
        "statusListCredential": list_url,
    }


def credential_build(
    *,
    credential_id: str,
    name: str,
    achievement: Achievement,
    recipient_name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status_entry: "StatusListEntry | None" = None,
    recipient_id: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (VC 2.0) from this site's issuer for ``recipient_name``.

    ``credential_id`` is a stable URL of this credential (the certificate's verification page); ``recipient_id`` a
    URI for the learner if they have one (a DID, a mailto:), otherwise the learner is identified by name.
    """
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient_id:
        subject["id"] = recipient_id
    subject["name"] = recipient_name
    subject["identifier"] = [
        {"type": "IdentityObject", "identityHash": recipient_name, "identityType": "name", "hashed": False}
    ]
    criteria: dict[str, Any] = {"narrative": achievement.criteria_narrative}
    if achievement.criteria_id:
        criteria["id"] = achievement.criteria_id
    achievement_doc: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "name": achievement.name,
        "description": achievement.description,
        "criteria": criteria,
    }
    if achievement.achievement_type:
        achievement_doc["achievementType"] = achievement.achievement_type
    if achievement.image_url:
        achievement_doc["image"] = {"id": achievement.image_url, "type": "Image"}
    subject["achievement"] = achievement_doc

    credential: dict[str, Any] = {
        "@context": CREDENTIAL_CONTEXT,
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(),
        "name": name,
    }
    if description:
        credential["description"] = description
    credential["validFrom"] = xsd_datetime(valid_from)
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    if status_entry is not None:
        credential["credentialStatus"] = status_entry_document(status_entry)
    return credential


def status_list_build(status_list: "StatusList", *, set_indices: Iterable[int], valid_from: datetime) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential with ``set_indices`` set."""
    list_url = status_list_url(status_list.pk)
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": bitstring.encode(set_indices, size=status_list.size),
        },
    }
