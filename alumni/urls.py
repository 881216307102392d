from django.urls import path

from alumni.views import dashboard, imports

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/imports/", imports.imports, name="imports"),
    path("marketing/imports/template.csv", imports.import_template, name="import_template"),
    path("marketing/imports/<int:run_id>/", imports.import_run, name="import_run"),
    path("marketing/imports/<int:run_id>/start/", imports.import_start, name="import_start"),
]
