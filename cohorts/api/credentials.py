"""Verifying a presented Open Badges 3.0 credential (the JSON of one, as a wallet exports it). Anyone may ask."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from cohorts.credentials.verification import credential_verify
from cohorts.schemas.credentials import CredentialVerificationOut
from stagewise.schemas import ErrorOut

router = Router(tags=["credentials"])

_OPENAPI = {
    "responses": {
        413: {
            "description": "The credential is over `CREDENTIALS_MAX_DOCUMENT_BYTES` (`credential_too_large`, "
            "`details.limit`): nothing was checked."
        }
    },
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "A signed OpenBadgeCredential (VC 2.0, eddsa-rdfc-2022)"}
            },
            "application/jwt": {"schema": {"type": "string", "description": "Its VC-JWT (RS256) form"}},
        },
    },
}


@router.post(
    "/credentials/verify",
    response={200: CredentialVerificationOut, 413: ErrorOut},
    auth=None,
    openapi_extra=_OPENAPI,
    summary="Verify an Open Badges 3.0 credential",
)
def credential_verify_endpoint(request: HttpRequest) -> dict[str, Any]:
    """Checks, in the specification's order, the schema, the proof (eddsa-rdfc-2022 by this site's key), the
    status (this site's Bitstring Status List) and the validity dates, and stops at the first that fails. A
    credential that fails is an answer (200, `verified: false`), not an error. 413 `credential_too_large`: over
    the size limit, nothing checked."""
    result = credential_verify(request.body)
    failed = result.failed
    return {
        "verified": result.verified,
        "failed_check": result.failed_check,
        "code": failed.code if failed else "ok",
        "message": str(failed.message) if failed else _("The credential is valid."),
        "checks": [
            {"check": check.check, "ok": check.ok, "code": check.code, "message": str(check.message)}
            for check in result.checks
        ],
    }
