"""Billing's answers to other apps' signals."""

from typing import Any

from billing.tasks import cohort_cancellation_refund_task, waitlist_offer_mail_task


def refund_cancelled_cohort(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    """A cancelled cohort refunds everyone in full, once (the task is idempotent and owns its retries)."""
    cohort_cancellation_refund_task.delay(cohort_id)


def mail_waitlist_offer(sender: Any, *, enrollment_id: int, **kwargs: Any) -> None:
    """A freed seat was offered to a waitlisted learner: tell them (the mail says how long it is held)."""
    waitlist_offer_mail_task.delay(enrollment_id)
