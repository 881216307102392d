from django.urls import path

from alumni.views import dashboard, records

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/alumni/", records.records, name="records"),
    path("marketing/alumni/<int:learner_id>/", records.record, name="record"),
]
