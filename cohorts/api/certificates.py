"""Certificates: public verification, the learner's own (download, reissue under a new name), a cohort's for its
instructors and staff (list, ZIP, issue now), revocation by staff. Errors answer in the one shape (ErrorOut)."""

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router, Status
from ninja.pagination import paginate

from accounts.auth import auth_required
from accounts.types import AuthedRequest
from cohorts.certificates import selectors, services
from cohorts.certificates.credentials import credential_response
from cohorts.certificates.models import Certificate
from cohorts.schemas.certificates import (
    CertificateOut,
    CertificateRevokeIn,
    CertificatesIssueOut,
    VerificationOut,
)
from cohorts.selectors import cohort_get_for_instructor
from stagewise.ids import RowId
from stagewise.pagination import Pagination
from stagewise.schemas import ErrorOut

router = Router(tags=["certificates"])

_NOT_FOUND = {401: ErrorOut, 404: ErrorOut}


@router.get("/verify/{code}", response={200: VerificationOut, 404: ErrorOut}, auth=None)
def certificate_verify(request: HttpRequest, code: str) -> Certificate:
    """The public verification record behind a certificate's QR code (``/verify/{code}`` on the site): no sign-in.
    404 ``certificate_not_found``. (A random code, not a row id: certificates can't be enumerated.)"""
    return selectors.certificate_get_by_verify_id(verify_id=code[:64])


@router.get("/me/certificates", response=list[CertificateOut], auth=auth_required)
@paginate(Pagination)
def certificate_list_mine(request: AuthedRequest) -> QuerySet[Certificate]:
    """Your certificates, newest first (superseded ones too)."""
    return selectors.certificate_list_for_learner(user=request.auth)


@router.get("/certificates/{certificate_id}", response={200: CertificateOut, **_NOT_FOUND}, auth=auth_required)
def certificate_detail(request: AuthedRequest, certificate_id: RowId) -> Certificate:
    """Its learner, the course's instructors and staff. 404 ``certificate_not_found`` for anyone else."""
    return selectors.certificate_get_for_user(user=request.auth, certificate_id=certificate_id)


@router.get(
    "/certificates/{certificate_id}/pdf",
    response={200: None, **_NOT_FOUND},
    auth=auth_required,
    openapi_extra={
        "responses": {
            200: {"description": "The PDF", "content": {"application/pdf": {}}},
            302: {
                "description": "On object storage: a redirect to the PDF's signed URL, valid for a few minutes",
                "headers": {"Location": {"schema": {"type": "string"}}},
            },
        }
    },
)
def certificate_pdf(request: AuthedRequest, certificate_id: RowId) -> HttpResponseBase:
    """The certificate's PDF. Its learner, the course's instructors and staff; 404 ``certificate_not_found``. On
    object storage the answer is a 302 to a signed URL that expires after a few minutes: follow it without the
    ``Authorization`` header."""
    certificate = selectors.certificate_get_for_user(user=request.auth, certificate_id=certificate_id)
    return selectors.certificate_pdf_response(certificate)


@router.get(
    "/certificates/{certificate_id}/credential",
    response={200: None, **_NOT_FOUND},
    auth=auth_required,
    openapi_extra={
        "responses": {200: {"description": "The signed OpenBadgeCredential", "content": {"application/ld+json": {}}}}
    },
)
def certificate_credential(request: AuthedRequest, certificate_id: RowId) -> HttpResponse:
    """The certificate's Open Badges 3.0 credential (W3C VC 2.0, Data Integrity proof), for a wallet. Its learner
    only; 404 ``certificate_not_found`` for anyone else, ``credential_not_found`` for a certificate without one."""
    certificate = selectors.certificate_get_for_learner(user=request.auth, certificate_id=certificate_id)
    return credential_response(certificate)


@router.post(
    "/certificates/{certificate_id}/reissue",
    response={201: CertificateOut, **_NOT_FOUND, 409: ErrorOut},
    auth=auth_required,
)
def certificate_reissue(request: AuthedRequest, certificate_id: RowId) -> Status[Certificate]:
    """Your valid certificate again, under your current name; the old one verifies as superseded. 409
    ``certificate_up_to_date`` when the name (and language) printed are current, ``certificate_not_valid`` for a
    revoked or superseded one; 404 for anyone else's."""
    return Status(201, services.certificate_reissue(actor=request.auth, certificate_id=certificate_id))


@router.post(
    "/certificates/{certificate_id}/revoke",
    response={
        200: CertificateOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    auth=auth_required,
)
def certificate_revoke(request: AuthedRequest, certificate_id: RowId, payload: CertificateRevokeIn) -> Certificate:
    """Staff only (403 ``staff_only``): the verification page then says revoked, with the reason. 409
    ``certificate_not_valid`` when it is not valid."""
    services.certificate_revoke(actor=request.auth, certificate_id=certificate_id, reason=payload.reason)
    return selectors.certificate_get_for_user(user=request.auth, certificate_id=certificate_id)


@router.get("/cohorts/{cohort_id}/certificates", response=list[CertificateOut], auth=auth_required)
@paginate(Pagination)
def certificate_list_for_cohort(request: AuthedRequest, cohort_id: RowId) -> QuerySet[Certificate]:
    """The cohort's certificates, every status, by name: the course's instructors and staff (404 for others)."""
    return selectors.certificate_list_for_cohort(user=request.auth, cohort_id=cohort_id)


@router.get(
    "/cohorts/{cohort_id}/certificates.zip",
    response={200: None, **_NOT_FOUND},
    auth=auth_required,
    openapi_extra={"responses": {200: {"description": "The ZIP", "content": {"application/zip": {}}}}},
)
def certificate_archive(request: AuthedRequest, cohort_id: RowId) -> HttpResponse:
    """The cohort's standing certificates as one ZIP, with certificates.csv (name, serial, status, issued_at,
    verification_url, file). The course's instructors and staff; 404 ``cohort_not_found`` for others."""
    return selectors.certificate_archive_response(
        selectors.certificate_archive_for_cohort(user=request.auth, cohort_id=cohort_id)
    )


@router.post(
    "/cohorts/{cohort_id}/certificates/issue", response={202: CertificatesIssueOut, **_NOT_FOUND}, auth=auth_required
)
def certificates_issue(request: AuthedRequest, cohort_id: RowId) -> Status[dict[str, int]]:
    """Queue certificates for the cohort's completed learners who have none (the end-of-cohort job does this too;
    running it again issues nothing twice). The course's instructors and staff."""
    cohort = cohort_get_for_instructor(user=request.auth, cohort_id=cohort_id)
    with transaction.atomic():
        queued = services.certificates_issue_for_cohort(cohort=cohort)
    return Status(202, {"queued": queued})
