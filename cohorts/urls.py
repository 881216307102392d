from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/mine/", views.my_cohorts, name="mine"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    # A member's day: check in, make up, reminders.
    path("cohorts/<int:cohort_id>/today/", views.cohort_today, name="today"),
    path("cohorts/<int:cohort_id>/checkin/", views.checkin_create, name="checkin"),
    path("cohorts/<int:cohort_id>/checkins/<int:checkin_id>/edit/", views.checkin_edit, name="checkin_edit"),
    path("cohorts/<int:cohort_id>/makeup/", views.checkin_makeup, name="makeup"),
    path("cohorts/<int:cohort_id>/reminders/", views.reminders_toggle, name="reminders"),
    path("cohorts/<int:cohort_id>/rules/accept/", views.rules_accept, name="rules_accept"),
    path("lessons/<int:lesson_id>/attachment/", views.lesson_attachment, name="lesson_attachment"),
    path("checkins/<int:checkin_id>/image/", views.checkin_image, name="checkin_image"),
    # The feed.
    path("cohorts/<int:cohort_id>/feed/", views.cohort_feed, name="feed"),
    path("posts/<int:post_id>/react/", views.post_react, name="react"),
    path("posts/<int:post_id>/comment/", views.post_comment, name="comment"),
    # Instructors.
    path("teach/courses/<int:course_id>/cohorts/", views.teach_cohorts, name="teach_cohorts"),
    path("teach/cohorts/<int:cohort_id>/", views.cohort_manage, name="manage"),
    path("teach/cohorts/<int:cohort_id>/announce/", views.announce, name="announce"),
    path("teach/cohorts/<int:cohort_id>/nudge/", views.nudge, name="nudge"),
    path("teach/cohorts/<int:cohort_id>/webhooks/", views.webhooks, name="webhooks"),
    path("teach/posts/<int:post_id>/pin/", views.post_pin, name="pin"),
    path("teach/checkins/<int:checkin_id>/<str:action>/", views.checkin_review, name="review"),
    path("teach/enrollments/<int:enrollment_id>/strike/", views.strike, name="strike"),
    path("teach/enrollments/<int:enrollment_id>/reinstate/", views.reinstate, name="reinstate"),
    path("teach/webhooks/<int:webhook_id>/<str:action>/", views.webhook_action, name="webhook_action"),
    path(
        "teach/cohorts/<int:cohort_id>/<str:action>/",
        views.teach_cohort_action,
        name="teach_cohort_action",
    ),
]
