from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stagewise.models import MailLog


@admin.register(MailLog)
class MailLogAdmin(admin.ModelAdmin):
    """Read-only: rows are written by the mail path (``stagewise.mail``) only."""

    list_display = ["key", "to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "to", "subject"]
    fields = ("key", "kind", "user", "to", "subject", "status", "attempts", "error", "attachment_names",
              "created_at", "claimed_at", "sent_at", "body_text")  # fmt: skip
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description="attachments")
    def attachment_names(self, log: MailLog) -> str:
        return ", ".join(a["filename"] for a in log.attachments)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
