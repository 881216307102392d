"""Every write on certificates: issue (by batches, from Celery), reissue under a new name, revoke, and the cohort's
signature.

Issuing renders the PDF first, outside any transaction (a tenth of a second that should hold no lock), then stores
the file, inserts the row and queues the mail in one short transaction (a savepoint of its chunk's transaction, when
Celery issues a batch: ``certificates_issue_batch``). The database refuses a second standing
certificate for an enrollment (``certificate_one_standing_per_enrollment``): a rerun, or two workers on one batch,
issue once; the loser deletes the file it stored.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cohorts.awards.models import Award, AwardRoundStatus
from cohorts.certificates.credentials import award_title, certificate_credential_attach
from cohorts.certificates.models import (
    CERTIFICATE_TRANSITIONS,
    Certificate,
    CertificateKind,
    CertificateStatus,
    new_serial,
    new_verify_id,
)
from cohorts.certificates.pdf import CertificateContent, certificate_html, certificate_pdf, render_pdf
from cohorts.certificates.selectors import certificate_get_for_learner, verify_url
from cohorts.credentials.services import status_list_revoke
from cohorts.images import checkin_image_prepare
from cohorts.models import Cohort, Enrollment
from cohorts.moderation import audit_record
from cohorts.selectors import cohort_get_for_instructor
from cohorts.statuses import EnrollmentStatus, can_transition
from stagewise.errors import Conflict, Forbidden, Invalid, NotFound
from stagewise.mail import StoredAttachment, mail_send
from stagewise.permissions import is_staff

logger = logging.getLogger(__name__)

T = TypeVar("T")
U = TypeVar("U")

# Enrollments per Celery task: small enough that a worker that dies loses little, large enough that the per-task
# setup (the cohort, its signature, the fonts of a fresh worker) is spread thin.
ISSUE_BATCH_SIZE = 50
# PDFs rendered back to back before their files, rows and mails are written (certificates_issue_batch).
RENDER_CHUNK = 10


def _standing() -> Exists:
    return Exists(
        Certificate.objects.filter(enrollment=OuterRef("pk"), kind=CertificateKind.COMPLETION).exclude(
            status=CertificateStatus.SUPERSEDED
        )
    )


def _batches(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def certificates_issue_for_cohort(*, cohort: Cohort, batch_size: int = ISSUE_BATCH_SIZE) -> int:
    """Queue certificates for the cohort's completed enrollments that have none: one Celery task per batch,
    enqueued after the caller's transaction commits. Returns how many enrollments were queued.

    Safe to call any number of times (the end-of-cohort job may rerun): each batch skips an enrollment that got its
    certificate meanwhile.
    """
    from cohorts.certificates.tasks import certificates_issue_batch_task  # the task module imports this one

    ids = list(
        Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.COMPLETED)
        .exclude(_standing())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for batch in _batches(ids, batch_size):
        transaction.on_commit(partial(certificates_issue_batch_task.delay, batch))
    return len(ids)


def _signer_name(cohort: Cohort) -> str:
    if cohort.certificate_signer is not None:
        return cohort.certificate_signer.display_name
    first = cohort.course.instructors.order_by("pk").first()
    return first.display_name if first else ""


def _signature(cohort: Cohort) -> bytes | None:
    if not cohort.certificate_signature:
        return None
    try:
        with cohort.certificate_signature.open("rb") as image:
            return image.read()
    except OSError:  # the file is gone from storage: the typed name rather than no certificate
        logger.warning("signature of cohort %s is missing from storage", cohort.pk)
        return None


def _content(
    *,
    enrollment: Enrollment,
    learner: User,
    serial: str,
    verify_id: str,
    signer: str,
    signature: bytes | None,
    now: datetime,
    award: Award | None = None,
) -> CertificateContent:
    cohort = enrollment.cohort
    probe = Certificate(verify_id=verify_id)
    title = ""
    if award is not None:
        with translation.override(learner.language):
            title = award_title(
                category=str(award.get_category_display()), year=award.round.month.year, number=award.round.month.month
            )
    return CertificateContent(
        learner_name=learner.display_name,
        language=learner.language,
        course_title=cohort.course.title,
        stage_label=cohort.course.stage_label,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        instructor_name=signer,
        signature=signature,
        serial=serial,
        verify_url=verify_url(probe),
        issued_at=now,
        timezone=learner.timezone,
        award_title=title,
    )


def _mail(certificate: Certificate, *, award_title: str = "") -> None:
    """Queue the certificate's mail, its PDF attached from the storage (where it must be already) at send time."""
    enrollment = certificate.enrollment
    mail_send(
        user=enrollment.learner,
        template="award_certificate_issued" if certificate.kind == CertificateKind.AWARD else "certificate_issued",
        context={
            "certificate": certificate,
            "award_title": award_title,
            "cohort": enrollment.cohort,
            "course": enrollment.cohort.course,
            "verify_url": verify_url(certificate),
            "cohort_path": f"/cohorts/{enrollment.cohort_id}/",
        },
        key=f"certificate:{certificate.pk}",
        attachments=[
            StoredAttachment(
                filename=f"certificate-{certificate.serial}.pdf",
                storage_path=certificate.pdf.name or "",
                mimetype="application/pdf",
            )
        ],
    )


