"""Verifying a presented OpenBadgeCredential, in the order the OB 3.0 specification gives (Verification and
Validation): schema, proof, status, validity dates. The first check that fails stops the others and is named.

Only this site's credentials can pass: a proof must be by our key and a status must be in one of our lists, read
from the database; nothing is fetched.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.credentials import bitstring, vc_jwt
from cohorts.credentials.keys import issuer_id, jwt_kid, jwt_public_key, public_key, verification_method_id
from cohorts.credentials.linked_data import OB_V3P0, SHIPPED_CONTEXTS, VC_V2
from cohorts.credentials.models import StatusList
from cohorts.credentials.proofs import ProofError, check_proof, proof_of
from stagewise.errors import ApplicationError, Message, lazy_format

SCHEMA = "schema"
PROOF = "proof"
STATUS = "status"
VALIDITY = "validity_dates"
CHECKS = (SCHEMA, PROOF, STATUS, VALIDITY)


class CredentialTooLarge(ApplicationError):
    status = 413
    code = "credential_too_large"

    def __init__(self, limit: int):
        super().__init__(
            lazy_format(_("The credential is larger than %(limit)s bytes; it is not verified."), limit=limit),
            extra={"limit": limit},
        )


@dataclass(frozen=True)
class CheckResult:
    check: str
    ok: bool
    code: str = "ok"
    message: Message = ""


@dataclass
class VerificationResult:
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return len(self.checks) == len(CHECKS) and all(check.ok for check in self.checks)

    @property
    def failed(self) -> CheckResult | None:
        return next((check for check in self.checks if not check.ok), None)

    @property
    def failed_check(self) -> str | None:
        return self.failed.check if self.failed else None


class _Failed(Exception):
    def __init__(self, code: str, message: Message):
        super().__init__(code)
        self.code = code
        self.message = message


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(presented: bytes | str) -> Any:
    try:
        text = presented.decode("utf-8") if isinstance(presented, bytes) else presented
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _Failed("not_json", _("The credential is not a JSON object.")) from exc


def _types(node: Any) -> list[Any]:
    value = node.get("type") if isinstance(node, dict) else None
    return value if isinstance(value, list) else [value]


def _datetime(value: Any, name: str) -> datetime:
    instant = None
    if isinstance(value, str) and "T" in value:
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            instant = None
    if instant is None or instant.tzinfo is None:
        raise _Failed("invalid_date", lazy_format(_("%(name)s is not a date and time with a time zone."), name=name))
    return instant


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(urlsplit(value).scheme) and not any(c.isspace() for c in value)


def _check_schema(document: Any) -> None:
    """The shape the OB 3.0 JSON schema requires of an OpenBadgeCredential, for the fields we rely on."""
    if not isinstance(document, dict):
        raise _Failed("not_json", _("The credential is not a JSON object."))
    contexts = document.get("@context")
    if not isinstance(contexts, list) or contexts[:1] != [VC_V2] or OB_V3P0 not in contexts:
        raise _Failed(
            "wrong_context",
            _("The @context must start with the Verifiable Credentials 2.0 context and include Open Badges 3.0."),
        )
    unknown = [context for context in contexts if not isinstance(context, str) or context not in SHIPPED_CONTEXTS]
    if unknown:
        raise _Failed("context_not_shipped", _("The credential uses a JSON-LD context this site does not know."))
    if not {"VerifiableCredential", "OpenBadgeCredential"} <= set(map(str, _types(document))):
        raise _Failed("wrong_type", _("The credential is not an OpenBadgeCredential."))
    if not _is_uri(document.get("id")):
        raise _Failed("missing_field", _("The credential has no id."))
    issuer = document.get("issuer")
    if not isinstance(issuer, dict) or not _is_uri(issuer.get("id")) or "Profile" not in _types(issuer):
        raise _Failed("invalid_issuer", _("The issuer must be a Profile with an id."))
    _datetime(document.get("validFrom"), "validFrom")
    if "validUntil" in document:
        _datetime(document["validUntil"], "validUntil")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or "AchievementSubject" not in _types(subject):
        raise _Failed("invalid_subject", _("The credentialSubject must be an AchievementSubject."))
    achievement = subject.get("achievement")
    if (
        not isinstance(achievement, dict)
        or "Achievement" not in _types(achievement)
        or not _is_uri(achievement.get("id"))
        or not isinstance(achievement.get("name"), str)
        or not isinstance(achievement.get("description"), str)
        or not isinstance(achievement.get("criteria"), dict)
    ):
        raise _Failed("invalid_achievement", _("The achievement must have an id, a name, a description and criteria."))
    status = document.get("credentialStatus")
    if status is not None and (
        not isinstance(status, dict)
        or status.get("type") != "BitstringStatusListEntry"
        or not isinstance(status.get("statusPurpose"), str)
        or not isinstance(status.get("statusListIndex"), str)
        or not status["statusListIndex"].isdigit()
        or not _is_uri(status.get("statusListCredential"))
    ):
        raise _Failed("invalid_status", _("The credentialStatus must be a BitstringStatusListEntry."))


def _check_proof(document: dict[str, Any]) -> None:
    try:
        proof = proof_of(document)
        if proof["verificationMethod"] != verification_method_id() or document["issuer"]["id"] != issuer_id():
            raise ProofError("unknown_verification_method", proof["verificationMethod"])
        check_proof(document, public_key=public_key())
    except ProofError as exc:
        messages = {
            "proof_missing": _("The credential has no proof."),
            "unknown_verification_method": _("The credential was not signed by this site's key."),
            "invalid_signature": _("The signature does not match: the credential was changed after it was signed."),
        }
        raise _Failed(exc.code, messages.get(exc.code, _("The proof is not valid."))) from exc


def _status_list_id(url: str) -> int | None:
    if not url.startswith(settings.SITE_URL + "/"):
        return None
    try:
        match = resolve(urlsplit(url[len(settings.SITE_URL) :]).path)
    except Resolver404:
        return None
    return match.kwargs.get("status_list_id") if match.view_name == "cohorts:credentials_status_list" else None


def _check_status(document: dict[str, Any]) -> None:
    status = document.get("credentialStatus")
    if status is None:
        return
    status_list_id = _status_list_id(status["statusListCredential"])
    status_list = (
        StatusList.objects.filter(pk=status_list_id, purpose=status.get("statusPurpose")).only("document").first()
        if status_list_id is not None
        else None
    )
    if status_list is None or not status_list.document:
        raise _Failed("unknown_status_list", _("The credential's status list is not one of this site's."))
    listed = json.loads(status_list.document)["credentialSubject"]
    try:
        revoked = bitstring.is_set(bitstring.decode(listed["encodedList"]), int(status["statusListIndex"]))
    except ValueError as exc:
        raise _Failed("status_index_out_of_range", _("The credential's status index is not in its list.")) from exc
    if revoked:
        raise _Failed("revoked", _("The credential has been revoked."))


def _check_validity(document: dict[str, Any]) -> None:
    now = timezone.now()
    if _datetime(document["validFrom"], "validFrom") > now:
        raise _Failed("not_yet_valid", _("The credential is not valid yet."))
    if "validUntil" in document and _datetime(document["validUntil"], "validUntil") <= now:
        raise _Failed("expired", _("The credential has expired."))


def _jwt_in(presented: bytes | str) -> str | None:
    """The Compact JWS presented, bare or as a JSON string; None for anything else."""
    try:
        text = (presented.decode("utf-8") if isinstance(presented, bytes) else presented).strip()
    except UnicodeDecodeError:
        return None
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return text if vc_jwt.looks_like_jwt(text) else None


def _jwt_credential(token: str) -> dict[str, Any]:
    try:
        return vc_jwt.unverified_credential(token)
    except vc_jwt.JwtError as exc:
        raise _Failed(exc.code, _("The credential is not a valid JWT.")) from exc


def _check_jwt_proof(token: str, document: dict[str, Any]) -> None:
    """OB 3.0's VC-JWT verification: RS256 by this site's JWT key, the claims matching the credential."""
    kid = jwt_kid()
    try:
        if document["issuer"]["id"] != issuer_id():
            raise vc_jwt.JwtError("unknown_verification_method", document["issuer"]["id"])
        vc_jwt.check(token, public_key_for=lambda named: jwt_public_key() if named == kid else None)
    except vc_jwt.JwtError as exc:
        messages = {
            "unknown_verification_method": _("The credential was not signed by this site's key."),
            "invalid_signature": _("The signature does not match: the credential was changed after it was signed."),
        }
        raise _Failed(exc.code, messages.get(exc.code, _("The proof is not valid."))) from exc


def credential_verify(presented: bytes | str | Mapping[str, Any]) -> VerificationResult:
    """Check a presented credential (its JSON with an embedded eddsa-rdfc-2022 proof, or its VC-JWT): schema,
    proof, status, validity dates, in that order, stopping at the first that fails. Raises CredentialTooLarge past
    ``CREDENTIALS_MAX_DOCUMENT_BYTES`` (before parsing anything)."""
    limit = settings.CREDENTIALS_MAX_DOCUMENT_BYTES
    if isinstance(presented, Mapping):
        presented = json.dumps(presented, ensure_ascii=False)
    size = len(presented.encode("utf-8")) if isinstance(presented, str) else len(presented)
    if size > limit:
        raise CredentialTooLarge(limit)
    token = _jwt_in(presented)

    def schema() -> dict[str, Any]:
        document = _jwt_credential(token) if token else _parse(presented)
        _check_schema(document)
        return document

    result = VerificationResult()
    document: Any = None
    for name in CHECKS:
        try:
            if name == SCHEMA:
                document = schema()
            elif name == PROOF and token:
                _check_jwt_proof(token, document)
            elif name == PROOF:
                _check_proof(document)
            elif name == STATUS:
                _check_status(document)
            else:
                _check_validity(document)
        except _Failed as failure:
            result.checks.append(CheckResult(check=name, ok=False, code=failure.code, message=failure.message))
            break
        result.checks.append(CheckResult(check=name, ok=True))
    return result
