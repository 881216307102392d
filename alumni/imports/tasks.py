from celery import shared_task

from alumni.imports.services import import_run_execute


@shared_task
def import_run_execute_task(run_id: int) -> str:
    """Import a queued run (a large file). Idempotent: a run already claimed or finished is left alone."""
    return import_run_execute(run_id=run_id)
