"""Certificates: the learner's and the cohort's lists, the public verification record, revocation."""

from datetime import date, datetime

from ninja import Field, Schema

from cohorts.certificates.models import Certificate, CertificateStatus
from cohorts.certificates.selectors import credential_url, linkedin_add_url, verify_url
from stagewise.schemas import InSchema


class CertificateOut(Schema):
    id: int
    cohort_id: int
    kind: str = Field(..., description="completion or award")
    award_id: int | None = Field(None, description="The award an award certificate celebrates")
    serial: str
    status: CertificateStatus = Field(..., description="valid, revoked or superseded")
    learner_name: str = Field(..., description="The name as printed")
    language: str = Field(..., description="The language it is printed in: en or zh-hans")
    course_title: str
    issued_at: datetime
    revoked_reason: str
    verify_url: str = Field(..., description="The public verification page (the QR code's address)")
    pdf_url: str = Field(..., description="GET it with the same credentials to download the PDF")
    linkedin_url: str = Field(..., description="LinkedIn's add-to-profile link for this certificate")
    credential_url: str | None = Field(
        None, description="GET it with the same credentials to download its Open Badges 3.0 credential"
    )

    @staticmethod
    def resolve_credential_url(obj: Certificate) -> str | None:
        return f"/api/v1/certificates/{obj.pk}/credential" if obj.credential else None

    @staticmethod
    def resolve_cohort_id(obj: Certificate) -> int:
        return obj.enrollment.cohort_id

    @staticmethod
    def resolve_course_title(obj: Certificate) -> str:
        return obj.enrollment.cohort.course.title

    @staticmethod
    def resolve_verify_url(obj: Certificate) -> str:
        return verify_url(obj)

    @staticmethod
    def resolve_pdf_url(obj: Certificate) -> str:
        return f"/api/v1/certificates/{obj.pk}/pdf"

    @staticmethod
    def resolve_linkedin_url(obj: Certificate) -> str:
        return linkedin_add_url(obj)


class VerificationOut(Schema):
    """What the certificate itself shows, and whether it stands. Nothing else about the learner."""

    status: CertificateStatus = Field(..., description="valid, revoked or superseded")
    serial: str
    learner_name: str = Field(..., description="The name as printed on the certificate")
    course_title: str
    stage_label: str
    starts_on: date
    ends_on: date
    instructor_name: str
    issued_at: datetime
    revoked_at: datetime | None = Field(None, description="When it was revoked (revoked only)")
    revoked_reason: str = Field("", description="Why it was revoked (revoked only)")
    superseded_by_url: str | None = Field(
        None, description="The verification page of its replacement (superseded only)"
    )
    credential_url: str | None = Field(
        None,
        description="Its Open Badges 3.0 credential (application/ld+json), for its holder to download signed in "
        "(valid only)",
    )

    @staticmethod
    def resolve_credential_url(obj: Certificate) -> str | None:
        if obj.status != CertificateStatus.VALID or not obj.credential:
            return None
        return credential_url(obj)

    @staticmethod
    def resolve_course_title(obj: Certificate) -> str:
        return obj.enrollment.cohort.course.title

    @staticmethod
    def resolve_stage_label(obj: Certificate) -> str:
        return obj.enrollment.cohort.course.stage_label

    @staticmethod
    def resolve_starts_on(obj: Certificate) -> date:
        return obj.enrollment.cohort.starts_on

    @staticmethod
    def resolve_ends_on(obj: Certificate) -> date:
        return obj.enrollment.cohort.ends_on

    @staticmethod
    def resolve_revoked_reason(obj: Certificate) -> str:
        return obj.revoked_reason if obj.status == CertificateStatus.REVOKED else ""

    @staticmethod
    def resolve_superseded_by_url(obj: Certificate) -> str | None:
        return verify_url(obj.superseded_by) if obj.superseded_by is not None else None


class CertificateRevokeIn(InSchema):
    reason: str = Field(..., min_length=3, max_length=300, description="Shown on the verification page")


class CertificatesIssueOut(Schema):
    queued: int = Field(..., description="Completed enrollments without a certificate, queued for issuing")
