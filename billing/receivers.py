"""Billing's answers to other apps' signals."""

from typing import Any

from billing.tasks import cohort_cancellation_refund_task


def refund_cancelled_cohort(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    """A cancelled cohort refunds everyone in full, once (the task is idempotent and owns its retries)."""
    cohort_cancellation_refund_task.delay(cohort_id)
