"""Planning a campaign: one row per recipient; the holdout stable per person and campaign; no consent → suppressed;
each pending row due inside the recipient's own window, wherever they live."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from accounts.consent import consent_set
from alumni.campaigns.planning import campaign_plan, holdout_bucket, window_due
from alumni.models import Delivery, DeliveryStatus
from tests.alumni import campaign_factories as cf

pytestmark = pytest.mark.django_db


def _statuses(campaign) -> dict[int, str]:
    return dict(Delivery.objects.filter(campaign=campaign).values_list("learner_id", "status"))


def test_holdout_is_stable_per_person_and_campaign_and_near_its_share():
    people = cf.consenting(200)
    segment = cf.segment(members=people)
    campaign = cf.campaign(segment=segment, holdout_percent=20)

    campaign_plan(campaign)
    first = _statuses(campaign)
    Delivery.objects.filter(campaign=campaign).delete()
    campaign_plan(campaign)  # planned again (another machine, another day): the same people held out

    assert _statuses(campaign) == first
    held = [lid for lid, status in first.items() if status == DeliveryStatus.HELD_OUT]
    assert 20 <= len(held) <= 60  # ~20 % of 200
    assert all(holdout_bucket(campaign_id=campaign.pk, learner_id=lid) < 20 for lid in held)
    # another campaign holds out other people
    other = cf.campaign(segment=segment, holdout_percent=20)
    campaign_plan(other)
    assert {lid for lid, s in _statuses(other).items() if s == DeliveryStatus.HELD_OUT} != set(held)


def test_planning_twice_adds_nobody_twice():
    people = cf.consenting(5)
    campaign = cf.campaign(segment=cf.segment(members=people))
    assert campaign_plan(campaign) == 5
    assert campaign_plan(campaign) == 0
    assert Delivery.objects.filter(campaign=campaign).count() == 5


def test_people_without_consent_are_suppressed_not_pending():
    said_yes = cf.consenting(2)
    never_asked = cf.learners(1)  # marketing is off by default
    left_everything = cf.consenting(1)[0]
    consent_set(user=left_everything, topic="all", subscribed=False, source="test")
    campaign = cf.campaign(segment=cf.segment(members=[*said_yes, *never_asked, left_everything]))

    campaign_plan(campaign)

    statuses = _statuses(campaign)
    assert [statuses[p.pk] for p in said_yes] == [DeliveryStatus.PENDING] * 2
    assert statuses[never_asked[0].pk] == DeliveryStatus.SUPPRESSED
    assert statuses[left_everything.pk] == DeliveryStatus.SUPPRESSED


def test_an_upgrade_offer_campaign_reaches_those_who_did_not_say_no():
    person = cf.learners(1)[0]  # upgrade offers are on by default
    campaign = cf.campaign(segment=cf.segment(members=[person]), topic="upgrade_offers")
    campaign_plan(campaign)
    assert _statuses(campaign)[person.pk] == DeliveryStatus.PENDING


@pytest.mark.parametrize(
    ("now", "zone", "due"),
    [
        # 23:30 UTC on New Year's Eve: Kiritimati (+14) is at 13:30 on Jan 1: inside 9–20, due at once
        ("2026-12-31T23:30:00+00:00", "Pacific/Kiritimati", "2026-12-31T23:30:00+00:00"),
        # Kathmandu (+5:45) is at 05:15 on Jan 1: due at 09:00 there, 03:15 UTC
        ("2026-12-31T23:30:00+00:00", "Asia/Kathmandu", "2027-01-01T03:15:00+00:00"),
        # Honolulu (-10) is at 13:30 on Dec 31: at once
        ("2026-12-31T23:30:00+00:00", "Pacific/Honolulu", "2026-12-31T23:30:00+00:00"),
        # Shanghai is at 07:30 on Jan 1: 09:00 there is 01:00 UTC
        ("2026-12-31T23:30:00+00:00", "Asia/Shanghai", "2027-01-01T01:00:00+00:00"),
        # The night Europe moves its clocks: 01:30 UTC is 03:30 in Berlin (summer time): 09:00 CEST = 07:00 UTC
        ("2026-03-29T01:30:00+00:00", "Europe/Berlin", "2026-03-29T07:00:00+00:00"),
        # 21:00 in New York: after the window, so tomorrow's 09:00 EDT
        ("2026-03-29T01:00:00+00:00", "America/New_York", "2026-03-29T13:00:00+00:00"),
    ],
)
def test_each_recipient_is_due_inside_their_own_window(now, zone, due):
    with time_machine.travel(datetime.fromisoformat(now), tick=False):
        person = cf.consenting(1, timezone=zone)[0]
        campaign = cf.campaign(segment=cf.segment(members=[person]), window_start_hour=9, window_end_hour=20)
        campaign_plan(campaign)
    delivery = Delivery.objects.get(campaign=campaign)
    assert delivery.due_at == datetime.fromisoformat(due)
    local = timezone.localtime(delivery.due_at, ZoneInfo(zone))
    assert 9 <= local.hour < 20


def test_a_later_send_time_is_respected_then_the_window():
    # 22:00 in Shanghai: after the window, so 09:00 the next morning there
    send_at = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2027, 1, 1, 12, 0, tzinfo=UTC), tick=False):
        person = cf.consenting(1, timezone="Asia/Shanghai")[0]
        campaign = cf.campaign(
            segment=cf.segment(members=[person]), send_at=send_at, window_start_hour=9, window_end_hour=20
        )
        campaign_plan(campaign)
    assert Delivery.objects.get(campaign=campaign).due_at == datetime(2027, 1, 5, 1, 0, tzinfo=UTC)


def test_a_window_that_wraps_past_midnight():
    at = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)  # 12:00 in London: outside 20–8
    assert window_due(at=at, tz="Europe/London", start=20, end=8) == datetime(2027, 1, 4, 20, 0, tzinfo=UTC)
