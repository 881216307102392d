"""Celery tasks: each takes ids, calls one service and owns its retries."""

from celery import shared_task

from billing import notifications
from billing.models import Order
from billing.services import applications, cancellation, credits, deposits, holds, offers, refunds
from billing.signals import order_paid


@shared_task
def seat_holds_release_expired_task() -> int:
    return holds.seat_holds_release_expired()


@shared_task
def referral_credits_grant_due_task() -> int:
    return credits.referral_credits_grant_due()


@shared_task
def cohort_cancellation_refund_task(cohort_id: int) -> dict[str, int]:
    """Refund everyone of a cancelled cohort. A refund the provider refuses is due: ``refunds_retry_due_task``
    retries it."""
    return cancellation.cohort_cancellation_refund(cohort_id=cohort_id)


@shared_task
def refunds_retry_due_task() -> dict[str, int]:
    """Periodic: refunds owed that the provider refused, each retried with its own backoff (``refund_retry``)."""
    return refunds.refunds_retry_due()


@shared_task
def order_paid_announce_task(order_id: int) -> None:
    """An order was paid (enqueued after its commit): ``order_paid``'s receivers hear of it here, in a worker, and
    enqueue their own tasks, so the payment's request enqueues one."""
    order_paid.send(sender=Order, order_id=order_id)


@shared_task
def receipt_mail_task(order_id: int) -> None:
    """Compose the receipt (its PDF takes a while: not in the webhook's request) and queue it; the mail path
    sends it and owns the retries."""
    notifications.receipt_mail(order_id=order_id)


@shared_task
def upgrade_done_mail_task(upgrade_id: int) -> None:
    notifications.upgrade_done_mail(upgrade_id=upgrade_id)


@shared_task
def waitlist_offer_mail_task(enrollment_id: int) -> None:
    notifications.waitlist_offer_mail(enrollment_id=enrollment_id)


@shared_task
def applications_expire_overdue_task() -> int:
    return applications.applications_expire_overdue()


@shared_task
def application_decided_mail_task(application_id: int) -> None:
    notifications.application_decided_mail(application_id=application_id)


@shared_task
def application_submitted_mail_task(application_id: int) -> None:
    notifications.application_submitted_mail(application_id=application_id)


@shared_task
def offers_create_task(cohort_id: int) -> int:
    """A cohort's outcomes are final: every member gets their offer (idempotent)."""
    return offers.offers_create_for_cohort(cohort_id=cohort_id)


@shared_task
def deposit_refunds_issue_task(cohort_id: int) -> dict[str, int]:
    """A cohort's outcomes are final: those who kept the deposit challenge get their share back (idempotent; a
    refund the provider refuses is due, and ``refunds_retry_due_task`` retries it)."""
    return deposits.deposit_refunds_issue(cohort_id=cohort_id)


@shared_task
def offer_mark_used_task(order_id: int) -> bool:
    return offers.offer_mark_used(order_id=order_id)
