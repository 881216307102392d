from django.apps import AppConfig


class AlumniConfig(AppConfig):
    """The marketer's workspace: alumni records, segments, campaigns, attribution, the stage funnel.

    At the top of the dependency direction (``accounts ← content ← cohorts ← billing ← alumni``): it reads the other
    apps and listens to their signals; none of them imports it.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "alumni"

    def ready(self) -> None:
        from alumni.attribution.receivers import attribute_order
        from billing.signals import order_paid

        order_paid.connect(attribute_order, dispatch_uid="alumni.attribute_order")
        # Celery's autodiscovery finds ``alumni.tasks`` only; the sub-packages' tasks register here.
        from alumni.campaigns import tasks as campaign_tasks  # noqa: F401
        from alumni.imports import tasks as import_tasks  # noqa: F401
        from alumni.records.receivers import connect as connect_records
        from alumni.segments import tasks as segment_tasks  # noqa: F401

        connect_records()
