from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self) -> None:
        from billing.receivers import refund_cancelled_cohort
        from cohorts.signals import cohort_cancelled

        cohort_cancelled.connect(refund_cancelled_cohort, dispatch_uid="billing.refund_cancelled_cohort")
