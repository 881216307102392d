"""Sending: through the one mail path, with List-Unsubscribe; a personal offer code; consent checked again; the
weekly cap; never twice; a crash mid-batch resumes without doubles or losses."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.consent import consent_set
from alumni.campaigns import sending
from alumni.campaigns.planning import campaign_plan
from alumni.campaigns.sending import deliveries_claim, deliveries_send_due, delivery_send
from alumni.models import CampaignStatus, Delivery, DeliveryStatus
from billing.models import Coupon
from billing.pricing import coupon_check
from stagewise.errors import Invalid
from stagewise.models import MailLog
from tests import factories
from tests.alumni import campaign_factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]


def _sending(people, **fields):
    campaign = cf.campaign(segment=cf.segment(members=people), status=CampaignStatus.SENDING, **fields)
    campaign_plan(campaign)
    return campaign


def _send(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return deliveries_send_due(**kwargs)


def test_each_recipient_gets_one_mail_in_their_language_with_unsubscribe_headers(django_capture_on_commit_callbacks):
    course = factories.course(title="Spreadsheet basics")
    factories.course(track=course.track, stage=2, title="SQL bootcamp")
    english = cf.consenting(1, name="Ada", language="en")[0]
    chinese = cf.consenting(1, name="张伟", language="zh-hans", timezone="Asia/Shanghai")[0]
    for person in (english, chinese):
        cohort = factories.cohort(course=course, status="ended", starts_on=factories.local_today() - timedelta(days=20))
        factories.enrollment(cohort=cohort, learner=person, status="completed")
    campaign = _sending([english, chinese], offer_kind="percent", offer_value=20, offer_valid_days=10)

    result = _send(django_capture_on_commit_callbacks)

    assert result.sent == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    en, zh = by_to[english.email], by_to[chinese.email]
    assert en.subject == "Ada, your next stage"
    assert zh.subject == "张伟，下一阶段在等你"
    assert "SQL bootcamp" in en.body and "SQL bootcamp" in zh.body
    for message, person in ((en, english), (zh, chinese)):
        assert message.extra_headers["List-Unsubscribe"].startswith("<http")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        delivery = Delivery.objects.get(campaign=campaign, learner=person)
        assert delivery.status == DeliveryStatus.SENT and delivery.mail_key == f"campaign:{campaign.pk}:{person.pk}"
        assert delivery.coupon.code in message.body
        html = message.alternatives[0][0]
        assert f"/m/{delivery.token}/?to=/courses/" in html
    # the deadline in each reader's language
    assert "年" in zh.body


def test_the_offer_code_is_personal_and_expires(django_capture_on_commit_callbacks):
    person, other = cf.consenting(2)
    course = factories.course()
    _sending([person], offer_kind="fixed", offer_value=5000, offer_currency="cny", offer_valid_days=14)
    _send(django_capture_on_commit_callbacks)

    coupon = Coupon.objects.get(learner=person)
    assert coupon.code.startswith("SW-") and coupon.max_redemptions == 1 and coupon.currency == "CNY"
    assert coupon.expires_at == Delivery.objects.get(learner=person).sent_at + timedelta(days=14)
    assert coupon_check(code=coupon.code, learner=person, course=course, now=timezone.now()) == coupon
    with pytest.raises(Invalid) as refused:
        coupon_check(code=coupon.code, learner=other, course=course, now=timezone.now())
    assert refused.value.code == "coupon_not_found"
    with pytest.raises(Invalid) as late:
        coupon_check(code=coupon.code, learner=person, course=course, now=coupon.expires_at)
    assert late.value.code == "coupon_expired"


def test_someone_who_unsubscribes_after_planning_is_not_mailed(django_capture_on_commit_callbacks):
    stays, leaves = cf.consenting(2)
    campaign = _sending([stays, leaves])
    consent_set(user=leaves, topic="marketing", subscribed=False, source="unsubscribe_link")

    _send(django_capture_on_commit_callbacks)

    assert [m.to[0] for m in mail.outbox] == [stays.email]
    assert Delivery.objects.get(campaign=campaign, learner=leaves).status == DeliveryStatus.SUPPRESSED


def test_the_weekly_cap_holds_back_a_third_campaign(django_capture_on_commit_callbacks, settings):
    settings.CAMPAIGNS_WEEKLY_CAP = 2
    person = cf.consenting(1)[0]
    first, second = _sending([person]), _sending([person])
    _send(django_capture_on_commit_callbacks)
    third = _sending([person])

    _send(django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 2
    assert Delivery.objects.get(campaign=third).status == DeliveryStatus.CAPPED
    assert {Delivery.objects.get(campaign=c).status for c in (first, second)} == {DeliveryStatus.SENT}
    # a week later the cap has room again
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        fourth = _sending([person])
        _send(django_capture_on_commit_callbacks)
    assert Delivery.objects.get(campaign=fourth).status == DeliveryStatus.SENT


def test_two_campaigns_in_one_batch_count_toward_the_cap(django_capture_on_commit_callbacks, settings):
    settings.CAMPAIGNS_WEEKLY_CAP = 1
    person = cf.consenting(1)[0]
    a, b = _sending([person]), _sending([person])
    _send(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert sorted(Delivery.objects.filter(campaign__in=[a, b]).values_list("status", flat=True)) == ["capped", "sent"]


def test_never_twice_however_often_it_runs(django_capture_on_commit_callbacks):
    people = cf.consenting(4)
    campaign = _sending(people)
    for _ in range(3):
        campaign_plan(campaign)
        _send(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_a_crash_mid_batch_resumes_without_doubles_or_losses(django_capture_on_commit_callbacks):
    people = cf.consenting(6)
    campaign = _sending(people)

    # a worker claims the batch, sends two, and dies
    claim = deliveries_claim(batch_size=10)
    assert len(claim.ids) == 6
    with django_capture_on_commit_callbacks(execute=True):
        for delivery_id in claim.ids[:2]:
            delivery_send(delivery_id=delivery_id)
    # …and the third one died between queueing its mail and marking it sent: both roll back together
    with pytest.raises(RuntimeError), transaction.atomic():
        delivery_send(delivery_id=claim.ids[2])
        raise RuntimeError("worker killed")
    assert len(mail.outbox) == 2

    # another worker runs at once: the dead worker's rows are leased, nothing is sent twice
    assert _send(django_capture_on_commit_callbacks).sent == 0

    # after the lease, the rest go out, once each
    with time_machine.travel(timezone.now() + sending.CLAIM_LEASE + timedelta(seconds=1), tick=False):
        assert _send(django_capture_on_commit_callbacks).sent == 4
        assert _send(django_capture_on_commit_callbacks).sent == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert MailLog.objects.filter(key__startswith=f"campaign:{campaign.pk}:").count() == 6
    assert Coupon.objects.count() == 0  # no offer on this campaign: no code made on the way


def test_a_paused_or_cancelled_campaign_sends_nothing_more(django_capture_on_commit_callbacks):
    people = cf.consenting(2)
    campaign = _sending(people)
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])
    _send(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.PENDING).count() == 2


def test_held_out_people_get_nothing(django_capture_on_commit_callbacks):
    people = cf.consenting(30)
    campaign = _sending(people, holdout_percent=50)
    _send(django_capture_on_commit_callbacks)
    held = set(
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.HELD_OUT).values_list(
            "learner__email", flat=True
        )
    )
    assert held and not held & {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) + len(held) == 30


def test_not_before_the_recipients_window(django_capture_on_commit_callbacks):
    from datetime import UTC, datetime

    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        person = cf.consenting(1, timezone="Asia/Kathmandu")[0]  # 05:15 there
        _sending([person], window_start_hour=9, window_end_hour=20)
        _send(django_capture_on_commit_callbacks)
        assert mail.outbox == []
    with time_machine.travel(datetime(2027, 1, 1, 3, 15, tzinfo=UTC), tick=False):  # 09:00 there
        _send(django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == [person.email]
