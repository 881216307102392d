"""Writes on billing, by sub-domain. Import from the submodule that owns a function:

- ``checkout``: a seat hold and a priced order (or the waitlist), the prerequisite check;
- ``orders``: an order's status changes (closing, completing, after a refund);
- ``payments``: provider payments: start, capture, failure, the test card;
- ``holds``: seat holds that lapse, a pending order the learner gives up;
- ``refunds`` and ``refund_policy``: refunds, and what the course's policy gives back;
- ``cancellation``: a cancelled cohort refunds everyone;
- ``credits``: credit grants and referrals;
- ``applications``: questionnaires and an instructor's decision.

Webhook dispatch lives in ``billing.webhooks``.
"""
