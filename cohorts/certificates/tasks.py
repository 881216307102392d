"""Celery tasks for certificates (registered through ``cohorts.tasks``, which Celery's autodiscovery imports)."""

from celery import shared_task

from cohorts.certificates.services import (
    award_certificate_issue,
    certificates_issue_batch,
    certificates_issue_for_cohort,
)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def certificates_issue_batch_task(self, enrollment_ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    """Issue one batch. A retry (the database was busy, storage refused a file) redoes only what is missing."""
    try:
        return certificates_issue_batch(enrollment_ids=enrollment_ids)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def certificates_issue_for_cohort_task(cohort_id: int) -> int:
    """Queue a cohort's certificates in batches (for the end-of-cohort job, or staff, to call by id)."""
    from cohorts.models import Cohort

    return certificates_issue_for_cohort(cohort=Cohort.objects.get(pk=cohort_id))


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def award_certificate_issue_task(self, award_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Issue a published award's certificate; a second delivery of the signal issues nothing."""
    try:
        return award_certificate_issue(award_id=award_id) is not None
    except OSError as exc:
        raise self.retry(exc=exc) from exc
