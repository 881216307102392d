"""Segment rows beyond the shared ones in ``alumni.models`` (made visible to Django there)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportLog(models.Model):
    """Someone downloaded a segment's members as CSV: who, when, which segment (and its version), how many rows."""

    segment = models.ForeignKey("alumni.Segment", on_delete=models.CASCADE, related_name="exports")
    version = models.PositiveIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(help_text="Members whose consent allowed the export.")
    left_out = models.PositiveIntegerField(default=0, help_text="Members left out: their consent doesn't allow it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "alumni"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export of segment {self.segment_id} by {self.actor_id}: {self.rows} rows"
