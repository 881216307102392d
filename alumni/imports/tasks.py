from celery import shared_task

from alumni.imports.services import LEASE, import_run_execute


@shared_task(bind=True, max_retries=3)
def import_run_execute_task(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Import a queued run (a large file). Idempotent: a finished run is left alone; a run another worker holds is
    tried again once that worker's lease is over (if the worker died, this task finishes its import)."""
    result = import_run_execute(run_id=run_id)
    if result == "busy":
        raise self.retry(countdown=int(LEASE.total_seconds()) + 60)
    return result
