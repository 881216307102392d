"""What the certificate tests share: an ended cohort with completed learners, issuing inline, reading PDFs."""

import io
from datetime import timedelta

from pypdf import PdfReader

from cohorts.certificates.models import Certificate
from cohorts.certificates.services import certificates_issue_batch
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories


def ended_cohort(*, teacher=None, course_title: str = "Python for Data", **course_fields):
    teacher = teacher or factories.instructor(name="李老师")
    course = factories.course(teacher=teacher, title=course_title, stage_label="Beginner", **course_fields)
    starts_on = factories.local_today() - timedelta(days=20)
    return factories.cohort(course=course, starts_on=starts_on, status=CohortStatus.ENDED)


def completed(*, cohort, name: str = "张伟", language: str = "zh-hans", **fields):
    learner = factories.learner(name=name, language=language, **fields)
    return factories.enrollment(cohort=cohort, learner=learner, status=EnrollmentStatus.COMPLETED)


def issued(enrollment) -> Certificate:
    """Issue ``enrollment``'s certificate inline, as the batch task does."""
    certificates_issue_batch(enrollment_ids=[enrollment.pk])
    return Certificate.objects.get(enrollment=enrollment, status="valid")


def pdf_reader(certificate: Certificate) -> PdfReader:
    with certificate.pdf.open("rb") as pdf:
        return PdfReader(io.BytesIO(pdf.read()))


def unembedded_fonts(reader: PdfReader) -> list[str]:
    """The names of the fonts the PDF uses without carrying their glyphs (a reader would substitute its own)."""
    missing = []
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                continue  # glyphs drawn by the PDF itself: nothing to embed
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described["/FontDescriptor"].get_object()
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


def font_names(reader: PdfReader) -> list[str]:
    return [str(f.get_object().get("/BaseFont")) for f in reader.pages[0]["/Resources"]["/Font"].values()]
