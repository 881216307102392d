"""Signals other apps listen to, so cohorts need not know them (billing refunds a cancelled cohort)."""

from django.dispatch import Signal

# Sent once a cohort's cancellation has committed. Arguments: cohort_id.
cohort_cancelled = Signal()

# Sent once a waitlisted learner's seat offer has committed (billing mails it). Arguments: enrollment_id.
waitlist_seat_offered = Signal()

# Sent once a cohort's review window is over and its outcomes are final (certificates, deposit refunds and upgrade
# offers follow). Arguments: cohort_id.
cohort_closed = Signal()
