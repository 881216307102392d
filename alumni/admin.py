from django.contrib import admin

from alumni.models import AlumniRecord, Campaign, Delivery, ImportRun, Segment


@admin.register(AlumniRecord)
class AlumniRecordAdmin(admin.ModelAdmin):
    list_display = ["learner", "highest_stage_completed", "last_cohort_ended_on", "total_paid_minor", "rfm_group"]
    list_filter = ["rfm_group", "marketing_consent", "upgraded", "source"]
    raw_id_fields = ["learner", "acquisition_campaign"]
    search_fields = ["learner__email"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "member_count", "computed_at"]
    raw_id_fields = ["created_by"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "trigger", "status", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["segment", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["campaign", "learner", "status", "due_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["campaign", "learner", "coupon"]


from alumni.models import Conversion  # noqa: E402 - attribution's section, kept apart for merges


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    """Orders credited to campaigns (``alumni.attribution``): read them here, never edit."""

    list_display = ["order", "campaign", "learner", "via", "amount_minor", "currency", "created_at"]
    list_filter = ["via", "currency"]
    raw_id_fields = ["campaign", "delivery", "learner", "order"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["file_name", "source", "status", "total", "created", "updated", "skipped", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["created_by", "started_by"]
    readonly_fields = ["problems", "failure"]
