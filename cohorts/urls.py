from django.urls import path

from cohorts.views import (
    awards,
    catalog,
    certificates,
    cohort,
    credentials,
    feed,
    invitations,
    manage,
    schedule,
    survey,
    today,
    webhooks,
)

app_name = "cohorts"

urlpatterns = [
    # The ladder and the course pages.
    path("", catalog.catalog, name="catalog"),
    path("courses/<slug:slug>/", catalog.course_detail, name="course"),
    path("courses/<slug:slug>/notify/", catalog.opening_alert, name="opening_alert"),
    path("cohorts/mine/", cohort.my_cohorts, name="mine"),
    path("cohorts/<int:cohort_id>/", cohort.cohort_detail, name="cohort"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
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
    path("posts/<int:post_id>/", feed.post_permalink, name="post"),
    path("posts/<int:post_id>/react/", feed.post_react, name="react"),
    path("posts/<int:post_id>/comment/", feed.post_comment, name="comment"),
    # Monthly awards.
    path("cohorts/<int:cohort_id>/awards/", awards.cohort_awards, name="awards"),
    path("tracks/<int:track_id>/awards/", awards.track_awards, name="track_awards"),
    path("awards/<int:award_id>/withhold/", awards.award_withhold, name="award_withhold"),
    # Certificates: the public verification page (the QR code's address), the learner's download and reissue.
    path("verify/<str:verify_id>", certificates.verify, name="verify"),
    path("verify/<str:verify_id>/credential.json", certificates.credential_download, name="verify_credential"),
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
    path("teach/cohorts/<int:cohort_id>/settings/", manage.cohort_settings, name="settings"),
    path("teach/cohorts/<int:cohort_id>/announce/", manage.announce, name="announce"),
    path("teach/cohorts/<int:cohort_id>/nudge/", manage.nudge, name="nudge"),
    path("teach/cohorts/<int:cohort_id>/invite/", invitations.invite, name="invite"),
    path("teach/cohorts/<int:cohort_id>/webhooks/", webhooks.webhooks, name="webhooks"),
    # The end-of-cohort survey.
    path("cohorts/<int:cohort_id>/survey/", survey.survey_answer, name="survey"),
    path("teach/cohorts/<int:cohort_id>/survey/", survey.survey_results, name="survey_results"),
    path("teach/cohorts/<int:cohort_id>/survey/questions/", survey.survey_questions_set, name="survey_questions"),
    path("insights/surveys/", survey.survey_insights, name="survey_insights"),
    path("teach/posts/<int:post_id>/pin/", manage.post_pin, name="pin"),
    path("teach/checkins/<int:checkin_id>/<str:action>/", manage.checkin_review, name="review"),
    path("teach/enrollments/<int:enrollment_id>/strike/", manage.strike, name="strike"),
    path("teach/enrollments/<int:enrollment_id>/reinstate/", manage.reinstate, name="reinstate"),
    path("teach/enrollments/<int:enrollment_id>/outcome/", manage.outcome_change, name="outcome_override"),
    path("teach/webhooks/<int:webhook_id>/<str:action>/", webhooks.webhook_action, name="webhook_action"),
    # Verifiable credentials: the issuer's public documents (stable URLs: issued credentials name them).
    path(".well-known/did.json", credentials.did_document, name="credentials_did"),
    path("did.json", credentials.did_document),  # did:web with a path (SITE_URL under a prefix)
    path("credentials/issuer", credentials.issuer_profile, name="credentials_issuer"),
    path("credentials/issuer/keys/<str:multikey>", credentials.issuer_key, name="credentials_key"),
    path("credentials/issuer/jwks", credentials.issuer_jwks, name="credentials_jwks"),
    path("credentials/issuer/jwks/<str:thumbprint>", credentials.issuer_jwk, name="credentials_jwk"),
    path("credentials/status/<int:status_list_id>", credentials.status_list, name="credentials_status_list"),
    path(
        "teach/cohorts/<int:cohort_id>/<str:action>/",
        schedule.teach_cohort_action,
        name="teach_cohort_action",
    ),
]
