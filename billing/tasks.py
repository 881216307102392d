"""Celery tasks: each takes ids, calls one service and owns its retries."""

from celery import shared_task

from billing import notifications
from billing.services import applications, cancellation, credits, holds


@shared_task
def seat_holds_release_expired_task() -> int:
    return holds.seat_holds_release_expired()


@shared_task
def referral_credits_grant_due_task() -> int:
    return credits.referral_credits_grant_due()


@shared_task(bind=True, max_retries=10, default_retry_delay=60)
def cohort_cancellation_refund_task(self, cohort_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Refund everyone of a cancelled cohort; retried while the provider refuses some refunds."""
    done = cancellation.cohort_cancellation_refund(cohort_id=cohort_id)
    if done["failed"]:
        raise self.retry()
    return done


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def receipt_mail_task(self, order_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        notifications.receipt_mail(order_id=order_id)
    except OSError as exc:  # the mail server is unreachable: try again later
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def waitlist_offer_mail_task(self, enrollment_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        notifications.waitlist_offer_mail(enrollment_id=enrollment_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def applications_expire_overdue_task() -> int:
    return applications.applications_expire_overdue()


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def application_decided_mail_task(self, application_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        notifications.application_decided_mail(application_id=application_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
