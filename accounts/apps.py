from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True  # the module holds the admin's config too; this one is the app's
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"


class StagewiseAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with Stagewise's admin site (a throttled login) as ``admin.site``."""

    default = False
    default_site = "accounts.admin_site.StagewiseAdminSite"
