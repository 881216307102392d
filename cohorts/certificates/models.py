"""The certificate model. Imported by ``cohorts.models`` so that Django registers it with the cohorts app."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Crockford's base32 without I, L, O, U: a serial read aloud or typed from paper has no look-alike characters.
_SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_verify_id() -> str:
    """The id in the public verification URL: 128 random bits, so certificates can't be enumerated."""
    return secrets.token_urlsafe(16)


def new_serial(*, year: int) -> str:
    """A human-readable serial, ``SW-2026-7K3M-9QXD`` (40 random bits; the unique constraint catches a clash)."""
    chars = "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(8))
    return f"SW-{year}-{chars[:4]}-{chars[4:]}"


class CertificateKind(models.TextChoices):
    COMPLETION = "completion", _("Completion")  # the learner completed the cohort (issued when it ends)
    AWARD = "award", _("Award")  # the learner won a monthly award (issued when its round is published); see award


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")  # issued and standing
    REVOKED = "revoked", _("Revoked")  # withdrawn by staff, with a reason
    SUPERSEDED = "superseded", _("Superseded")  # replaced by a reissue (a new name); see superseded_by


# The one place that holds a certificate's allowed transitions.
CERTIFICATE_TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateStatus.VALID: frozenset({CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED}),
    CertificateStatus.REVOKED: frozenset(),
    CertificateStatus.SUPERSEDED: frozenset(),
}


def _pdf_path(instance: "Certificate", filename: str) -> str:
    return f"certificates/{instance.enrollment.cohort_id}/{filename}"


class Certificate(models.Model):
    """A certificate for one enrollment, as printed: the name and language are frozen at issue, so the PDF, the
    verification page and the mail agree however the learner's profile changes later.

    At most one completion certificate per enrollment, and one award certificate per award, that is not superseded
    (database constraints): a rerun of the issuing job, or two workers at once, can't issue a second one. A reissue
    supersedes the old one first.

    Each is also an Open Badges 3.0 credential (``cohorts.credentials``): ``credential`` holds the signed JSON as
    served, ``credential_status_entry`` its bit in a status list (set when it is revoked or superseded).
    """

    enrollment = models.ForeignKey("cohorts.Enrollment", on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(max_length=12, choices=CertificateKind.choices, default=CertificateKind.COMPLETION)
    verify_id = models.CharField(max_length=32, unique=True, default=new_verify_id, editable=False)
    serial = models.CharField(max_length=24, unique=True)
    learner_name = models.CharField(max_length=80, help_text="The name as printed.")
    language = models.CharField(max_length=10, help_text="The language it is printed in.")
    instructor_name = models.CharField(max_length=80, blank=True, help_text="The signer as printed.")
    pdf = models.FileField(upload_to=_pdf_path, blank=True)
    status = models.CharField(max_length=12, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    # The award it celebrates (kind "award" only).
    award = models.ForeignKey(
        "cohorts.Award", on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    # Its verifiable credential (cohorts/credentials/): the signed OpenBadgeCredential, exactly the bytes served,
    # and its entry in a Bitstring status list. Empty / null only for certificates issued before credentials.
    credential = models.TextField(blank=True)
    credential_status_entry = models.OneToOneField(
        "cohorts.StatusListEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="certificate"
    )
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["enrollment_id", "-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "kind"],
                condition=Q(kind=CertificateKind.COMPLETION) & ~Q(status=CertificateStatus.SUPERSEDED),
                name="certificate_one_standing_per_enrollment",
            ),
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(award__isnull=False) & ~Q(status=CertificateStatus.SUPERSEDED),
                name="certificate_one_standing_per_award",
            ),
            models.CheckConstraint(
                condition=Q(kind=CertificateKind.AWARD, award__isnull=False)
                | (~Q(kind=CertificateKind.AWARD) & Q(award__isnull=True)),
                name="certificate_award_kind_has_award",
            ),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED) | ~Q(revoked_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} ({self.status})"
