"""The issuer's public documents, for wallets and verifiers: its did:web DID document, its Profile, its key (a
Multikey) and the status lists.

Status lists are served as stored (signed when a revocation happens, never per request), with an ETag so a verifier's
cache revalidates with a 304, and readable from any origin (browser-based verifiers fetch them cross-origin).
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from cohorts.credentials import documents, selectors
from cohorts.credentials.keys import jwt_public_jwk, public_multikey
from cohorts.credentials.vc_jwt import jwk_thumbprint
from stagewise.errors import NotFound

JSON_LD = "application/ld+json"
STATUS_LIST_MAX_AGE = 300  # seconds a verifier may use a list without asking again: how late a revocation shows


def _public(response: HttpResponse, *, max_age: int) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json_ld(document: dict[str, Any], *, max_age: int = 3600) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _public(HttpResponse(body, content_type=JSON_LD), max_age=max_age)


@require_safe
def issuer_profile(request: HttpRequest) -> HttpResponse:
    return _json_ld(documents.issuer_profile_document())


@require_safe
def did_document(request: HttpRequest) -> HttpResponse:
    """did:web resolves here (``/.well-known/did.json``, or ``/did.json`` under a SITE_URL with a path)."""
    return _json_ld(documents.did_document())


@require_safe
def issuer_key(request: HttpRequest, multikey: str) -> HttpResponse:
    if multikey != public_multikey():
        raise NotFound(_("No such key."), code="key_not_found")
    return _json_ld(documents.key_document())


@require_safe
def issuer_jwks(request: HttpRequest) -> HttpResponse:
    """The VC-JWT keys as a JWK Set."""
    return _public(JsonResponse({"keys": [jwt_public_jwk()]}), max_age=3600)


@require_safe
def issuer_jwk(request: HttpRequest, thumbprint: str) -> HttpResponse:
    """One VC-JWT key, at the URL its tokens name as ``kid``."""
    jwk = jwt_public_jwk()
    if thumbprint != jwk_thumbprint(jwk):
        raise NotFound(_("No such key."), code="key_not_found")
    return _public(JsonResponse(jwk), max_age=3600)


@require_safe
def status_list(request: HttpRequest, status_list_id: int) -> HttpResponse:
    listed = selectors.status_list_get(status_list_id=status_list_id)
    # If-None-Match compares weakly (RFC 9110 13.1.2): a cache may send our ETag back as W/"…".
    asked = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    if listed.etag in asked or "*" in asked:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(listed.document, content_type=JSON_LD)
    response["ETag"] = listed.etag
    return _public(response, max_age=STATUS_LIST_MAX_AGE)
