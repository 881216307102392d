"""Lifecycle campaigns: once a day, whoever each active campaign's trigger qualifies gets a delivery row.

Triggers (``CampaignTrigger``), with the campaign's ``delay_days``:
- ``cohort_ended``: their cohort ended ``delay_days`` ago, with an outcome (completed or not), and they have not
  moved up (no later-stage enrollment in that track) → an upgrade offer;
- ``inactive``: no activity (``AlumniRecord.last_active_at``) for ``delay_days`` days → a nudge, an offer, a survey;
- ``offer_expiring``: their upgrade offer (``billing.UpgradeOffer``), unused, expires within ``delay_days`` days
  (2 when 0) → a reminder;
- ``segment_entered``: they entered the campaign's segment ``delay_days`` ago (``SegmentChange``) and are still in it.

A campaign with a segment reaches only its current members. An event counts for ``LOOKBACK_DAYS`` after it becomes
due, so a day the beat missed (or a short pause) is caught up, while activating a campaign doesn't reach every
alumnus since the beginning. Running daily sends once per person: the delivery row is unique per campaign and
learner, and planning again skips those already planned.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from alumni.campaigns.planning import deliveries_plan
from alumni.models import (
    AlumniRecord,
    Campaign,
    CampaignKind,
    CampaignStatus,
    CampaignTrigger,
    Delivery,
    SegmentChange,
    SegmentMembership,
)
from billing.models import UpgradeOffer
from cohorts.models import Enrollment
from cohorts.statuses import CohortStatus, EnrollmentStatus

LOOKBACK_DAYS = 7
OFFER_EXPIRING_DAYS = 2
_MOVED_ON = (
    EnrollmentStatus.PENDING_PAYMENT,
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.NOT_COMPLETED,
)


def qualifying_learners(campaign: Campaign, *, now: datetime) -> QuerySet:
    """Learner ids the campaign's trigger qualifies at ``now`` (values_list, one query), not yet planned."""
    delay = timedelta(days=campaign.delay_days)
    lookback = timedelta(days=LOOKBACK_DAYS)
    ids: QuerySet
    if campaign.trigger == CampaignTrigger.COHORT_ENDED:
        today = now.date()
        moved_up = Enrollment.objects.filter(
            learner_id=OuterRef("learner_id"),
            cohort__course__track_id=OuterRef("cohort__course__track_id"),
            cohort__course__stage__gt=OuterRef("cohort__course__stage"),
            status__in=_MOVED_ON,
        )
        ids = (
            Enrollment.objects.filter(
                status__in=(EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED),
                cohort__status__in=(CohortStatus.ENDED, CohortStatus.ARCHIVED),
                cohort__ends_on__lte=today - delay,
                cohort__ends_on__gt=today - delay - lookback,
            )
            .exclude(Exists(moved_up))
            .values_list("learner_id", flat=True)
        )
    elif campaign.trigger == CampaignTrigger.INACTIVE:
        ids = AlumniRecord.objects.filter(
            last_active_at__lte=now - delay, last_active_at__gt=now - delay - lookback
        ).values_list("learner_id", flat=True)
    elif campaign.trigger == CampaignTrigger.OFFER_EXPIRING:
        within = timedelta(days=campaign.delay_days or OFFER_EXPIRING_DAYS)
        ids = UpgradeOffer.objects.filter(
            used_at__isnull=True, expires_at__gt=now, expires_at__lte=now + within
        ).values_list("learner_id", flat=True)
    elif campaign.trigger == CampaignTrigger.SEGMENT_ENTERED and campaign.segment_id:
        ids = SegmentChange.objects.filter(
            segment_id=campaign.segment_id,
            kind=SegmentChange.Kind.ENTERED,
            created_at__lte=now - delay,
            created_at__gt=now - delay - lookback,
        ).values_list("learner_id", flat=True)
    else:
        return Enrollment.objects.none().values_list("learner_id", flat=True)
    segment = campaign.segment
    if segment is not None:
        ids = ids.filter(
            learner_id__in=SegmentMembership.objects.filter(segment_id=segment.pk, version=segment.version).values(
                "learner_id"
            )
        )
    planned = Delivery.objects.filter(campaign_id=campaign.pk, learner_id=OuterRef("learner_id"))
    return ids.exclude(Exists(planned)).distinct()


def lifecycle_plan(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Plan one active lifecycle campaign for today: a row per newly qualified learner (due now, inside their
    window). Returns how many rows were created."""
    now = now or timezone.now()
    learner_ids = list(qualifying_learners(campaign, now=now).order_by())
    return deliveries_plan(campaign=campaign, learner_ids=sorted(set(learner_ids)), now=now)


def lifecycle_run(*, now: datetime | None = None) -> dict[int, int]:
    """The daily run: every active lifecycle campaign, planned. Returns rows created per campaign."""
    now = now or timezone.now()
    created = {}
    for campaign in Campaign.objects.select_related("segment").filter(
        kind=CampaignKind.LIFECYCLE, status=CampaignStatus.ACTIVE
    ):
        created[campaign.pk] = lifecycle_plan(campaign, now=now)
    return created
