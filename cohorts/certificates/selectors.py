"""Reads on certificates, with their permission checks: the learner sees their own, the course's instructors and
staff see a cohort's, anyone sees the public verification record."""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.types import Viewer
from cohorts.certificates.models import Certificate, CertificateKind, CertificateStatus
from cohorts.models import Cohort, Enrollment
from cohorts.selectors import cohort_get_for_instructor
from content.selectors import is_course_instructor
from stagewise.errors import NotFound
from stagewise.files import private_file_response
from stagewise.spreadsheets import csv_cell

_RELATED = ("enrollment", "enrollment__learner", "enrollment__cohort", "enrollment__cohort__course")


def verify_url(certificate: Certificate) -> str:
    """The public verification page's absolute address (printed as the QR code)."""
    return settings.SITE_URL + reverse("cohorts:verify", args=[certificate.verify_id])


def _not_found() -> NotFound:
    return NotFound(_("No such certificate."), code="certificate_not_found")


def certificate_get_for_user(*, user: Viewer, certificate_id: int) -> Certificate:
    """A certificate its learner, the course's instructors or staff may see (NotFound for anyone else)."""
    certificate = Certificate.objects.select_related(*_RELATED).filter(pk=certificate_id).first()
    if certificate is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    enrollment = certificate.enrollment
    if enrollment.learner_id != user.pk and not is_course_instructor(user=user, course=enrollment.cohort.course):
        raise _not_found()
    return certificate


def certificate_get_for_learner(*, user: Viewer, certificate_id: int) -> Certificate:
    """One of ``user``'s own certificates (NotFound for anyone else's, staff included: a reissue is the learner's)."""
    certificate = Certificate.objects.select_related(*_RELATED).filter(pk=certificate_id).first()
    if certificate is None or certificate.enrollment.learner_id != getattr(user, "pk", None):
        raise _not_found()
    return certificate


def certificate_get_by_verify_id(*, verify_id: str) -> Certificate:
    """The public record behind a verification URL, with its successor (for a superseded certificate)."""
    certificate = (
        Certificate.objects.select_related(*_RELATED, "superseded_by", "award__round")
        .filter(verify_id=verify_id)
        .first()
    )
    if certificate is None:
        raise _not_found()
    return certificate


def certificate_get_for_holder_by_verify_id(*, user: Viewer, verify_id: str) -> Certificate:
    """The certificate behind a verification URL, for its learner only (NotFound for anyone else, staff included):
    its credential is the holder's to put in a wallet."""
    certificate = certificate_get_by_verify_id(verify_id=verify_id)
    if certificate.enrollment.learner_id != getattr(user, "pk", None):
        raise _not_found()
    return certificate


def credential_url(certificate: Certificate) -> str:
    """Where its learner downloads the certificate's credential (signed in): linked from the verification page."""
    return settings.SITE_URL + reverse("cohorts:verify_credential", args=[certificate.verify_id])


def certificate_list_for_learner(*, user: Viewer) -> QuerySet[Certificate]:
    """The learner's certificates, newest first, superseded ones included (they still verify, as superseded)."""
    return (
        Certificate.objects.filter(enrollment__learner_id=getattr(user, "pk", None))
        .select_related(*_RELATED)
        .order_by("-issued_at", "-id")
    )


def certificate_for_enrollment(*, enrollment: Enrollment) -> Certificate | None:
    """The enrollment's standing completion certificate (valid or revoked), if it has one."""
    return (
        Certificate.objects.filter(enrollment=enrollment, kind=CertificateKind.COMPLETION)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .select_related(*_RELATED)
        .first()
    )


def award_certificates_for_enrollment(*, enrollment: Enrollment) -> list[Certificate]:
    """The enrollment's valid award certificates, newest award first, with their awards and rounds."""
    return list(
        Certificate.objects.filter(enrollment=enrollment, kind=CertificateKind.AWARD, status=CertificateStatus.VALID)
        .select_related("award__round")
        .order_by("-award__round__month", "award__category")
    )


def certificate_list_for_cohort(*, user: Viewer, cohort_id: int) -> QuerySet[Certificate]:
    """A cohort's certificates (every status), for the course's instructors and staff, by learner name."""
    cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    return (
        Certificate.objects.filter(enrollment__cohort=cohort).select_related(*_RELATED).order_by("learner_name", "id")
    )


def printed_issue_date(certificate: Certificate) -> date:
    """The date of issue as the certificate prints it: in its learner's time zone."""
    learner = certificate.enrollment.learner
    try:
        zone = ZoneInfo(learner.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return timezone.localtime(certificate.issued_at, zone).date()


def linkedin_add_url(certificate: Certificate) -> str:
    """LinkedIn's "add licence or certification to profile" link, filled in from the certificate."""
    cohort = certificate.enrollment.cohort
    course = cohort.course
    issued_on = printed_issue_date(certificate)
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": f"{course.title} ({course.stage_label})",
            "organizationName": "Stagewise",
            "issueYear": issued_on.year,
            "issueMonth": issued_on.month,
            "certUrl": verify_url(certificate),
            "certId": certificate.serial,
        }
    )


@dataclass(frozen=True)
class CertificateArchive:
    filename: str
    content: bytes


def certificate_archive_for_cohort(*, user: Viewer, cohort_id: int) -> CertificateArchive:
    """A ZIP of the cohort's standing certificates' PDFs with ``certificates.csv``: name, serial, status,
    verification URL and the PDF's file name in the archive. Instructors of the course and staff only."""
    cohort: Cohort = cohort_get_for_instructor(user=user, cohort_id=cohort_id)
    rows = certificate_list_for_cohort(user=user, cohort_id=cohort.pk).exclude(status=CertificateStatus.SUPERSEDED)
    out = io.BytesIO()
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["name", "serial", "status", "issued_at", "verification_url", "file"])
    # PDFs are compressed already: stored, not deflated again.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in rows:
            filename = f"{certificate.serial}.pdf" if certificate.pdf else ""
            if certificate.pdf:
                with certificate.pdf.open("rb") as pdf:
                    archive.writestr(filename, pdf.read())
            writer.writerow(
                [
                    csv_cell(certificate.learner_name),
                    certificate.serial,
                    certificate.status,
                    certificate.issued_at.isoformat(),
                    verify_url(certificate),
                    filename,
                ]
            )
        # A byte-order mark, so that spreadsheet programs read the names (张伟, José) as UTF-8.
        archive.writestr("certificates.csv", "\ufeff" + table.getvalue())
    return CertificateArchive(filename=f"certificates-cohort-{cohort.pk}.zip", content=out.getvalue())


def certificate_pdf_response(certificate: Certificate) -> HttpResponseBase:
    """The PDF as a download, for whoever may see it (the caller checked): streamed, or a redirect to a
    short-lived signed URL on object storage."""
    if not certificate.pdf:
        raise _not_found()
    return private_file_response(
        storage=certificate.pdf.storage,
        name=certificate.pdf.name or "",
        filename=f"certificate-{certificate.serial}.pdf",
        as_attachment=True,
        content_type="application/pdf",
    )


def certificate_archive_response(archive: CertificateArchive) -> HttpResponse:
    response = HttpResponse(archive.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
