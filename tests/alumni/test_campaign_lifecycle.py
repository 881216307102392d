"""Lifecycle campaigns: the daily run finds who each trigger qualifies; run every day for a week, each person gets
the campaign once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alumni.campaigns.lifecycle import lifecycle_run
from alumni.campaigns.sending import deliveries_send_due
from alumni.models import AlumniRecord, CampaignKind, CampaignStatus, Delivery, SegmentChange
from billing.models import UpgradeOffer
from cohorts.statuses import CohortStatus, EnrollmentStatus
from tests import factories
from tests.alumni import campaign_factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

MONDAY = datetime(2027, 1, 4, 0, 20, tzinfo=UTC)  # the beat's daily hour


def _lifecycle(trigger, **fields):
    return cf.campaign(kind=CampaignKind.LIFECYCLE, trigger=trigger, status=CampaignStatus.ACTIVE, **fields)


def _week(django_capture_on_commit_callbacks, start=MONDAY, days=7):
    for day in range(days):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            lifecycle_run()
            with django_capture_on_commit_callbacks(execute=True):
                deliveries_send_due()


def _ended_cohort(course, ended_on):
    return factories.cohort(
        course=course,
        status=CohortStatus.ENDED,
        starts_on=ended_on - timedelta(days=course.duration_days - 1),
        enrollment_opens_on=ended_on - timedelta(days=60),
        enrollment_closes_on=ended_on - timedelta(days=course.duration_days),
    )


def test_cohort_ended_and_not_upgraded_daily_for_a_week_sends_once(django_capture_on_commit_callbacks):
    course = factories.course(stage=1)
    bootcamp = factories.course(track=course.track, stage=2)
    cohort = _ended_cohort(course, MONDAY.date() - timedelta(days=3))
    stays, moved_up, dropped_out = cf.learners(3)
    for person, status in (
        (stays, EnrollmentStatus.COMPLETED),
        (moved_up, EnrollmentStatus.COMPLETED),
        (dropped_out, EnrollmentStatus.WITHDRAWN),
    ):
        factories.enrollment(cohort=cohort, learner=person, status=status)
    factories.enrollment(cohort=factories.cohort(course=bootcamp), learner=moved_up, status=EnrollmentStatus.ACTIVE)
    campaign = _lifecycle("cohort_ended", delay_days=5, topic="upgrade_offers")

    _week(django_capture_on_commit_callbacks)

    assert [m.to[0] for m in mail.outbox] == [stays.email]
    delivery = Delivery.objects.get(campaign=campaign)
    # it qualified on the day the cohort's end was 5 days ago (Wednesday), not before
    assert delivery.sent_at.date() == MONDAY.date() + timedelta(days=2)


def test_inactive_for_n_days(django_capture_on_commit_callbacks):
    idle, busy = cf.consenting(2)
    AlumniRecord.objects.create(learner=idle, last_active_at=MONDAY - timedelta(days=5))
    AlumniRecord.objects.create(learner=busy, last_active_at=MONDAY + timedelta(days=3))
    campaign = _lifecycle("inactive", delay_days=7)

    _week(django_capture_on_commit_callbacks)

    assert [m.to[0] for m in mail.outbox] == [idle.email]
    assert Delivery.objects.get(campaign=campaign).sent_at.date() == MONDAY.date() + timedelta(days=2)


def test_an_upgrade_offer_expiring_in_two_days_gets_one_reminder(django_capture_on_commit_callbacks):
    person = cf.learners(1)[0]
    course = factories.course()
    enrollment = factories.enrollment(
        cohort=_ended_cohort(course, MONDAY.date() - timedelta(days=10)), learner=person, status="completed"
    )
    UpgradeOffer.objects.create(
        enrollment=enrollment,
        learner=person,
        kind="upgrade",
        course=course,
        amount_minor=0,
        currency="CNY",
        paid_minor=0,
        expires_at=MONDAY + timedelta(days=4, hours=12),
        created_at=MONDAY - timedelta(days=10),
    )
    _lifecycle("offer_expiring", delay_days=2, topic="upgrade_offers")

    _week(django_capture_on_commit_callbacks)

    assert [m.to[0] for m in mail.outbox] == [person.email]
    sent = Delivery.objects.get(learner=person).sent_at
    assert timedelta(0) < (MONDAY + timedelta(days=4, hours=12)) - sent <= timedelta(days=2)


def test_entering_a_segment(django_capture_on_commit_callbacks):
    newcomer, old_member, left_again = cf.consenting(3)
    segment = cf.segment(members=[newcomer, old_member])
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        SegmentChange.objects.create(
            segment=segment, learner=newcomer, kind="entered", version=1, created_at=timezone.now()
        )
        SegmentChange.objects.create(
            segment=segment, learner=left_again, kind="entered", version=1, created_at=timezone.now()
        )
    _lifecycle("segment_entered", segment=segment, delay_days=1)

    _week(django_capture_on_commit_callbacks)

    # old_member entered long ago (no change this week); left_again is no longer a member
    assert [m.to[0] for m in mail.outbox] == [newcomer.email]


def test_a_paused_lifecycle_campaign_plans_nobody(django_capture_on_commit_callbacks):
    idle = cf.consenting(1)[0]
    AlumniRecord.objects.create(learner=idle, last_active_at=MONDAY - timedelta(days=8))
    campaign = _lifecycle("inactive", delay_days=7)
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])
    _week(django_capture_on_commit_callbacks, days=2)
    assert not Delivery.objects.filter(campaign=campaign).exists()
