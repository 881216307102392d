from django.apps import AppConfig


class AlumniConfig(AppConfig):
    """The marketer's workspace: alumni records, segments, campaigns, attribution, the stage funnel.

    At the top of the dependency direction (``accounts ← content ← cohorts ← billing ← alumni``): it reads the other
    apps and listens to their signals; none of them imports it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "alumni"

    def ready(self) -> None:
        from alumni.records.receivers import connect as connect_records

        connect_records()
