"""A certificate's Open Badges 3.0 credential (``cohorts.credentials``): what it says, and its signing at issue.

The credential's id is the certificate's verification page, its recipient the name as printed, its validFrom the
issue instant; its achievement is the course's stage (completion) or the award's category and month (award), in the
language the certificate is printed in.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohorts.certificates.models import Certificate, CertificateKind
from cohorts.certificates.selectors import verify_url
from cohorts.credentials.documents import Achievement
from cohorts.credentials.services import credential_issue, serialize, status_entry_allocate
from content.models import Course
from stagewise.errors import NotFound

JSON_LD = "application/ld+json"


def completion_criteria(course: Course) -> str:
    """The course's completion rule, in words (the active language)."""
    parts = [
        _("Check in on at least %(percent)s%% of the cohort's days") % {"percent": course.completion_min_rate_percent}
    ]
    if course.completion_requires_final_task:
        parts.append(_("complete the final lesson's task"))
    rule = _(", and ").join(parts)
    makeups = (
        _("Make-up check-ins count; rejected check-ins don't.")
        if course.completion_counts_makeups
        else _("Make-up and rejected check-ins don't count.")
    )
    return _("%(rule)s. %(makeups)s") % {"rule": rule, "makeups": makeups}


def _course_url(course: Course) -> str:
    return settings.SITE_URL + reverse("cohorts:course", args=[course.slug])


def certificate_achievement(certificate: Certificate) -> Achievement:
    """What the certificate attests, as an OB 3.0 Achievement (the active language). Needs the certificate's
    enrollment with its cohort and course, and for an award certificate its award with the round."""
    course = certificate.enrollment.cohort.course
    stage = course.stage_name
    if certificate.kind == CertificateKind.AWARD and certificate.award is not None:
        award = certificate.award
        month = award.round.month
        category = str(award.get_category_display())
        title = award_title(category=category, year=month.year, number=month.month)
        return Achievement(
            id=f"{_course_url(course)}#award-{award.category}",
            name=title,
            description=_("A monthly award of %(course)s (%(stage)s) at Stagewise.")
            % {"course": course.title, "stage": stage},
            criteria_narrative=_("Ranked first in the category \u201c%(category)s\u201d for %(month)s.")
            % {"category": category, "month": month_label(year=month.year, number=month.month)},
            achievement_type="Award",
        )
    return Achievement(
        id=_course_url(course),
        name=f"{course.title} ({stage})",
        description=_("Completed a cohort of %(course)s, stage %(stage)s, at Stagewise.")
        % {"course": course.title, "stage": stage},
        criteria_narrative=completion_criteria(course),
        achievement_type="CertificateOfCompletion",
    )


def month_label(*, year: int, number: int) -> str:
    """ "March 2027" / "2027年3月" in the active language."""
    from django.utils.dates import MONTHS

    if (translation.get_language() or "en").startswith("zh"):
        return f"{year}年{number}月"
    return f"{MONTHS[number]} {year}"


def award_title(*, category: str, year: int, number: int) -> str:
    """ "Most consistent — March 2027" in the active language."""
    return _("%(category)s — %(month)s") % {"category": category, "month": month_label(year=year, number=number)}


def certificate_credential_attach(certificate: Certificate) -> None:
    """Allocate a status entry for the (unsaved) certificate and store its signed credential on it.

    Call inside the transaction that saves the certificate, after its verify_id, learner_name, language, issued_at
    (and award) are set: a certificate whose row is refused leaves no entry behind."""
    entry = status_entry_allocate()
    with translation.override(certificate.language):
        achievement = certificate_achievement(certificate)
        name = achievement.name
    signed = credential_issue(
        credential_id=verify_url(certificate),
        name=name,
        achievement=achievement,
        recipient_name=certificate.learner_name,
        valid_from=certificate.issued_at,
        status_entry=entry,
    )
    certificate.credential_status_entry = entry
    certificate.credential = serialize(signed)


def credential_response(certificate: Certificate) -> HttpResponse:
    """The signed credential as a download (application/ld+json), private to whoever may fetch it."""
    if not certificate.credential:
        raise NotFound(gettext_lazy("This certificate has no credential."), code="credential_not_found")
    response = HttpResponse(certificate.credential.encode("utf-8"), content_type=JSON_LD)
    response["Content-Disposition"] = f'attachment; filename="credential-{certificate.serial}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