def _store_and_insert(*, certificate: Certificate, pdf: bytes, award_title: str = "") -> Certificate | None:
    """Store the PDF, insert the row and queue its mail in one transaction; None (and the file deleted again) when
    the database refuses the row: the enrollment has a standing certificate, or (rarely) the serial is taken."""
    certificate.pdf.save(f"{certificate.serial}-{certificate.verify_id[:8]}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            certificate_credential_attach(certificate)
            certificate.save(force_insert=True)
            _mail(certificate, award_title=award_title)
    except IntegrityError:
        default_storage.delete(certificate.pdf.name or "")
        return None
    return certificate


def _prepare(
    *,
    enrollment: Enrollment,
    learner: User,
    kind: str,
    signer: str,
    signature: bytes | None,
    now: datetime,
    award: Award | None = None,
) -> tuple[Certificate, CertificateContent]:
    """A new certificate (not saved yet) with a fresh serial and verify id, and what its PDF prints: what issuing,
    award certificates and reissuing share."""
    serial, verify_id = new_serial(year=now.year), new_verify_id()
    content = _content(
        enrollment=enrollment,
        learner=learner,
        serial=serial,
        verify_id=verify_id,
        signer=signer,
        signature=signature,
        now=now,
        award=award,
    )
    certificate = Certificate(
        enrollment=enrollment,
        kind=kind,
        award=award,
        verify_id=verify_id,
        serial=serial,
        learner_name=content.learner_name,
        language=content.language,
        instructor_name=signer,
        issued_at=now,
    )
    return certificate, content


def _render(
    *,
    enrollment: Enrollment,
    learner: User,
    kind: str,
    signer: str,
    signature: bytes | None,
    now: datetime,
    award: Award | None = None,
) -> tuple[Certificate, bytes, str]:
    """``_prepare``, then the PDF; with the award's title ("" for a completion certificate)."""
    certificate, content = _prepare(
        enrollment=enrollment, learner=learner, kind=kind, signer=signer, signature=signature, now=now, award=award
    )
    return certificate, certificate_pdf(content), content.award_title


def _skipping_failures(items: Iterable[T], step: Callable[[T], U], *, enrollment_of: Callable[[T], int]) -> list[U]:
    """``step`` of each item, leaving out an item whose step fails (logged; the next run tries it again), so one
    certificate that can't be made doesn't hold up the others. OSError is raised: storage, a font or the database
    is unwell, and the task retries the batch (what's done stays done)."""
    done = []
    for item in items:
        try:
            done.append(step(item))
        except OSError:
            raise
        except Exception:
            logger.exception("certificate for enrollment %s failed", enrollment_of(item))
    return done


def certificates_issue_batch(*, enrollment_ids: Iterable[int], now: datetime | None = None) -> int:
    """Issue the completion certificate of each of these enrollments that is completed and has none; returns how
    many were issued.

    In chunks of RENDER_CHUNK, three passes each: the chunk's pages (HTML and QR code), their PDFs, then each one's
    file, row, credential and mail. WeasyPrint's working set is large, and interleaved with it the rest of issuing
    ran half as slowly again as back to back (7.4 against 5.0 ms of CPU a certificate besides WeasyPrint's own,
    bench/bench_certificates.py). A chunk's PDFs, about 150 KB each, wait in memory between its passes.

    A chunk's writes are one transaction, each certificate in a savepoint of its own: a certificate that fails
    loses only itself, and an error that stops the task (storage or the database unwell) rolls the chunk back and
    deletes its files, for the retry to redo. One transaction rather than ten: on SQLite, two workers' commits
    queued on its one write lock (sleeping in its busy handler) and cost each certificate 1–2 ms (ratio 1.13–1.21
    → 1.09 in bench/bench_certificates.py)."""
    now = now or timezone.now()
    enrollments = (
        Enrollment.objects.filter(pk__in=list(enrollment_ids), status=EnrollmentStatus.COMPLETED)
        .exclude(_standing())
        .select_related("learner", "cohort", "cohort__course", "cohort__certificate_signer")
        .order_by("cohort_id", "pk")
    )
    signers: dict[int, tuple[str, bytes | None]] = {}

    def prepare(enrollment: Enrollment) -> tuple[Certificate, str]:
        cohort = enrollment.cohort
        if cohort.pk not in signers:
            signers[cohort.pk] = (_signer_name(cohort), _signature(cohort))
        signer, signature = signers[cohort.pk]
        certificate, content = _prepare(
            enrollment=enrollment,
            learner=enrollment.learner,
            kind=CertificateKind.COMPLETION,
            signer=signer,
            signature=signature,
            now=now,
        )
        return certificate, certificate_html(content)

    def enrollment_of(item: tuple[Certificate, Any]) -> int:
        return item[0].enrollment_id

    issued = 0
    for chunk in _batches(list(enrollments), RENDER_CHUNK):
        pages = _skipping_failures(chunk, prepare, enrollment_of=lambda enrollment: enrollment.pk)
        pdfs = _skipping_failures(pages, lambda page: (page[0], render_pdf(page[1])), enrollment_of=enrollment_of)
        try:
            with transaction.atomic():
                stored = _skipping_failures(
                    pdfs, lambda made: _store_and_insert(certificate=made[0], pdf=made[1]), enrollment_of=enrollment_of
                )
        except BaseException:
            # The chunk's rows are rolled back (the task retries the batch): their files go too.
            for certificate, _pdf in pdfs:
                if certificate.pdf.name:
                    default_storage.delete(certificate.pdf.name)
            raise
        issued += sum(1 for certificate in stored if certificate is not None)
    return issued


def award_certificate_issue(*, award_id: int, now: datetime | None = None) -> Certificate | None:
    """Issue the award certificate of a published winner's award (``award_published``): the completion
    certificate's design with the award's category and month, in the winner's language, mailed with its PDF, and its
    credential (achievement type "Award"). Idempotent: None when the award has a standing certificate already (the
    signal fired twice, two workers), is withheld, not a winner, or its round is not final."""
    now = now or timezone.now()
    award = (
        Award.objects.select_related(
            "round", "learner", "enrollment__cohort__course", "enrollment__cohort__certificate_signer"
        )
        .filter(pk=award_id, rank=1, withheld_at__isnull=True, round__status=AwardRoundStatus.FINAL)
        .first()
    )
    if award is None or Certificate.objects.filter(award=award).exclude(status=CertificateStatus.SUPERSEDED).exists():
        return None
    enrollment = award.enrollment
    enrollment.learner = award.learner
    cohort = enrollment.cohort
    certificate, pdf, title = _render(
        enrollment=enrollment,
        learner=award.learner,
        kind=CertificateKind.AWARD,
        signer=_signer_name(cohort),
        signature=_signature(cohort),
        now=now,
        award=award,
    )
    return _store_and_insert(certificate=certificate, pdf=pdf, award_title=title)


_CREDENTIAL_RELATED = ("enrollment__cohort__course", "award__round")


def certificates_credential_backfill(*, batch_size: int = 200) -> int:
    """Give each valid certificate issued before credentials existed its credential (validFrom = its issue instant);
    returns how many. Idempotent: a certificate is locked and skipped when it has one already, so a rerun, or a
    second process, adds nothing twice."""
    done = 0
    ids = list(
        Certificate.objects.filter(credential="", status=CertificateStatus.VALID)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for batch in _batches(ids, batch_size):
        for certificate_id in batch:
            with transaction.atomic():
                certificate = (
                    Certificate.objects.select_for_update(of=("self",))
                    .select_related(*_CREDENTIAL_RELATED)
                    .filter(pk=certificate_id, credential="", status=CertificateStatus.VALID)
                    .first()
                )
                if certificate is None:
                    continue
                certificate_credential_attach(certificate)
                certificate.save(update_fields=["credential", "credential_status_entry"])
                done += 1
    return done


def certificate_reissue(*, actor: User, certificate_id: int, now: datetime | None = None) -> Certificate:
    """A new certificate under the learner's current name (and language), superseding their valid one: the old
    verification page then says it was replaced, and points to the new one. The learner's own certificate only.

    Conflict when nothing printed would change, or the certificate is not valid (revoked or superseded already).
    """
    now = now or timezone.now()
    old = certificate_get_for_learner(user=actor, certificate_id=certificate_id)
    if old.status != CertificateStatus.VALID:
        raise Conflict(_("Only a valid certificate can be reissued."), code="certificate_not_valid")
    if old.learner_name == actor.display_name and old.language == actor.language:
        raise Conflict(
            _("Your certificate already shows your current name. Change your name on your profile first."),
            code="certificate_up_to_date",
        )
    enrollment = old.enrollment
    enrollment.learner = actor
    cohort = Cohort.objects.select_related("course", "certificate_signer").get(pk=enrollment.cohort_id)
    enrollment.cohort = cohort
    award = Award.objects.select_related("round").get(pk=old.award_id) if old.award_id else None
    new, pdf, title = _render(
        enrollment=enrollment,
        learner=actor,
        kind=old.kind,
        signer=old.instructor_name or _signer_name(cohort),
        signature=_signature(cohort),
        now=now,
        award=award,
    )
    new.pdf.save(f"{new.serial}-{new.verify_id[:8]}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            # Superseded first (the constraint allows one standing certificate), then the successor, then the link.
            if not _transition(certificate_id=old.pk, old=CertificateStatus.VALID, new=CertificateStatus.SUPERSEDED):
                raise Conflict(_("Only a valid certificate can be reissued."), code="certificate_not_valid")
            _credential_revoke(old)
            certificate_credential_attach(new)
            new.save(force_insert=True)
            Certificate.objects.filter(pk=old.pk).update(superseded_by=new)
            _mail(new, award_title=title)
    except (Conflict, IntegrityError):
        default_storage.delete(new.pdf.name or "")
        raise
    return new


def _credential_revoke(certificate: Certificate) -> None:
    """Set the certificate's bit in its status list (its credential then fails the ``status`` check). Call in the
    transaction that changes its status."""
    entry = certificate.credential_status_entry
    if entry is not None:
        status_list_revoke(status_list_id=entry.status_list_id, index=entry.index)


def _transition(*, certificate_id: int, old: str, new: str, **fields: object) -> bool:
    """``old`` → ``new`` with a conditional UPDATE; False if the certificate was no longer ``old``."""
    if not can_transition(CERTIFICATE_TRANSITIONS, old, new):
        raise ValueError(f"certificate: {old} → {new} is not allowed")
    return Certificate.objects.filter(pk=certificate_id, status=old).update(status=new, **fields) == 1


def certificate_revoke(*, actor: User, certificate_id: int, reason: str, now: datetime | None = None) -> Certificate:
    """Revoke a valid certificate (staff only), with a reason the verification page shows. Audited."""
    now = now or timezone.now()
    if not is_staff(actor):
        raise Forbidden(_("Only staff can revoke a certificate."), code="staff_only")
    reason = reason.strip()
    if len(reason) < 3:
        raise Invalid(_("Give a reason for the revocation."), code="reason_required", extra={"field": "reason"})
    certificate = Certificate.objects.select_related("credential_status_entry").filter(pk=certificate_id).first()
    if certificate is None:
        raise NotFound(_("No such certificate."), code="certificate_not_found")
    with transaction.atomic():
        revoked = _transition(
            certificate_id=certificate.pk,
            old=CertificateStatus.VALID,
            new=CertificateStatus.REVOKED,
            revoked_reason=reason[:300],
            revoked_by=actor,
            revoked_at=now,
        )
        if not revoked:
            raise Conflict(_("Only a valid certificate can be revoked."), code="certificate_not_valid")
        _credential_revoke(certificate)
        audit_record(actor=actor, action="certificate_revoke", target=certificate, details={"reason": reason}, now=now)
    certificate.refresh_from_db()
    return certificate


def cohort_signature_set(*, actor: User, cohort_id: int, upload: UploadedFile | None) -> Cohort:
    """Set (or, with no upload, remove) the signature printed on the cohort's certificates from now on, signed by
    ``actor``: an instructor of the course, or staff. Certificates already issued keep theirs."""
    cohort = cohort_get_for_instructor(user=actor, cohort_id=cohort_id)
    old_name = cohort.certificate_signature.name if cohort.certificate_signature else ""
    if upload is None:
        cohort.certificate_signature = ""  # type: ignore[assignment]
    else:
        prepared = checkin_image_prepare(upload=upload)
        cohort.certificate_signature.save(prepared.name or "signature.png", prepared, save=False)
    cohort.certificate_signer = actor
    cohort.save(update_fields=["certificate_signature", "certificate_signer"])
    if old_name and old_name != cohort.certificate_signature.name:
        default_storage.delete(old_name)
    return cohort
