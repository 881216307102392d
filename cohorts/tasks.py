from celery import shared_task

from cohorts.notifications import daily_notices_run
from cohorts.services import cohort_transitions_run


@shared_task
def cohort_transitions_run_task() -> dict[str, int]:
    return cohort_transitions_run()


@shared_task
def daily_notices_run_task() -> dict[str, int]:
    return daily_notices_run()
