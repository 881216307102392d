from django.apps import AppConfig


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"

    def ready(self) -> None:
        from django.core import checks

        from cohorts.credentials.checks import check_credential_keys, check_credentials_site_url

        # Tagged "security": the web server runs these at start too (stagewise.checks.refuse_to_start_on_errors).
        checks.register(check_credential_keys, checks.Tags.security)
        checks.register(check_credentials_site_url, checks.Tags.security, deploy=True)

        from cohorts.certificates.receivers import award_certificate_on_award_published, certificates_on_cohort_closed
        from cohorts.signals import award_published, cohort_closed

        cohort_closed.connect(certificates_on_cohort_closed, dispatch_uid="cohorts.certificates_issue")
        award_published.connect(award_certificate_on_award_published, dispatch_uid="cohorts.award_certificate_issue")
