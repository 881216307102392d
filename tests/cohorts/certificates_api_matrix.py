"""Permission-matrix entries for the certificates router (cohorts/api/certificates.py), merged into
tests/test_api_permissions.py's MATRIX: the learner reaches only their own, the course's instructors and staff a
cohort's, only staff revoke, anyone verifies."""

from datetime import timedelta
from typing import Any

from cohorts.certificates.models import Certificate
from cohorts.certificates.services import certificates_issue_batch
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories

CERTIFICATE_LIST_PATHS = {"/api/v1/me/certificates", "/api/v1/cohorts/{cohort_id}/certificates"}


def _ended_cohort(p: dict[str, Any]):
    course = factories.course(teacher=p["instructor"])
    starts_on = factories.local_today() - timedelta(days=20)
    return factories.cohort(course=course, starts_on=starts_on, status=CohortStatus.ENDED)


def _certificate(p: dict[str, Any], *, rename: bool = False) -> Certificate:
    """The learner's certificate for an ended cohort of the instructor's course (``rename``: the learner has
    changed their name since, so it can be reissued)."""
    enrollment = factories.enrollment(cohort=_ended_cohort(p), learner=p["learner"], status=EnrollmentStatus.COMPLETED)
    certificates_issue_batch(enrollment_ids=[enrollment.pk])
    if rename:
        p["learner"].display_name = f"张伟 {enrollment.pk}"
        p["learner"].save(update_fields=["display_name"])
    return Certificate.objects.get(enrollment=enrollment)


def certificates_matrix(Scenario, everyone, signed_in, course_staff) -> dict:  # noqa: N803 - the matrix's classes
    own = signed_in(404, learner=200, instructor=200, staff=200)
    return {
        ("GET", "/api/v1/verify/{code}"): [
            Scenario(lambda p: (f"/api/v1/verify/{_certificate(p).verify_id}", None), everyone(200))
        ],
        ("GET", "/api/v1/me/certificates"): [Scenario(lambda p: ("/api/v1/me/certificates", None), signed_in(200))],
        ("GET", "/api/v1/certificates/{certificate_id}"): [
            Scenario(lambda p: (f"/api/v1/certificates/{_certificate(p).pk}", None), own)
        ],
        ("GET", "/api/v1/certificates/{certificate_id}/pdf"): [
            Scenario(lambda p: (f"/api/v1/certificates/{_certificate(p).pk}/pdf", None), own)
        ],
        ("GET", "/api/v1/certificates/{certificate_id}/credential"): [
            Scenario(
                lambda p: (f"/api/v1/certificates/{_certificate(p).pk}/credential", None),
                signed_in(404, learner=200),
                label="the learner's own only",
            )
        ],
        ("POST", "/api/v1/certificates/{certificate_id}/reissue"): [
            Scenario(
                lambda p: (f"/api/v1/certificates/{_certificate(p, rename=True).pk}/reissue", None),
                signed_in(404, learner=201),
                label="the learner's, after a change of name",
            )
        ],
        ("POST", "/api/v1/certificates/{certificate_id}/revoke"): [
            Scenario(
                lambda p: (f"/api/v1/certificates/{_certificate(p).pk}/revoke", {"reason": "Plagiarised project"}),
                signed_in(403, staff=200),
            )
        ],
        ("GET", "/api/v1/cohorts/{cohort_id}/certificates"): [
            Scenario(
                lambda p: (f"/api/v1/cohorts/{_certificate(p).enrollment.cohort_id}/certificates", None),
                course_staff(200),
            )
        ],
        ("GET", "/api/v1/cohorts/{cohort_id}/certificates.zip"): [
            Scenario(
                lambda p: (f"/api/v1/cohorts/{_certificate(p).enrollment.cohort_id}/certificates.zip", None),
                course_staff(200),
            )
        ],
        ("POST", "/api/v1/cohorts/{cohort_id}/certificates/issue"): [
            Scenario(lambda p: (f"/api/v1/cohorts/{_ended_cohort(p).pk}/certificates/issue", None), course_staff(202))
        ],
    }
