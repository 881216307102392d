from django.urls import path

from alumni.views import dashboard
from alumni.views import segments as segment_views

app_name = "alumni"

urlpatterns = [
    path("marketing/", dashboard.dashboard, name="dashboard"),
    path("marketing/segments/", segment_views.segment_list, name="segments"),
    path("marketing/segments/new/", segment_views.segment_new, name="segment_new"),
    path("marketing/segments/<int:segment_id>/", segment_views.segment_detail, name="segment"),
    path("marketing/segments/<int:segment_id>/edit/", segment_views.segment_edit, name="segment_edit"),
    path("marketing/segments/<int:segment_id>/archive/", segment_views.segment_archive, name="segment_archive"),
    path("marketing/segments/<int:segment_id>/export.csv", segment_views.segment_export_csv, name="segment_export"),
    path("marketing/segments/<int:segment_id>/why/<int:learner_id>/", segment_views.segment_why, name="segment_why"),
]
