from celery import shared_task

from cohorts.completion.services import cohort_ends_run
from cohorts.notifications import daily_notices_run
from cohorts.services import cohort_transitions_run


@shared_task
def cohort_transitions_run_task() -> dict[str, int]:
    return cohort_transitions_run()


@shared_task
def cohort_ends_run_task() -> dict[str, int]:
    return cohort_ends_run()


@shared_task
def daily_notices_run_task() -> dict[str, int]:
    return daily_notices_run()


@shared_task(bind=True, max_retries=6)
def webhook_deliver_task(self, delivery_id: int) -> str | None:  # type: ignore[no-untyped-def]
    """One attempt at a webhook delivery; on a transient failure it schedules itself again at the backoff time.
    If that retry is lost (or arrives early), ``webhook_deliveries_retry_task`` sends the delivery when it is due."""
    from django.utils import timezone

    from cohorts.models import WebhookDeliveryStatus
    from cohorts.webhooks.services import webhook_delivery_attempt

    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == WebhookDeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        raise self.retry(countdown=max(wait, 0) + 1)
    return delivery.status


@shared_task
def webhook_deliveries_retry_task() -> dict[str, int]:
    from cohorts.webhooks.services import webhook_deliveries_retry

    return webhook_deliveries_retry()


@shared_task
def webhook_digests_run_task() -> int:
    from cohorts.webhooks.services import webhook_digests_run

    return webhook_digests_run()


@shared_task
def awards_run_task() -> dict[str, int]:
    from cohorts.awards.services import awards_run

    return awards_run()


# Certificates' tasks live with certificates; imported here so that Celery's autodiscovery registers them.
from cohorts.certificates.tasks import (  # noqa: E402, F401
    award_certificate_issue_task,
    certificates_issue_batch_task,
    certificates_issue_for_cohort_task,
)
