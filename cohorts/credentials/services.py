"""Writes for verifiable credentials: signing credentials with the issuer's key, allocating status indices, and
revoking (which signs the status list again, once per change rather than once per request)."""

import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.credentials import vc_jwt
from cohorts.credentials.documents import Achievement, credential_build, status_list_build
from cohorts.credentials.keys import jwt_kid, jwt_signing_key, signing_key, verification_method_id
from cohorts.credentials.models import StatusList, StatusListEntry, StatusPurpose
from cohorts.credentials.proofs import add_proof
from stagewise.errors import Conflict, NotFound

# A list takes new entries until half its indices are taken, so a random draw collides at most half the time and
# these attempts all collide with odds under 2**-16; then a new list starts.
ALLOCATION_ATTEMPTS = 16


def serialize(document: dict[str, Any]) -> str:
    """The bytes we publish for a signed document: compact JSON, UTF-8 as is."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def credential_sign(credential: dict[str, Any], *, created: datetime | None = None) -> dict[str, Any]:
    """``credential`` with an eddsa-rdfc-2022 DataIntegrityProof by the issuer's current key (created now unless
    given). Raises CanonicalizationError if it uses a context we don't ship or a term no context defines."""
    return add_proof(
        credential,
        private_key=signing_key(),
        verification_method=verification_method_id(),
        created=created or timezone.now(),
    )


def credential_jwt(credential: dict[str, Any]) -> str:
    """The VC-JWT (RS256) form of a credential, offered besides its Data Integrity proof, never instead: pass the
    credential already signed by ``credential_sign`` (OB 3.0: the embedded proof comes first)."""
    return vc_jwt.encode(credential, private_key=jwt_signing_key(), kid=jwt_kid())


def credential_issue(
    *,
    credential_id: str,
    name: str,
    achievement: Achievement,
    recipient_name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status_entry: StatusListEntry | None = None,
    recipient_id: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A signed OpenBadgeCredential: ``credential_build`` (same arguments) then ``credential_sign``."""
    credential = credential_build(
        credential_id=credential_id,
        name=name,
        achievement=achievement,
        recipient_name=recipient_name,
        valid_from=valid_from,
        valid_until=valid_until,
        status_entry=status_entry,
        recipient_id=recipient_id,
        description=description,
    )
    return credential_sign(credential)


def _status_list_sign(status_list: StatusList) -> None:
    """Sign the list with its revoked entries' bits set and store it with its ETag.

    Call inside a transaction holding the list's row lock (``select_for_update``), so two revocations can't each sign
    a list without the other's bit."""
    revoked = StatusListEntry.objects.filter(status_list=status_list, revoked_at__isnull=False).values_list(
        "index", flat=True
    )
    now = timezone.now()
    signed = credential_sign(status_list_build(status_list, set_indices=revoked, valid_from=now), created=now)
    status_list.document = serialize(signed)
    status_list.etag = '"' + hashlib.sha256(status_list.document.encode("utf-8")).hexdigest()[:32] + '"'
    status_list.signed_at = now
    status_list.save(update_fields=["document", "etag", "signed_at"])


def status_list_create() -> StatusList:
    """A new, empty, signed revocation list."""
    with transaction.atomic():
        status_list = StatusList.objects.create(purpose=StatusPurpose.REVOCATION)
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
        _status_list_sign(status_list)
    return status_list


def _status_list_with_room() -> StatusList:
    """The first revocation list under half full (only its id and size: the signed document stays in the row)."""
    status_list = (
        StatusList.objects.filter(purpose=StatusPurpose.REVOCATION, allocated__lt=F("size") / 2)
        .only("pk", "size")
        .order_by("pk")
        .first()
    )
    return status_list or status_list_create()


def status_entry_allocate() -> StatusListEntry:
    """A new status entry at a random free index of a revocation list (never "last + 1": the index tells nothing
    about when or how many credentials were issued). Call it in the transaction that saves the credential's row.

    Raises Conflict (``status_index_unavailable``) in the unlikely case every attempt drew a taken index."""
    status_list = _status_list_with_room()
    for _attempt in range(ALLOCATION_ATTEMPTS):
        index = secrets.randbelow(status_list.size)
        try:
            with transaction.atomic():
                entry = StatusListEntry.objects.create(status_list=status_list, index=index)
                StatusList.objects.filter(pk=status_list.pk).update(allocated=F("allocated") + 1)
                return entry
        except IntegrityError:
            continue  # taken: the unique constraint said so; draw again
    raise Conflict(_("No free status index was found. Try again."), code="status_index_unavailable")


def status_list_revoke(*, status_list_id: int, index: int) -> StatusListEntry:
    """Revoke the credential at ``index`` of a list and sign the list again. Idempotent: revoking a revoked entry
    changes nothing (the list is not signed again). Raises NotFound for an index no credential holds."""
    with transaction.atomic():
        status_list = StatusList.objects.select_for_update().filter(pk=status_list_id).first()
        entry = StatusListEntry.objects.filter(status_list_id=status_list_id, index=index).first()
        if status_list is None or entry is None:
            raise NotFound(_("No credential has this status index."), code="status_entry_not_found")
        if entry.revoked_at is not None:
            return entry
        entry.revoked_at = timezone.now()
        entry.save(update_fields=["revoked_at"])
        _status_list_sign(status_list)
    return entry
