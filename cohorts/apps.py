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

        from cohorts.certificates.receivers import certificates_on_cohort_closed
        from cohorts.signals import cohort_closed

        cohort_closed.connect(certificates_on_cohort_closed, dispatch_uid="cohorts.certificates_issue")
