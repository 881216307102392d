import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagewise.settings")

app = Celery("stagewise")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The beat schedule lives in code.
app.conf.beat_schedule = {
    "cohort-transitions": {
        "task": "cohorts.tasks.cohort_transitions_run_task",
        "schedule": crontab(minute="*"),
    },
    "cohort-ends": {
        "task": "cohorts.tasks.cohort_ends_run_task",
        "schedule": crontab(minute="*/5"),
    },
    "daily-notices": {
        "task": "cohorts.tasks.daily_notices_run_task",
        "schedule": crontab(minute="*/5"),
    },
    # Monthly awards: computed on each cohort's local 1st (after the check-in grace), published after review.
    "monthly-awards": {
        "task": "cohorts.tasks.awards_run_task",
        "schedule": crontab(minute="7"),
    },
    "webhook-deliveries-retry": {
        "task": "cohorts.tasks.webhook_deliveries_retry_task",
        "schedule": crontab(minute="*"),
    },
    "webhook-digests": {
        "task": "cohorts.tasks.webhook_digests_run_task",
        "schedule": crontab(minute="*/5"),
    },
    "billing-seat-holds-release-expired": {
        "task": "billing.tasks.seat_holds_release_expired_task",
        "schedule": crontab(minute="*"),
    },
    "billing-refunds-retry-due": {
        "task": "billing.tasks.refunds_retry_due_task",
        "schedule": crontab(minute="*"),
    },
    "billing-referral-credits-grant-due": {
        "task": "billing.tasks.referral_credits_grant_due_task",
        "schedule": crontab(minute="*/15"),
    },
    # Alumni records: learners who checked in or posted lately (check-ins enqueue nothing: the hot path), and a
    # nightly rebuild from the source tables that reports drift and scores RFM over the population.
    "alumni-records-refresh-active": {
        "task": "alumni.records.tasks.records_refresh_active_task",
        "schedule": crontab(minute="*/10"),
    },
    "alumni-records-rebuild": {
        "task": "alumni.records.tasks.records_rebuild_task",
        "schedule": crontab(minute="20", hour="3"),
    },
    "billing-applications-expire-overdue": {
        "task": "billing.tasks.applications_expire_overdue_task",
        "schedule": crontab(minute="*/15"),
    },
    # Dynamic segments older than ALUMNI_SEGMENT_REFRESH_MINUTES are recomputed.
    "alumni-segments-refresh-due": {
        "task": "alumni.segments.tasks.segments_refresh_due_task",
        "schedule": crontab(minute="*/5"),
    },
    # Campaigns: scheduled ones start, due deliveries go out (in each recipient's window); lifecycle triggers daily.
    "alumni-campaigns-start-due": {
        "task": "alumni.campaigns.tasks.campaigns_start_due_task",
        "schedule": crontab(minute="*"),
    },
    "alumni-campaign-deliveries-send": {
        "task": "alumni.campaigns.tasks.campaign_deliveries_send_task",
        "schedule": crontab(minute="*"),
    },
    "alumni-lifecycle-campaigns": {
        "task": "alumni.campaigns.tasks.lifecycle_campaigns_run_task",
        "schedule": crontab(minute="20", hour="0"),
    },
}
