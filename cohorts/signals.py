"""Signals other apps listen to, so cohorts need not know them (billing refunds a cancelled cohort)."""

from django.dispatch import Signal

# Sent once a cohort's cancellation has committed. Arguments: cohort_id.
cohort_cancelled = Signal()

# Sent once a waitlisted learner's seat offer has committed (billing mails it). Arguments: enrollment_id.
waitlist_seat_offered = Signal()

# Sent once a cohort's review window is over and its outcomes are final (certificates, deposit refunds and upgrade
# offers follow). Arguments: cohort_id.
cohort_closed = Signal()

# Sent once per winner after a month's award round has become final and committed (award certificates and
# credentials listen). Arguments: award_id (a ``cohorts.awards.models.Award`` of rank 1, not withheld).
award_published = Signal()

# An enrollment's status changed (``cohorts.transitions.enrollment_transition``, the one place it does). Sent after
# commit with ``enrollment_id`` and the statuses it went between (``old``, ``new``); a new enrollment is a
# ``post_save`` of ``Enrollment``.
enrollment_changed = Signal()
