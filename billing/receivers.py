"""Billing's answers to signals: other apps' and its own services' (which sit below the tasks they ask for)."""

from typing import Any

from billing.tasks import (
    application_decided_mail_task,
    application_submitted_mail_task,
    cohort_cancellation_refund_task,
    deposit_refunds_issue_task,
    offer_mark_used_task,
    offers_create_task,
    receipt_mail_task,
    upgrade_done_mail_task,
    waitlist_offer_mail_task,
)


def refund_cancelled_cohort(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    """A cancelled cohort refunds everyone in full, once (the task is idempotent and owns its retries)."""
    cohort_cancellation_refund_task.delay(cohort_id)


def mail_waitlist_offer(sender: Any, *, enrollment_id: int, **kwargs: Any) -> None:
    """A freed seat was offered to a waitlisted learner: tell them (the mail says how long it is held)."""
    waitlist_offer_mail_task.delay(enrollment_id)


def mail_receipt(sender: Any, *, order_id: int, **kwargs: Any) -> None:
    """An order was paid (sent after commit): the learner gets a receipt."""
    receipt_mail_task.delay(order_id)


def mail_application_decided(sender: Any, *, application_id: int, **kwargs: Any) -> None:
    """An application was approved or rejected (sent after commit): the learner is told."""
    application_decided_mail_task.delay(application_id)


def mail_application_submitted(sender: Any, *, application_id: int, **kwargs: Any) -> None:
    """A learner applied (sent after commit): the course's instructors are told."""
    application_submitted_mail_task.delay(application_id)


def create_offers(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    """A cohort's outcomes are final (sent after commit): completers get credit toward the next stage, the others
    toward this one again."""
    offers_create_task.delay(cohort_id)


def refund_deposits(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    """A cohort's outcomes are final (sent after commit): those who checked in every day get the deposit back."""
    deposit_refunds_issue_task.delay(cohort_id)


def take_up_offer(sender: Any, *, order_id: int, **kwargs: Any) -> None:
    """An order was paid: if it is for a course the learner had an offer for, the offer is used."""
    offer_mark_used_task.delay(order_id)


def mail_upgrade_done(sender: Any, *, upgrade_id: int, **kwargs: Any) -> None:
    """A learner moved up a stage mid-cohort (sent after commit): they are told."""
    upgrade_done_mail_task.delay(upgrade_id)
