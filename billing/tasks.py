"""Celery tasks: each takes ids, calls one service and owns its retries."""

from celery import shared_task

from billing import refunds, services


@shared_task
def seat_holds_release_expired_task() -> int:
    return services.seat_holds_release_expired()


@shared_task
def referral_credits_grant_due_task() -> int:
    return services.referral_credits_grant_due()


@shared_task(bind=True, max_retries=10, default_retry_delay=60)
def cohort_cancellation_refund_task(self, cohort_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Refund everyone of a cancelled cohort; retried while the provider refuses some refunds."""
    done = refunds.cohort_cancellation_refund(cohort_id=cohort_id)
    if done["failed"]:
        raise self.retry()
    return done
