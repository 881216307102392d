from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self) -> None:
        from billing.receivers import mail_waitlist_offer, refund_cancelled_cohort
        from cohorts.signals import cohort_cancelled, waitlist_seat_offered

        cohort_cancelled.connect(refund_cancelled_cohort, dispatch_uid="billing.refund_cancelled_cohort")
        waitlist_seat_offered.connect(mail_waitlist_offer, dispatch_uid="billing.mail_waitlist_offer")
