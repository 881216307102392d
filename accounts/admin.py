from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import ApiToken, ConsentChange, MailSubscription, Notification, User


class ReadOnlyInline(admin.TabularInline):
    """Rows written only by a service (consent goes through ``accounts.consent.consent_set``, which records each
    change): staff see them, nobody edits them here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MailSubscriptionInline(ReadOnlyInline):
    model = MailSubscription
    fields = ("topic", "subscribed", "changed_at")
    readonly_fields = fields
    verbose_name_plural = "Mail subscriptions (explicit choices; no row: the topic's default)"


class ConsentChangeInline(ReadOnlyInline):
    model = ConsentChange
    fields = ("created_at", "topic", "subscribed", "source", "detail")
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = "Consent changes"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentChange]:
        return super().get_queryset(request).order_by("-created_at", "-id")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_instructor", "is_marketer", "is_staff", "date_joined"]
    list_filter = ["is_instructor", "is_marketer", "is_staff", "is_active", "language"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "timezone", "language", "mail_feedback"]}),
        (
            "Roles",
            {"fields": ["is_active", "is_instructor", "is_marketer", "is_staff", "is_superuser", "groups"]},
        ),
        ("Mail consent", {"fields": ["unsubscribed_all"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["unsubscribed_all"]  # changed by the learner (profile, unsubscribe link), recorded
    inlines = [MailSubscriptionInline, ConsentChangeInline]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    search_fields = ["user__email", "name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "user", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "key"]
    readonly_fields = ["user", "kind", "key", "actor", "params", "url", "created_at"]


@admin.register(ConsentChange)
class ConsentChangeAdmin(admin.ModelAdmin):
    """The consent audit, read-only: every change with its source and time."""

    list_display = ["created_at", "user", "topic", "subscribed", "source", "detail"]
    list_filter = ["topic", "subscribed", "source"]
    search_fields = ["user__email", "detail"]
    list_select_related = ["user"]
    readonly_fields = ["user", "topic", "subscribed", "source", "detail", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
