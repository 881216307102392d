"""Sending with several workers at once, on PostgreSQL (row locks, SKIP LOCKED): every recipient is mailed exactly
once, and a worker never waits for the rows another one holds."""

from functools import partial

import pytest
from django.core import mail

from alumni.campaigns.planning import campaign_plan
from alumni.campaigns.sending import deliveries_claim, deliveries_send_due
from alumni.models import CampaignStatus, Delivery, DeliveryStatus
from stagewise.models import MailLog
from tests.alumni import campaign_factories as cf
from tests.concurrency import outcome, run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_claim_disjoint_batches():
    people = cf.consenting(20)
    campaign = cf.campaign(segment=cf.segment(members=people), status=CampaignStatus.SENDING)
    campaign_plan(campaign)

    claims = run_at_once([partial(deliveries_claim, batch_size=15), partial(deliveries_claim, batch_size=15)])

    ids = [claim.ids for claim in claims]
    assert not set(ids[0]) & set(ids[1])
    assert sorted(ids[0] + ids[1]) == sorted(Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True))


def test_four_workers_send_everyone_exactly_once(celery_eager):
    people = cf.consenting(60)
    campaign = cf.campaign(
        segment=cf.segment(members=people), status=CampaignStatus.SENDING, offer_kind="percent", offer_value=10
    )
    campaign_plan(campaign)

    results = [outcome(r) for r in run_at_once([partial(deliveries_send_due, batch_size=7) for _ in range(4)])]

    assert all(not isinstance(r, str) for r in results), results
    assert sum(r.sent for r in results) == 60
    assert Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).count() == 60
    assert MailLog.objects.filter(key__startswith=f"campaign:{campaign.pk}:").count() == 60
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Delivery.objects.filter(campaign=campaign).values("coupon").distinct().count() == 60
