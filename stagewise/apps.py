from django.apps import AppConfig


class StagewiseConfig(AppConfig):
    """The project package as an app, for the models every app may use: the mail log (``stagewise.mail``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "stagewise"
    verbose_name = "Stagewise"
