"""Celery tasks of the project package: the one mail path's delivery."""

from celery import shared_task

from stagewise import mail


@shared_task(
    bind=True,
    autoretry_for=mail.MAIL_TRANSIENT_ERRORS,
    retry_backoff=mail.MAIL_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=mail.MAIL_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=mail.MAIL_MAX_RETRIES,
)
def mail_deliver_task(self, log_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send the queued mail ``log_id``; Celery retries it with backoff while the mail server fails (see
    ``stagewise.mail``). Safe to run twice: the row is claimed first."""
    return mail.mail_deliver(log_id=log_id, last_try=self.request.retries >= self.max_retries)
