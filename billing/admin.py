"""Staff views of billing. Money moves only through services: refunds via an action, never by editing rows."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from billing.models import (
    Application,
    ApplicationQuestion,
    Coupon,
    CouponRedemption,
    CreditEntry,
    DepositRefund,
    Dispute,
    Order,
    OrderLine,
    Payment,
    ProviderEvent,
    Referral,
    ReferralCode,
    Refund,
    RefundPolicy,
    Upgrade,
)
from billing.services.refunds import refund_retry, staff_refund
from billing.statuses import RefundStatus
from cohorts.models import SeatHold
from stagewise.errors import ApplicationError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "provider_payment_id", "amount_minor", "captured_minor", "refunded_minor", "status"]


class RefundInline(ReadOnlyInline):
    model = Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "learner", "cohort", "total_minor", "currency", "status", "created_at", "paid_at"]
    list_filter = ["status", "currency"]
    search_fields = ["learner__email", "id"]
    inlines = [OrderLineInline, PaymentInline]


@admin.action(description="Refund everything left on the selected payments")
def refund_remaining(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
    for payment in queryset:
        try:
            staff_refund(actor=request.user, payment_id=payment.pk, amount_minor=payment.refundable_minor)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"Payment {payment.pk}: {exc.message}", level=messages.ERROR)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order",
        "provider",
        "provider_payment_id",
        "amount_minor",
        "captured_minor",
        "refunded_minor",
        "currency",
        "status",
    ]
    list_filter = ["status", "provider"]
    search_fields = ["provider_payment_id"]
    inlines = [RefundInline]
    actions = [refund_remaining]


@admin.action(description="Retry the selected due refunds now")
def retry_due_refunds(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
    for refund_id in queryset.filter(status=RefundStatus.DUE).values_list("pk", flat=True):
        refund = refund_retry(refund_id=refund_id, early=True)
        level = messages.WARNING if refund.status == RefundStatus.DUE else messages.SUCCESS
        modeladmin.message_user(request, f"Refund {refund.pk}: {refund.get_status_display()}", level=level)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Refunds; a due one (the provider refused it) is retried in the background, or now with the action."""

    list_display = [
        "id",
        "payment",
        "amount_minor",
        "currency",
        "reason",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_refund_id",
        "created_at",
    ]
    list_filter = ["status", "reason"]
    actions = [retry_due_refunds]


@admin.register(DepositRefund)
class DepositRefundAdmin(ReadOnlyAdmin):
    """The deposit challenge's refunds, one per enrollment (the refund itself, due or not, is in Refunds)."""

    list_display = ["id", "enrollment", "refund", "percent", "paid_minor", "created_at"]
    list_select_related = ["enrollment__learner", "enrollment__cohort", "refund"]


@admin.register(Upgrade)
class UpgradeAdmin(ReadOnlyAdmin):
    """Mid-cohort moves up a stage, one per enrollment left: stage-to-stage conversion."""

    list_display = [
        "id",
        "learner",
        "from_enrollment",
        "to_enrollment",
        "order",
        "credited_minor",
        "currency",
        "created_at",
    ]
    list_select_related = ["learner", "from_enrollment__cohort", "to_enrollment__cohort", "order"]
    date_hierarchy = "created_at"


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "handled", "created", "received_at"]
    list_filter = ["type", "handled"]
    search_fields = ["event_id", "object_id"]


@admin.register(SeatHold)
class SeatHoldAdmin(ReadOnlyAdmin):
    list_display = ["id", "cohort", "enrollment", "status", "is_waitlist_offer", "expires_at"]
    list_filter = ["status", "is_waitlist_offer"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "value", "currency", "expires_at", "max_redemptions", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    filter_horizontal = ["courses"]


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["coupon", "learner", "order", "amount_minor", "created_at"]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    """Staff may add grants here; spends and reversals come from orders."""

    list_display = ["learner", "amount_minor", "currency", "kind", "order", "created_at"]
    list_filter = ["kind", "currency"]
    raw_id_fields = ["learner", "order"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReferralCode)
class ReferralCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "learner", "created_at"]
    search_fields = ["code", "learner__email"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["referrer", "friend", "order", "status", "credit_due_at"]
    list_filter = ["status"]


@admin.register(RefundPolicy)
class RefundPolicyAdmin(admin.ModelAdmin):
    list_display = ["course", "full_until_start", "partial_percent", "partial_until_day"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    """Staff handle a dispute on the revenue page or through the API (``dispute_handle`` records who, when and the
    note); the admin only shows it."""

    list_display = [
        "provider_dispute_id",
        "enrollment",
        "payment",
        "amount_minor",
        "currency",
        "reason",
        "status",
        "handled_by",
        "handled_at",
    ]
    list_filter = ["status"]


@admin.register(ApplicationQuestion)
class ApplicationQuestionAdmin(admin.ModelAdmin):
    list_display = ["course", "position", "kind", "prompt", "required"]
    list_filter = ["kind"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Decisions go through the API or the instructor pages (they move the enrollment and send mail)."""

    list_display = ["enrollment", "submitted_at", "decided_at", "payment_deadline"]
