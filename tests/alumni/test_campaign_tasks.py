"""The beat's campaign entries name tasks a worker has (a typo would be silently never run)."""

import pytest
from django.core import mail

from alumni.campaigns import tasks
from alumni.models import CampaignStatus
from stagewise.celery import app
from tests.alumni import campaign_factories as cf

pytestmark = pytest.mark.django_db


def test_every_campaign_beat_entry_is_a_registered_task():
    app.loader.import_default_modules()
    names = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert {
        "alumni.campaigns.tasks.campaigns_start_due_task",
        "alumni.campaigns.tasks.lifecycle_campaigns_run_task",
    } <= set(names)
    assert all(name in app.tasks for name in names), names


def test_the_tasks_start_and_send_a_due_campaign(celery_eager, django_capture_on_commit_callbacks):
    people = cf.consenting(2)
    campaign = cf.campaign(segment=cf.segment(members=people), status=CampaignStatus.SCHEDULED)
    campaign.send_at = campaign.created_at
    campaign.save(update_fields=["send_at"])

    assert tasks.campaigns_start_due_task() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.campaign_deliveries_send_task() == 2
    assert tasks.lifecycle_campaigns_run_task() == {}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
