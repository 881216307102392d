"""Billing's own signals: what a service causes that belongs to a layer above it (mail tasks).

Services sit below ``billing.tasks`` (tasks call services), so a service asks for a mail through a signal sent
after commit, and ``billing.receivers`` enqueues the task.
"""

from django.dispatch import Signal

# An order went pending → paid (its receipt is due). Sent with ``order_id`` by a worker, once the payment has
# committed (``billing.tasks.order_paid_announce_task``): its receivers enqueue tasks, and the request pays for one.
order_paid = Signal()

# An instructor approved or rejected an application (the learner is told). Sent after commit with ``application_id``.
application_decided = Signal()

# A learner applied to a cohort (its instructors are told). Sent after commit with ``application_id``.
application_submitted = Signal()

# A learner moved up a stage mid-cohort (they are mailed). Sent after commit with ``upgrade_id``.
upgrade_completed = Signal()

# Money went back on an order (any refund that counts against its capture: policy, staff, provider dashboard, a
# cancelled cohort, a deposit). Sent after commit with ``order_id``.
order_refunded = Signal()
