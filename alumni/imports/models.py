"""An operator's spreadsheet of existing alumni, from its dry run to its import: one ``ImportRun`` per upload."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    VALIDATED = "validated", _("Checked (dry run)")  # every row checked, nothing written; may be started
    QUEUED = "queued", _("Queued")  # started; a worker will run it (large files)
    RUNNING = "running", _("Importing")  # a worker (or the request, for a small file) is writing it
    DONE = "done", _("Imported")  # committed, counts final
    FAILED = "failed", _("Failed")  # rolled back: nothing of it was written


# The one place that says how a run moves (``alumni.imports.services._transition`` applies it).
TRANSITIONS: dict[str, frozenset[str]] = {
    ImportStatus.VALIDATED: frozenset({ImportStatus.QUEUED, ImportStatus.RUNNING}),
    ImportStatus.QUEUED: frozenset({ImportStatus.RUNNING, ImportStatus.FAILED}),
    ImportStatus.RUNNING: frozenset({ImportStatus.DONE, ImportStatus.FAILED}),
    ImportStatus.DONE: frozenset(),
    ImportStatus.FAILED: frozenset(),
}


class ImportRun(models.Model):
    """One uploaded file: its dry run (``validated``: the counts say what *would* happen) and, once started, its
    import (``done``: the counts say what happened). The file is kept in the storage until the import ends.

    ``problems`` holds the first ``MAX_PROBLEMS`` bad cells as ``{"line", "column", "code", "value", …}`` (the message
    is written in the reader's language when shown); ``problem_count`` counts them all."""

    source = models.CharField(max_length=200, help_text="The source label, e.g. 'Xiaoe-tech export 2025'.")
    file_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="alumni-imports/%Y/%m/", blank=True, max_length=300)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.VALIDATED)
    total = models.PositiveIntegerField(default=0, help_text="Data rows in the file (blank rows not counted).")
    processed = models.PositiveIntegerField(default=0, help_text="Rows written so far (the import's progress).")
    created = models.PositiveIntegerField(default=0, help_text="New learner accounts (dry run: would be).")
    updated = models.PositiveIntegerField(default=0, help_text="Existing learners whose facts or consent changed.")
    unchanged = models.PositiveIntegerField(default=0, help_text="Rows that said what Stagewise knew already.")
    skipped = models.PositiveIntegerField(default=0, help_text="Rows with a problem: never imported.")
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    ignored_columns = models.JSONField(default=list, blank=True, help_text="Headers the import does not know.")
    failure = models.TextField(blank=True, help_text="Why a failed import failed (nothing of it was written).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A worker's claim on a running import: once past, the run may be claimed again.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ImportStatus.values), name="import_run_status_valid"),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.file_name} ({self.status})"

    @property
    def importable(self) -> int:
        """Rows an import would write or find unchanged: every row without a problem."""
        return self.created + self.updated + self.unchanged
