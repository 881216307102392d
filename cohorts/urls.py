from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/mine/", views.my_cohorts, name="mine"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("teach/courses/<int:course_id>/cohorts/", views.teach_cohorts, name="teach_cohorts"),
    path(
        "teach/cohorts/<int:cohort_id>/<str:action>/",
        views.teach_cohort_action,
        name="teach_cohort_action",
    ),
]
