from django.apps import AppConfig


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"

    def ready(self) -> None:
        from django.core import checks

        from billing.checks import check_stripe_webhook_secret
        from billing.receivers import (
            create_offers,
            mail_application_decided,
            mail_application_submitted,
            mail_receipt,
            mail_upgrade_done,
            mail_waitlist_offer,
            refund_cancelled_cohort,
            refund_deposits,
            take_up_offer,
        )
        from billing.signals import application_decided, application_submitted, order_paid, upgrade_completed
        from cohorts.signals import cohort_cancelled, cohort_closed, waitlist_seat_offered

        cohort_cancelled.connect(refund_cancelled_cohort, dispatch_uid="billing.refund_cancelled_cohort")
        waitlist_seat_offered.connect(mail_waitlist_offer, dispatch_uid="billing.mail_waitlist_offer")
        order_paid.connect(mail_receipt, dispatch_uid="billing.mail_receipt")
        upgrade_completed.connect(mail_upgrade_done, dispatch_uid="billing.mail_upgrade_done")
        application_decided.connect(mail_application_decided, dispatch_uid="billing.mail_application_decided")
        application_submitted.connect(mail_application_submitted, dispatch_uid="billing.mail_application_submitted")
        from billing.selectors import payment_deadlines
        from cohorts.hooks import register_payment_deadlines

        register_payment_deadlines(lambda ids: payment_deadlines(enrollment_ids=ids))
        # Deposit refunds before offers: an offer's credit is a share of what was paid, net of refunds.
        cohort_closed.connect(refund_deposits, dispatch_uid="billing.refund_deposits")
        cohort_closed.connect(create_offers, dispatch_uid="billing.create_offers")
        order_paid.connect(take_up_offer, dispatch_uid="billing.take_up_offer")
        # Tagged "security": the web server runs these at start too (stagewise.checks.refuse_to_start_on_errors).
        checks.register(check_stripe_webhook_secret, checks.Tags.security)
