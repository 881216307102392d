from django.contrib import admin
from django.http import HttpRequest

from cohorts.models import Award, AwardRound, Certificate, CheckIn, Cohort, Enrollment, Invitation, OpeningAlert


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "status", "timezone", "starts_on", "ends_on", "capacity"]
    list_filter = ["status", "course"]
    search_fields = ["name"]
    # Status changes go through the services (and the scheduler), never a bare save.
    readonly_fields = ["status", "status_changed_at"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "cohort", "status", "created_at"]
    list_filter = ["status", "cohort"]
    search_fields = ["learner__email", "learner__display_name"]
    readonly_fields = ["status", "status_changed_at"]
    raw_id_fields = ["learner"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "day", "local_date", "is_makeup", "created_at"]
    raw_id_fields = ["enrollment"]


@admin.register(OpeningAlert)
class OpeningAlertAdmin(admin.ModelAdmin):
    list_display = ["learner", "course", "created_at", "notified_at", "cohort"]
    list_filter = ["course"]
    raw_id_fields = ["learner", "cohort"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Who invited whom, and who accepted when: a record, sent and accepted through the services only."""

    list_display = ["email", "cohort", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]
    list_filter = ["cohort"]
    search_fields = ["email"]
    readonly_fields = [field.name for field in Invitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


AWARD_FIELDS = ["category", "rank", "learner", "figure", "reached_at", "details", "withheld_reason", "withheld_by"]


class AwardInline(admin.TabularInline):
    model = Award
    fields = tuple(AWARD_FIELDS)
    readonly_fields = AWARD_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AwardRound)
class AwardRoundAdmin(admin.ModelAdmin):
    """A month's frozen awards: computed, withheld and published through the services only (cohorts.awards)."""

    list_display = ["month", "cohort", "track", "status", "computed_at", "review_closes_at", "finalized_at"]
    list_filter = ["status", "month"]
    readonly_fields = [field.name for field in AwardRound._meta.fields]
    inlines = [AwardInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates are issued, reissued and revoked through the services (revocation with its reason on
    the cohort's Certificates page or ``POST /api/v1/certificates/{id}/revoke``)."""

    list_display = ["serial", "learner_name", "kind", "status", "issued_at"]
    list_filter = ["status", "kind"]
    search_fields = ["serial", "learner_name", "verify_id", "enrollment__learner__email"]
    raw_id_fields = ["enrollment", "superseded_by", "revoked_by", "award", "credential_status_entry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
