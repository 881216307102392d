"""Writes on billing, by sub-domain. Import from the submodule that owns a function:

- ``checkout``: a seat hold and a priced order (or the waitlist), the prerequisite check;
- ``orders``: an order's status changes (closing, completing, after a refund);
- ``payments``: provider payments: start, capture, failure, the test card;
- ``holds``: seat holds that lapse, a pending order the learner gives up;
- ``refunds``: refunds on withdrawal (by ``billing.refund_policy``), by staff, from the provider's dashboard;
- ``cancellation``: a cancelled cohort refunds everyone;
- ``deposits``: the deposit challenge's refunds when a cohort closes;
- ``credits``: credit grants and referrals;
- ``applications``: questionnaires and an instructor's decision.

Reads are in ``billing.selectors``, prices in ``billing.pricing``, what a refund policy gives back in
``billing.refund_policy``; webhook dispatch in ``billing.webhooks``. A service that needs a mail sent sends a
``billing.signals`` signal after commit (``billing.receivers`` enqueues the task), since tasks call services.
"""
