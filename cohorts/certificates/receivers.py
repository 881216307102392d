"""Certificates follow the end of a cohort: once its outcomes are final (``cohorts.signals.cohort_closed``, sent after
commit), a task queues the certificates of those who completed, in batches. A published award
(``cohorts.signals.award_published``, sent after commit, once per winner) gets its award certificate by a task."""

from typing import Any


def certificates_on_cohort_closed(sender: Any, *, cohort_id: int, **kwargs: Any) -> None:
    from cohorts.certificates.tasks import certificates_issue_for_cohort_task

    certificates_issue_for_cohort_task.delay(cohort_id)


def award_certificate_on_award_published(sender: Any, *, award_id: int, **kwargs: Any) -> None:
    from cohorts.certificates.tasks import award_certificate_issue_task

    award_certificate_issue_task.delay(award_id)
