"""Reads of alumni imports: for marketers and staff only."""

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from alumni.imports.models import ImportRun, ImportStatus
from alumni.permissions import marketer_check
from stagewise.errors import NotFound


def import_run_get_for_user(*, user: User, run_id: int) -> ImportRun:
    marketer_check(user)
    run = ImportRun.objects.select_related("created_by", "started_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No such import."), code="import_not_found")
    return run


def import_runs_for_user(*, user: User) -> QuerySet[ImportRun]:
    marketer_check(user)
    return ImportRun.objects.select_related("created_by", "started_by").defer("problems").order_by("-created_at", "-id")


def progress_key(run_id: int) -> str:
    return f"alumni:import:{run_id}:processed"


def import_progress(run: ImportRun) -> int:
    """Rows written so far. While a run is running its row can't show it (the import is one transaction, unseen by
    other connections until it commits), so the progress goes through the cache meanwhile."""
    if run.status == ImportStatus.RUNNING:
        return max(run.processed, int(cache.get(progress_key(run.pk)) or 0))
    return run.processed
