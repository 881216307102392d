from django.urls import path

from cohorts.views import catalog, certificates, cohort, feed, manage, schedule, today, webhooks

app_name = "cohorts"

urlpatterns = [
    # The ladder and the course pages.
    path("", catalog.catalog, name="catalog"),
    path("courses/<slug:slug>/", catalog.course_detail, name="course"),
    path("cohorts/mine/", cohort.my_cohorts, name="mine"),
    path("cohorts/<int:cohort_id>/", cohort.cohort_detail, name="cohort"),
    # A member's day: check in, make up, reminders.
    path("cohorts/<int:cohort_id>/today/", today.cohort_today, name="today"),
    path("cohorts/<int:cohort_id>/checkin/", today.checkin_create, name="checkin"),
    path("cohorts/<int:cohort_id>/checkins/<int:checkin_id>/edit/", today.checkin_edit, name="checkin_edit"),
    path("cohorts/<int:cohort_id>/makeup/", today.checkin_makeup, name="makeup"),
    path("cohorts/<int:cohort_id>/reminders/", today.reminders_toggle, name="reminders"),
    path("cohorts/<int:cohort_id>/rules/accept/", today.rules_accept, name="rules_accept"),
    path("lessons/<int:lesson_id>/attachment/", cohort.lesson_attachment, name="lesson_attachment"),
    path("checkins/<int:checkin_id>/image/", feed.checkin_image, name="checkin_image"),
    # The feed.
    path("cohorts/<int:cohort_id>/feed/", feed.cohort_feed, name="feed"),
    path("posts/<int:post_id>/react/", feed.post_react, name="react"),
    path("posts/<int:post_id>/comment/", feed.post_comment, name="comment"),
    # Certificates: the public verification page (the QR code's address), the learner's download and reissue.
    path("verify/<str:verify_id>", certificates.verify, name="verify"),
    path("certificates/<int:certificate_id>.pdf", certificates.certificate_download, name="certificate_pdf"),
    path("certificates/<int:certificate_id>/reissue/", certificates.certificate_reissue, name="certificate_reissue"),
    path("certificates/<int:certificate_id>/revoke/", certificates.certificate_revoke, name="certificate_revoke"),
    # Instructors.
    path("teach/cohorts/<int:cohort_id>/certificates/", certificates.certificates_manage, name="certificates"),
    path("teach/cohorts/<int:cohort_id>/certificates.zip", certificates.certificates_zip, name="certificates_zip"),
    path(
        "teach/cohorts/<int:cohort_id>/certificates/issue/", certificates.certificates_issue, name="certificates_issue"
    ),
    path("teach/courses/<int:course_id>/cohorts/", schedule.teach_cohorts, name="teach_cohorts"),
    path("teach/cohorts/<int:cohort_id>/", manage.cohort_manage, name="manage"),
    path("teach/cohorts/<int:cohort_id>/announce/", manage.announce, name="announce"),
    path("teach/cohorts/<int:cohort_id>/nudge/", manage.nudge, name="nudge"),
    path("teach/cohorts/<int:cohort_id>/webhooks/", webhooks.webhooks, name="webhooks"),
    path("teach/posts/<int:post_id>/pin/", manage.post_pin, name="pin"),
    path("teach/checkins/<int:checkin_id>/<str:action>/", manage.checkin_review, name="review"),
    path("teach/enrollments/<int:enrollment_id>/strike/", manage.strike, name="strike"),
    path("teach/enrollments/<int:enrollment_id>/reinstate/", manage.reinstate, name="reinstate"),
    path("teach/webhooks/<int:webhook_id>/<str:action>/", webhooks.webhook_action, name="webhook_action"),
    path(
        "teach/cohorts/<int:cohort_id>/<str:action>/",
        schedule.teach_cohort_action,
        name="teach_cohort_action",
    ),
]
